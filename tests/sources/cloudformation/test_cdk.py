"""CDK output: cloud assembly manifests name stacks and environments; nested stacks are read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.model import Record
from checker.sources.cloudformation import CloudFormationSource
from tests.conftest import EXAMPLES

CDK_OUT = EXAMPLES / "cloudformation" / "cdk.out"
NESTED = "AnnotatorsNestedStackAnnotatorsNestedStackResource4A8B2C1D"


def records(path: Path, **options: Any) -> list[Record]:
    return list(CloudFormationSource(str(path), **options).records())


def workforce_template(
    properties: dict[str, Any], parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    template: dict[str, Any] = {
        "Resources": {"Workforce": {"Type": "AWS::SageMaker::Workforce", "Properties": properties}}
    }
    if parameters:
        template["Parameters"] = parameters
    return template


def assembly(
    folder: Path, stacks: dict[str, dict[str, Any]], extra: dict[str, Any] | None = None
) -> Path:
    """A cloud assembly: stacks by artifact id, each {"template": ..., plus artifact keys}."""
    folder.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for artifact_id, stack in stacks.items():
        stack = dict(stack)
        template_file = f"{artifact_id}.template.json"
        (folder / template_file).write_text(json.dumps(stack.pop("template"), indent=1))
        properties = {"templateFile": template_file, **stack.pop("properties", {})}
        artifacts[artifact_id] = {
            "type": "aws:cloudformation:stack",
            "properties": properties,
            **stack,
        }
    artifacts.update(extra or {})
    (folder / "manifest.json").write_text(
        json.dumps({"version": "39.0.0", "artifacts": artifacts}, indent=1)
    )
    return folder


def test_the_example_assembly() -> None:
    source = CloudFormationSource(str(CDK_OUT))
    (record,) = source.records()
    assert record.resource.address == f"LabelingPipeline/{NESTED}/Workforce"
    assert (record.resource.account, record.resource.region) == ("111122223333", "eu-west-1")
    nested_file = CDK_OUT / "LabelingPipelineAnnotators1A2B3C4D.nested.template.json"
    assert record.resource.source == str(nested_file)
    assert record.resource.location is not None
    assert record.resource.location.file == (
        "examples/cloudformation/cdk.out/LabelingPipelineAnnotators1A2B3C4D.nested.template.json"
    )
    assert record.resource.location.line == 3
    assert dict(record.workforce) == {
        "WorkforceName": "annotators",
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "0.0.0.0/0"]},
        "WorkforceVpcConfig": {
            "SecurityGroupIds": ["sg-0a1b2c3d4e5f60002"],
            "Subnets": ["subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
            "VpcId": "vpc-0a1b2c3d4e5f60001",
        },
        "CognitoConfig": {},
    }
    assert dict(record.unknown_reasons) == {
        "CognitoConfig.ClientId": "known only at deploy time "
        "(!Ref AnnotatorPoolPortalClient5C3D2E1F in stack LabelingPipeline)",
        "CognitoConfig.UserPool": "known only at deploy time "
        "(!Ref AnnotatorPool9F1E1B2A in stack LabelingPipeline)",
    }
    assert [(unit.source, unit.records, unit.note) for unit in source.units] == [
        (
            str(CDK_OUT / "LabelingPipeline.template.json"),
            0,
            "cloudformation stack LabelingPipeline",
        ),
        (str(nested_file), 1, f"cloudformation stack LabelingPipeline/{NESTED}"),
    ]
    assert source.errors == []


@pytest.mark.parametrize(
    "path",
    [CDK_OUT, CDK_OUT / "manifest.json", EXAMPLES / "cloudformation"],
    ids=["folder", "manifest", "parent folder"],
)
def test_an_assembly_is_found_from_its_folder_its_manifest_or_above(path: Path) -> None:
    addresses = [r.resource.address for r in records(path)]
    assert f"LabelingPipeline/{NESTED}/Workforce" in addresses
    # the nested template is read once, through its parent, never as a stack of its own
    assert len([a for a in addresses if a and a.endswith("/Workforce")]) == 1


def test_environment_account_region_and_stack_name(tmp_path: Path) -> None:
    template = workforce_template(
        {"WorkforceName": {"Fn::Sub": "${AWS::StackName}-${AWS::AccountId}-${AWS::Region}"}}
    )
    folder = assembly(
        tmp_path / "cdk.out",
        {
            "Labeling": {
                "template": template,
                "environment": "aws://444455556666/ap-southeast-2",
                "displayName": "Prod/Labeling",
                "properties": {"stackName": "prod-labeling"},
            },
            "Agnostic": {
                "template": template,
                "environment": "aws://unknown-account/unknown-region",
            },
        },
    )
    found = {r.resource.address: r for r in records(folder, region="eu-west-1")}
    labeling = found["Prod/Labeling/Workforce"]
    assert labeling.workforce["WorkforceName"] == "prod-labeling-444455556666-ap-southeast-2"
    assert (labeling.resource.account, labeling.resource.region) == (
        "444455556666",
        "ap-southeast-2",
    )
    agnostic = found["Agnostic/Workforce"]
    assert agnostic.resource.region == "eu-west-1"  # --region places environment-agnostic stacks
    assert (
        agnostic.unknown_reason("WorkforceName") == "known only at deploy time (${AWS::AccountId})"
    )
    without_region = {r.resource.address: r for r in records(folder)}["Agnostic/Workforce"]
    assert "_region" in without_region.unknown_paths


def test_stages_are_nested_assemblies(tmp_path: Path) -> None:
    root = tmp_path / "cdk.out"
    assembly(
        root / "assembly-Prod",
        {
            "ProdLabeling": {
                "template": workforce_template({"WorkforceName": "prod"}),
                "displayName": "Prod/Labeling",
            }
        },
    )
    assembly(
        root,
        {"Dev": {"template": workforce_template({"WorkforceName": "dev"})}},
        extra={
            "assembly-Prod": {
                "type": "cdk:cloud-assembly",
                "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"},
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    )
    assert [r.resource.address for r in records(root)] == [
        "Dev/Workforce",
        "Prod/Labeling/Workforce",
    ]


def test_nested_stacks_of_nested_stacks(tmp_path: Path) -> None:
    folder = tmp_path / "cdk.out"
    inner = workforce_template({"WorkforceName": {"Ref": "Name"}}, {"Name": {"Type": "String"}})
    (folder).mkdir()
    (folder / "Inner.nested.template.json").write_text(json.dumps(inner))

    def nesting(asset: str, parameters: dict[str, Any]) -> dict[str, Any]:
        return {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {"TemplateURL": "https://example.com/x", "Parameters": parameters},
            "Metadata": {"aws:asset:path": asset, "aws:asset:property": "TemplateURL"},
        }

    middle = {
        "Parameters": {"Prefix": {"Type": "String"}},
        "Resources": {
            "Inner": nesting("Inner.nested.template.json", {"Name": {"Fn::Sub": "${Prefix}-inner"}})
        },
    }
    (folder / "Middle.nested.template.json").write_text(json.dumps(middle))
    top = {"Resources": {"Middle": nesting("Middle.nested.template.json", {"Prefix": "team"})}}
    assembly(folder, {"Top": {"template": top}})
    (record,) = records(folder)
    assert record.resource.address == "Top/Middle/Inner/Workforce"
    assert record.workforce["WorkforceName"] == "team-inner"


def test_a_missing_nested_template_is_reported(tmp_path: Path) -> None:
    top = {
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": {"Fn::Join": ["", ["https://", "x"]]}},
                "Metadata": {
                    "aws:asset:path": "Gone.nested.template.json",
                    "aws:asset:property": "TemplateURL",
                },
            }
        }
    }
    source = CloudFormationSource(str(assembly(tmp_path / "cdk.out", {"Top": {"template": top}})))
    assert list(source.records()) == []
    (error,) = source.errors
    assert error.code == "NestedStackNotRead"
    assert "nested stack Top/Child" in error.message and "is missing" in error.message


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["artifacts"]["Top"]["properties"].update(
                templateFile="../Top.template.json"
            ),
            "must name a file inside the assembly folder",
        ),
        (
            lambda m: m["artifacts"]["Top"]["properties"].update(templateFile="/etc/passwd"),
            "must name a file inside the assembly folder",
        ),
        (
            lambda m: m["artifacts"]["Top"]["properties"].update(templateFile=3),
            "templateFile: expected a file name",
        ),
        (
            lambda m: m["artifacts"]["Top"].update(environment="eu-west-1"),
            "environment: expected aws://ACCOUNT/REGION",
        ),
        (
            lambda m: m["artifacts"]["Top"].update(displayName=""),
            "displayName must be a non-empty string",
        ),
        (lambda m: m["artifacts"].update(Top=[]), "artifact Top: expected an object, got a list"),
        (
            lambda m: m["artifacts"]["Top"].update(properties=[]),
            "artifact Top: properties: expected an object",
        ),
        (
            lambda m: m["artifacts"]["Top"]["properties"].update(
                templateFile="Missing.template.json"
            ),
            "cannot read CloudFormation template",
        ),
    ],
)
def test_a_bad_manifest_is_one_error_with_its_position(
    tmp_path: Path, edit: Any, message: str
) -> None:
    folder = assembly(
        tmp_path / "cdk.out", {"Top": {"template": workforce_template({"WorkforceName": "x"})}}
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    edit(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    with pytest.raises(InputError) as caught:
        CloudFormationSource(str(folder))
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(folder))


def test_a_manifest_json_that_is_no_assembly_is_just_a_file(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"name": "web app", "icons": []}')
    (tmp_path / "stack.json").write_text(json.dumps(workforce_template({"WorkforceName": "x"})))
    assert [r.resource.address for r in records(tmp_path)] == ["stack/Workforce"]
