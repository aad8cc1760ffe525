"""CloudFormation templates -> records: loading, mapping, locations, stacks, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError, UsageError
from checker.files.yaml_documents import load_yaml
from checker.model import Record
from checker.sources.cloudformation import CloudFormationSource, cloudformation_sources
from checker.sources.cloudformation.intrinsics import DEPLOY_TIME, NO_ECHO
from checker.sources.cloudformation.parameters import load_parameters_file, parse_assignments
from checker.sources.cloudformation.template import (
    SHORT_FORMS,
    load_template,
    repository_path,
    stack_name_of,
)
from tests.conftest import EXAMPLES

FIXTURES = Path(__file__).resolve().parent
EXAMPLE = EXAMPLES / "cloudformation"

WORKFORCE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Workforce:
    Type: AWS::SageMaker::Workforce
    Properties:
{properties}
"""


def template(tmp_path: Path, properties: str, name: str = "stack.yaml", head: str = "") -> Path:
    path = tmp_path / name
    indented = "\n".join("      " + line for line in properties.strip("\n").splitlines())
    path.write_text(head + WORKFORCE.replace("{properties}", indented))
    return path


def records(path: Path | str, **options: Any) -> dict[str, Record]:
    source = CloudFormationSource(str(path), **options)
    return {record.resource.address or "": record for record in source.records()}


def only(path: Path | str, **options: Any) -> Record:
    (record,) = records(path, **options).values()
    return record


# --- loading ------------------------------------------------------------------------------------


def test_short_forms_become_plain_long_form_data(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "a: !Ref X\nb: !GetAtt A.B\nc: !GetAtt [A, B]\nd: !Sub [x, {y: !Ref Z}]\n"
        "e: !If [C, !Ref AWS::NoValue, 1]\nf: !Condition C\ng: !GetAZs ''\n"
    )
    assert load_template(str(path)).data == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": "A.B"},
        "c": {"Fn::GetAtt": ["A", "B"]},
        "d": {"Fn::Sub": ["x", {"y": {"Ref": "Z"}}]},
        "e": {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, 1]},
        "f": {"Condition": "C"},
        "g": {"Fn::GetAZs": ""},
    }


def test_every_documented_short_form_is_known() -> None:
    documented = {
        "!Base64", "!Cidr", "!FindInMap", "!GetAtt", "!GetAZs", "!ImportValue", "!Join",
        "!Select", "!Split", "!Sub", "!Transform", "!Ref", "!And", "!Equals", "!If", "!Not",
        "!Or", "!Condition",
    }  # fmt: skip
    assert set(SHORT_FORMS) == documented


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a:\n  b: !Reff X\n", "invalid YAML: unknown tag '!Reff'", 2, 6),
        (
            "a: !!python/object:os.system [x]\n",
            "unsupported tag 'tag:yaml.org,2002:python/object",
            1,
            4,
        ),
        ("a: 1\na: 2\n", "duplicate key 'a'", 2, 1),
        ("a: [1,\n", "invalid YAML", 2, 1),
        ("a: &x [1]\nb: {<<: *x}\n", "merge keys", 2, 5),
        ('{"Resources": {"A": {}, "A": {}}}', 'duplicate key "A"', 1, 25),
        ('{\n  "Resources": {\n    "A": [1,]\n  }\n}', "invalid JSON", 3, 13),
    ],
)
def test_a_bad_template_is_one_error_with_its_position(
    tmp_path: Path, text: str, message: str, line: int, column: int
) -> None:
    path = tmp_path / ("t.json" if text.startswith("{") else "t.yaml")
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_template(str(path))
    assert message in str(caught.value)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_an_alias_bomb_stops_at_the_node_budget(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append("Resources: {W: {Type: AWS::SageMaker::Workforce, Properties: {Tags: *a8}}}")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="alias bomb"):
        CloudFormationSource(str(path))


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("Resources: " + "[" * 100 + "]" * 100 + "\n")
    with pytest.raises(InputError, match="deeper than"):
        load_template(str(path))


def test_json_positions_match_yaml_positions_of_the_same_document(tmp_path: Path) -> None:
    """The JSON scan records the same paths, keys and positions the YAML loader does."""
    text = (
        '{"Resources": {\n'
        '  "W": {"Type": "x", "Properties": {"Cidrs": ["a", {"Ref": "b\\"c"}], "E": [[], {}]}},\n'
        '  "Z": "\\u00e9t\\u00e9 [ ] { } : ,"\n'
        "}}\n"
    )
    json_path = tmp_path / "t.json"
    json_path.write_text(text)
    yaml_path = tmp_path / "t.yaml"
    yaml_path.write_text(text)
    from_json = load_template(str(json_path))
    from_yaml = load_yaml(str(yaml_path))
    assert from_json.data == from_yaml.data
    assert from_json.marks.items() <= from_yaml.marks.items()
    # the YAML loader also marks (*mapping, "<key>") at a mapping's first key; values all match
    assert {p for p in from_yaml.marks if p[-1:] != ("<key>",)} <= set(from_json.marks)


def test_a_large_json_template_is_scanned_with_its_location(tmp_path: Path) -> None:
    """A 2 MB template (20,000 resources): positions for every value, the workforce's right.
    tests/files/test_loading.py shows marking stays linear in the size."""
    resources = {
        f"Topic{i}": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"Tags": [{"Key": "k", "Value": str(i)}]},
        }
        for i in range(20000)
    }
    resources["Workforce"] = {
        "Type": "AWS::SageMaker::Workforce",
        "Properties": {"WorkforceName": "x"},
    }
    path = tmp_path / "big.template.json"
    path.write_text(json.dumps({"Resources": resources}, indent=1))
    assert path.stat().st_size > 2_000_000
    record = only(path)
    assert record.resource.location is not None
    assert (
        record.resource.location.line == path.read_text().splitlines().index('  "Workforce": {') + 1
    )


# --- mapping ------------------------------------------------------------------------------------

FULL = """\
WorkforceName: labeling
IpAddressType: dualstack
OidcConfig:
  ClientId: portal
  ClientSecret: CANARY-never-read
  Issuer: https://idp.example.com
  AuthorizationEndpoint: https://idp.example.com/authorize
  TokenEndpoint: https://idp.example.com/token
  UserInfoEndpoint: https://idp.example.com/userinfo
  LogoutEndpoint: https://idp.example.com/logout
  JwksUri: https://idp.example.com/jwks
  Scope: openid email
  AuthenticationRequestExtraParams: {prompt: login, max_age: 300}
SourceIpConfig:
  Cidrs: [203.0.113.0/24, 198.51.100.0/24]
WorkforceVpcConfig:
  VpcId: vpc-1
  SecurityGroupIds: [sg-1]
  Subnets: [subnet-1, subnet-2]
Tags:
  - {Key: team, Value: labeling}
NotAProperty: ignored
"""


def test_properties_map_onto_the_api_record(tmp_path: Path) -> None:
    record = only(template(tmp_path, FULL), region="eu-west-1")
    assert dict(record.workforce) == {
        "WorkforceName": "labeling",
        "IpAddressType": "dualstack",
        "OidcConfig": {
            "ClientId": "portal",
            "Issuer": "https://idp.example.com",
            "AuthorizationEndpoint": "https://idp.example.com/authorize",
            "TokenEndpoint": "https://idp.example.com/token",
            "UserInfoEndpoint": "https://idp.example.com/userinfo",
            "LogoutEndpoint": "https://idp.example.com/logout",
            "JwksUri": "https://idp.example.com/jwks",
            "Scope": "openid email",
            "AuthenticationRequestExtraParams": {"prompt": "login", "max_age": "300"},
        },
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "198.51.100.0/24"]},
        "WorkforceVpcConfig": {
            "VpcId": "vpc-1",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1", "subnet-2"],
        },
        "Tags": [{"Key": "team", "Value": "labeling"}],
    }
    assert record.unknown_paths == frozenset()
    assert record.resource.source_kind == "cloudformation"
    assert record.resource.address == "stack/Workforce"
    assert (record.resource.region, record.resource.account, record.resource.name) == (
        "eu-west-1",
        None,
        "labeling",
    )
    assert "CANARY" not in repr(record)


def test_the_client_secret_is_never_resolved(tmp_path: Path) -> None:
    """Not even an expression that would be an error elsewhere: it is never looked at."""
    path = template(
        tmp_path, "OidcConfig:\n  ClientId: x\n  ClientSecret: !Ref Nowhere\n  Issuer: https://a"
    )
    assert only(path).workforce["OidcConfig"] == {"ClientId": "x", "Issuer": "https://a"}


def test_a_block_chosen_by_a_condition_is_read_leaf_by_leaf(tmp_path: Path) -> None:
    head = (
        "Parameters:\n  Env: {Type: String, Default: prod}\n"
        "Conditions:\n  IsProd: !Equals [!Ref Env, prod]\n"
    )
    path = template(
        tmp_path,
        "OidcConfig: !If\n  - IsProd\n  - {ClientId: p, ClientSecret: !Ref Nowhere, Issuer: https://p}\n"
        "  - !Ref AWS::NoValue\n"
        "CognitoConfig: !If [IsProd, !Ref AWS::NoValue, {ClientId: c, UserPool: eu-west-1_A}]",
        head=head,
    )
    record = only(path)
    assert record.workforce["OidcConfig"] == {"ClientId": "p", "Issuer": "https://p"}
    assert "CognitoConfig" not in record.workforce


@pytest.mark.parametrize(
    ("properties", "unknown"),
    [
        (
            "SourceIpConfig:\n  Cidrs: [10.0.0.0/16, !GetAtt Pool.Arn]",
            {"SourceIpConfig.Cidrs": "known only at deploy time (!GetAtt Pool.Arn)"},
        ),
        (
            "SourceIpConfig: !If [Undecided, {Cidrs: [a]}, {Cidrs: [b]}]",
            {
                "SourceIpConfig": "a parameter without a value (!Ref Missing, in condition "
                "Undecided; give --parameter Missing=VALUE)"
            },
        ),
        (
            "WorkforceVpcConfig:\n  VpcId: !ImportValue net-vpc\n  Subnets: [subnet-1]",
            {"WorkforceVpcConfig.VpcId": "known only at deploy time (!ImportValue net-vpc)"},
        ),
        (
            "OidcConfig:\n  Issuer: '{{resolve:ssm:/idp/issuer}}'",
            {
                "OidcConfig.Issuer": "resolved from a dynamic reference at deploy time "
                "({{resolve:ssm:/idp/issuer}})"
            },
        ),
        (
            "OidcConfig:\n  ClientId: !Ref Secret",
            {"OidcConfig.ClientId": f"{NO_ECHO} (!Ref Secret)"},
        ),
        (
            "OidcConfig:\n  AuthenticationRequestExtraParams: {a: !Ref Pool}",
            {"OidcConfig.AuthenticationRequestExtraParams": f"{DEPLOY_TIME} (!Ref Pool)"},
        ),
        (
            "Tags: [{Key: a, Value: !GetAtt Pool.Arn}]",
            {"Tags": "known only at deploy time (!GetAtt Pool.Arn)"},
        ),
        (
            "WorkforceName: !Sub '${AWS::StackName}-wf'",
            {"WorkforceName": "known only at deploy time (${AWS::StackName})"},
        ),
    ],
)
def test_values_the_template_does_not_decide_are_unknown_with_a_reason(
    tmp_path: Path, properties: str, unknown: dict[str, str]
) -> None:
    head = (
        "Parameters:\n  Missing: {Type: String}\n  Secret: {Type: String, NoEcho: true}\n"
        "Conditions:\n  Undecided: !Equals [!Ref Missing, x]\n"
    )
    path = template(tmp_path, properties + "\nPool: ignored", head=head)
    path.write_text(
        path.read_text().replace("      Pool: ignored\n", "")
        + "  Pool:\n    Type: AWS::Cognito::UserPool\n"
    )
    record = only(path, region="eu-west-1")
    assert record.unknown_paths == frozenset(unknown)
    assert dict(record.unknown_reasons) == unknown
    for path_name in unknown:
        top, _, leaf = path_name.partition(".")
        assert leaf not in record.workforce.get(top, {}) if leaf else top not in record.workforce


def test_without_a_region_the_region_is_unknown(tmp_path: Path) -> None:
    record = only(template(tmp_path, "WorkforceName: x"))
    assert record.resource.region is None
    assert record.unknown_paths == {"_region"}
    assert (
        record.unknown_reason("_region") == "known only at deploy time (AWS::Region; give --region)"
    )


def test_scalars_are_passed_as_the_text_cloudformation_sees(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        "WorkforceName: 2024-01-31\nOidcConfig:\n  ClientId: 12345\n  Scope: true\n"
        "  AuthenticationRequestExtraParams: {max_age: 300}",
        head="Parameters:\n  Since: {Type: String, Default: 2024-01-31}\n"
        "Conditions:\n  Same: !Equals [!Ref Since, 2024-01-31]\n",
    )
    path.write_text(path.read_text() + "    Condition: Same\n")
    record = only(path, region="eu-west-1")
    assert record.workforce["WorkforceName"] == "2024-01-31"
    assert record.workforce["OidcConfig"] == {
        "ClientId": "12345",
        "Scope": "true",
        "AuthenticationRequestExtraParams": {"max_age": "300"},
    }


def test_no_value_removes_properties(tmp_path: Path) -> None:
    path = template(
        tmp_path,
        "WorkforceName: !Ref AWS::NoValue\nSourceIpConfig:\n  Cidrs: [a, !Ref AWS::NoValue, b]\n"
        "OidcConfig:\n  Scope: !Ref AWS::NoValue\n  ClientId: c",
    )
    assert dict(only(path, region="eu-west-1").workforce) == {
        "SourceIpConfig": {"Cidrs": ["a", "b"]},
        "OidcConfig": {"ClientId": "c"},
    }


@pytest.mark.parametrize(
    ("properties", "message", "line", "column"),
    [
        (
            "SourceIpConfig:\n  Cidrs: 10.0.0.0/8",
            "SourceIpConfig.Cidrs: expected a list of strings, got a string",
            7,
            16,
        ),
        (
            "SourceIpConfig:\n  Cidrs: [[10.0.0.0/8]]",
            "SourceIpConfig.Cidrs: expected a list of strings, got a list",
            7,
            16,
        ),
        ("SourceIpConfig: [10.0.0.0/8]", "SourceIpConfig: expected an object, got a list", 6, 23),
        ("WorkforceName: [x]", "WorkforceName: expected a string, got a list", 6, 22),
        (
            "OidcConfig:\n  Issuer: {Url: x}",
            "OidcConfig.Issuer: expected a string, got an object",
            7,
            17,
        ),
        (
            "OidcConfig:\n  AuthenticationRequestExtraParams: [x]",
            "OidcConfig.AuthenticationRequestExtraParams: expected an object of strings, "
            "got a list",
            7,
            43,
        ),
        ("Tags: {team: x}", "Tags: expected a list of {Key, Value} objects, got an object", 6, 13),
        (
            "Tags: [{Key: team, Value: [x]}]",
            "Tags: expected a list of {Key, Value} objects, got a list",
            6,
            13,
        ),
        (
            "WorkforceVpcConfig:\n  Subnets: !Join [',', [a, b]]",
            "WorkforceVpcConfig.Subnets: expected a list of strings, got a string",
            7,
            18,
        ),
    ],
)
def test_wrong_types_are_errors_at_the_property(
    tmp_path: Path, properties: str, message: str, line: int, column: int
) -> None:
    path = template(tmp_path, properties)
    with pytest.raises(InputError) as caught:
        CloudFormationSource(str(path))
    assert str(caught.value) == f"{path}:{line}:{column}: stack/Workforce: {message}"


def test_a_secret_in_a_wrongly_typed_value_is_not_shown(tmp_path: Path) -> None:
    path = template(tmp_path, "OidcConfig:\n  Issuer: [CANARY-in-a-list]")
    with pytest.raises(InputError) as caught:
        CloudFormationSource(str(path))
    assert "CANARY" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Resources: []\n", "not a CloudFormation template: it has no Resources object"),
        ("Resources:\n  W: [x]\n", "resource W: expected an object, got a list"),
        ("Resources:\n  W: {Type: [x]}\n", "resource W: Type must be a string"),
        (
            "Resources:\n  W: {Type: AWS::SageMaker::Workforce, Properties: [x]}\n",
            "W: Properties: expected an object",
        ),
        ("Parameters: [x]\nResources: {}\n", "Parameters: expected an object, got a list"),
        ("Parameters:\n  P: {Default: x}\nResources: {}\n", "parameter P: Type must be a string"),
        (
            "Parameters:\n  P: {Type: String, Default: {a: b}}\nResources: {}\n",
            "parameter P: Default must be a string",
        ),
        ("Conditions: [x]\nResources: {}\n", "Conditions: expected an object, got a list"),
        (
            "Resources:\n  W: {Type: AWS::SageMaker::Workforce, Condition: Nope}\n",
            "no condition named 'Nope'",
        ),
        (
            "Conditions:\n  C: !Ref X\n"
            "Resources:\n  W: {Type: AWS::SageMaker::Workforce, Condition: C}\n",
            "a condition must be Fn::Equals",
        ),
    ],
)
def test_malformed_templates_are_one_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        CloudFormationSource(str(path))
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:") or str(caught.value).startswith(str(path))


# --- conditions on resources --------------------------------------------------------------------


def test_a_workforce_whose_condition_is_false_is_not_created() -> None:
    source = CloudFormationSource(str(FIXTURES / "conditions.json"))
    assert list(source.records()) == []
    assert source.units[0].note is not None and "1 resource(s) not created" in source.units[0].note
    given = parse_assignments(["CreateWorkforce=true"])
    created = only(FIXTURES / "conditions.json", given=given)
    assert created.resource.address == "conditions/OptionalWorkforce"


def test_a_workforce_whose_condition_is_undecided_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Parameters:\n  P: {Type: String}\nConditions:\n  C: !Equals [!Ref P, x]\n"
        "Resources:\n  W:\n    Type: AWS::SageMaker::Workforce\n    Condition: C\n"
        "    Properties: {WorkforceName: w}\n"
    )
    source = CloudFormationSource(str(path))
    assert [r.resource.address for r in source.records()] == ["t/W"]
    assert "not decided before deploy: W" in (source.units[0].note or "")


# --- the fixtures -------------------------------------------------------------------------------


def test_every_intrinsic_fixture() -> None:
    record = only(FIXTURES / "every-intrinsic.yaml", region="eu-west-1")
    assert record.resource.address == "every-intrinsic/Workforce"
    workforce = dict(record.workforce)
    groups = workforce.pop("Related")["SecurityGroups"]  # the template's own group, linked
    assert groups == [{"GroupId": "!Ref WorkerSecurityGroup", "IpPermissions": []}]
    assert workforce == {
        "WorkforceName": "labeling-prod",
        "OidcConfig": {
            "ClientId": "portal",
            "Issuer": "https://idp.example.com",
            "AuthorizationEndpoint": "https://idp.example.com/authorize",
            "TokenEndpoint": "https://idp.example.com/token",
            "UserInfoEndpoint": "https://idp.example.com/userinfo",
            "LogoutEndpoint": "https://idp.example.com/logout",
            "JwksUri": "https://idp.example.com/eu-west-1/jwks",
            "Scope": "openid email",
            "AuthenticationRequestExtraParams": {"prompt": "login"},
        },
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "198.51.100.0/24"]},
        "WorkforceVpcConfig": {"Subnets": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]},
    }
    assert dict(record.unknown_reasons) == {
        "WorkforceVpcConfig.VpcId": "known only at deploy time (!Ref Vpc)",
        "WorkforceVpcConfig.SecurityGroupIds": (
            f"{DEPLOY_TIME} (!GetAtt WorkerSecurityGroup.GroupId)"
        ),
        "Tags": "known only at deploy time (!GetAZs '')",
    }
    dev = only(
        FIXTURES / "every-intrinsic.yaml", region="us-east-1", given=parse_assignments(["Env=dev"])
    )
    assert dev.workforce["SourceIpConfig"] == {"Cidrs": ["10.0.0.0/24", "10.0.1.0/24"]}
    assert dev.workforce["OidcConfig"]["Scope"] == "openid"
    assert dev.workforce["OidcConfig"]["TokenEndpoint"] == "https://idp.example.com/token-global"


# --- locations and names ------------------------------------------------------------------------


def test_the_location_is_the_logical_id_line_in_yaml_and_json() -> None:
    yaml_record = only(EXAMPLE / "labeling-stack.yaml")
    lines = (EXAMPLE / "labeling-stack.yaml").read_text().splitlines()
    assert yaml_record.resource.location is not None
    assert yaml_record.resource.location.line == lines.index("  PrivateWorkforce:") + 1
    assert yaml_record.resource.location.column == 3
    assert yaml_record.resource.location.file == "examples/cloudformation/labeling-stack.yaml"
    json_record = only(EXAMPLE / "vendor-stack.template.json")
    lines = (EXAMPLE / "vendor-stack.template.json").read_text().splitlines()
    assert json_record.resource.location is not None
    assert json_record.resource.location.line == lines.index('    "VendorWorkforce": {') + 1
    assert json_record.resource.location.column == 5
    assert json_record.resource.address == "vendor-stack/VendorWorkforce"


def test_property_locations_are_kept_per_api_path() -> None:
    source = CloudFormationSource(str(EXAMPLE / "labeling-stack.yaml"))
    lines = (EXAMPLE / "labeling-stack.yaml").read_text().splitlines()
    cidrs = source.property_locations["labeling-stack/PrivateWorkforce"]["SourceIpConfig.Cidrs"]
    assert cidrs.line == next(i for i, line in enumerate(lines, 1) if "Cidrs: !If" in line)


def test_files_are_named_relative_to_their_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    path = template(repo / "infra", "WorkforceName: x")
    assert repository_path(path) == "infra/stack.yaml"
    outside = template(tmp_path, "WorkforceName: x")
    assert repository_path(outside) == outside.as_posix()
    record = only(path)
    assert record.resource.location is not None
    assert record.resource.location.file == "infra/stack.yaml"
    assert record.resource.source == str(path)


@pytest.mark.parametrize(
    ("name", "stack"),
    [
        ("labeling.yaml", "labeling"),
        ("labeling.yml", "labeling"),
        ("labeling.template.json", "labeling"),
        ("labeling.template", "labeling"),
        ("labeling.template.yaml", "labeling"),
        ("my.stack.json", "my.stack"),
    ],
)
def test_a_plain_template_is_a_stack_named_by_its_file(name: str, stack: str) -> None:
    assert stack_name_of(Path(name)) == stack


def test_a_template_suffix_file_may_hold_json_or_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.template").write_text(
        json.dumps(
            {
                "Resources": {
                    "W": {"Type": "AWS::SageMaker::Workforce", "Properties": {"WorkforceName": "a"}}
                }
            }
        )
    )
    (tmp_path / "b.template").write_text(
        "Resources:\n  W:\n    Type: AWS::SageMaker::Workforce\n"
        "    Properties: {WorkforceName: !Sub b}\n"
    )
    assert {r.workforce["WorkforceName"] for r in records(tmp_path).values()} == {"a", "b"}


# --- folders ------------------------------------------------------------------------------------


def test_a_folder_is_searched_for_templates_in_sorted_order(tmp_path: Path) -> None:
    template(tmp_path, "WorkforceName: b", name="b.yaml")
    (tmp_path / "sub").mkdir()
    template(tmp_path / "sub", "WorkforceName: a", name="a.template.json")
    (tmp_path / "sub" / "a.template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "W": {"Type": "AWS::SageMaker::Workforce", "Properties": {"WorkforceName": "a"}}
                }
            }
        )
    )
    (tmp_path / "package.json").write_text('{"name": "app"}')
    (tmp_path / "values.yaml").write_text("replicas: 2\n")
    (tmp_path / "chart.yaml").write_text("image: {{ .Values.image }}\n")  # not YAML, no template
    for skipped in (".git", "node_modules"):
        (tmp_path / skipped).mkdir()
        template(tmp_path / skipped, "WorkforceName: hidden")
    source = CloudFormationSource(str(tmp_path))
    assert [r.resource.address for r in source.records()] == ["b/Workforce", "a/W"]
    assert [u.source for u in source.units] == [
        str(tmp_path / "b.yaml"),
        str(tmp_path / "sub" / "a.template.json"),
    ]


def test_a_broken_template_in_a_folder_is_an_error_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("Resources:\n  W: !Reff x\n")
    with pytest.raises(InputError, match="unknown tag '!Reff'"):
        CloudFormationSource(str(tmp_path))


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no CloudFormation template or CDK cloud assembly found here"),
        (lambda p: (p / "x.yaml").write_text("a: 1\n"), "no CloudFormation template"),
    ],
)
def test_a_folder_without_templates_is_an_error(tmp_path: Path, setup: Any, message: str) -> None:
    setup(tmp_path)
    with pytest.raises(InputError, match=message):
        CloudFormationSource(str(tmp_path))


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        CloudFormationSource(str(tmp_path / "nope.yaml"))


def test_a_file_that_is_no_template_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "vars.yaml"
    path.write_text("allowed_cidrs: []\n")
    with pytest.raises(InputError, match="not a CloudFormation template"):
        CloudFormationSource(str(path))


# --- nested stacks with local templates ---------------------------------------------------------


def test_a_local_nested_stack_is_read_with_the_values_its_parent_passes() -> None:
    source = CloudFormationSource(str(FIXTURES / "nested"))
    (record,) = source.records()
    assert record.resource.address == "parent/Annotators/Workforce"
    assert record.resource.source == str(FIXTURES / "nested" / "child.yaml")
    assert dict(record.workforce) == {
        "WorkforceName": "annotators",
        "CognitoConfig": {"ClientId": "portalclient"},
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "198.51.100.0/24"]},
    }
    assert record.unknown_reason("CognitoConfig.UserPool") == (
        "known only at deploy time (!Ref Pool in stack parent)"
    )
    # child.yaml is nested, so it is not read again as a stack of its own
    assert [u.note for u in source.units] == [
        "cloudformation stack parent",
        "cloudformation stack parent/Annotators",
    ]
    given = parse_assignments(["OfficeCidr=192.0.2.0/24"])
    again = only(FIXTURES / "nested" / "parent.yaml", given=given)
    assert again.workforce["SourceIpConfig"]["Cidrs"][0] == "192.0.2.0/24"


def test_a_nested_stack_at_a_url_is_reported_as_not_collected(tmp_path: Path) -> None:
    path = tmp_path / "parent.yaml"
    path.write_text(
        "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties:\n      TemplateURL: https://s3.amazonaws.com/bucket/child.yaml\n"
    )
    source = CloudFormationSource(str(path))
    assert list(source.records()) == []
    (error,) = source.errors
    assert error.code == "NestedStackNotRead"
    assert error.message == (
        "nested stack parent/Child: its template (https://s3.amazonaws.com/bucket/child.yaml) "
        "is not a local file; workforces it creates are not checked"
    )


def test_a_stack_that_nests_itself_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(
        "Resources:\n  Again:\n    Type: AWS::CloudFormation::Stack\n"
        "    Properties: {TemplateURL: loop.yaml}\n"
    )
    with pytest.raises(InputError, match="nests its own template"):
        CloudFormationSource(str(path))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Transform: Corp::Macro\nResources: {}\n", "MacroNotExpanded"),
        (
            "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Teams:\n    - Team\n"
            "    - [a, b]\n    - W${Team}: {Type: AWS::SageMaker::Workforce}\n",
            "ForEachNotExpanded",
        ),
    ],
)
def test_workforces_wfcheck_cannot_see_are_reported(tmp_path: Path, text: str, code: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    source = CloudFormationSource(str(path))
    assert [error.code for error in source.errors] == [code]


def test_known_transforms_and_foreach_without_workforces_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]\nResources:\n"
        "  Fn::ForEach::Topics:\n    - T\n    - [a, b]\n    - Topic${T}: {Type: AWS::SNS::Topic}\n"
    )
    assert CloudFormationSource(str(path)).errors == []


# --- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        [
            {"ParameterKey": "Env", "ParameterValue": "prod"},
            {"ParameterKey": "Count", "ParameterValue": "3"},
        ],
        ["Env=prod", "Count=3"],
        {"Parameters": {"Env": "prod", "Count": "3"}, "Tags": {"team": "x"}},
    ],
    ids=["cloudformation", "strings", "codepipeline"],
)
def test_parameters_files_in_every_deploy_format(tmp_path: Path, content: Any) -> None:
    path = tmp_path / "params.json"
    path.write_text(json.dumps(content, indent=1))
    given = load_parameters_file(str(path))
    assert {name: value.value for name, value in given.items()} == {"Env": "prod", "Count": "3"}
    assert given["Env"].origin.startswith(f"{path}:")


def test_use_previous_value_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "params.json"
    path.write_text(json.dumps([{"ParameterKey": "Name", "UsePreviousValue": True}]))
    tpl = template(
        tmp_path,
        "WorkforceName: !Ref Name",
        head="Parameters:\n  Name: {Type: String, Default: x}\n",
    )
    record = only(tpl, given=load_parameters_file(str(path)))
    assert record.unknown_reason("WorkforceName") == (
        "the stack's previous value (UsePreviousValue) (!Ref Name)"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"Env": "prod"}', "expected a list of parameters or an object with Parameters"),
        ('"Env=prod"', "expected a list of parameters, got a string"),
        ('["Env"]', "expected a NAME=VALUE string"),
        ('[{"ParameterKey": "Env", "Value": "x"}]', "unexpected key 'Value'"),
        ('[{"ParameterValue": "x"}]', "ParameterKey: expected a parameter name"),
        ('[{"ParameterKey": "Env"}]', "parameter Env: no ParameterValue"),
        ('[{"ParameterKey": "Env", "ParameterValue": 3}]', "expected a string value, got a number"),
        ('{"Parameters": {"Env": ["x"]}}', "expected a string value, got a list"),
        (
            '[{"ParameterKey": "Env", "ParameterValue": "a"}, {"ParameterKey": "Env", ',
            "invalid JSON",
        ),
    ],
)
def test_bad_parameters_files_are_one_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "params.json"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        load_parameters_file(str(path))
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:1:")


@pytest.mark.parametrize("text", ["Env", "=x", " =x"])
def test_bad_parameter_options(text: str) -> None:
    with pytest.raises(UsageError, match="expected NAME=VALUE"):
        parse_assignments([text])


def test_parameter_precedence_and_checks(tmp_path: Path) -> None:
    tpl = template(
        tmp_path,
        "WorkforceName: !Ref Env",
        head="Parameters:\n  Env: {Type: String, AllowedValues: [dev, prod, test], Default: dev}\n",
    )
    first = tmp_path / "first.json"
    first.write_text('["Env=prod"]')
    second = tmp_path / "second.json"
    second.write_text('{"Parameters": {"Env": "test"}}')

    def name(**options: Any) -> Any:
        (source,) = cloudformation_sources([str(tpl)], **options)
        return next(iter(source.records())).workforce["WorkforceName"]

    assert name() == "dev"
    assert name(parameter_files=[str(first)]) == "prod"
    assert name(parameter_files=[str(first), str(second)]) == "test"
    assert name(parameter_files=[str(second)], parameters=["Env=prod"]) == "prod"
    with pytest.raises(
        InputError,
        match="parameter Env: the value given by --parameter Env is not one of its AllowedValues",
    ):
        name(parameters=["Env=staging"])
    with pytest.raises(
        UsageError, match="--parameter Nope: no template declares a parameter 'Nope'"
    ):
        name(parameters=["Nope=x"])
    with pytest.raises(UsageError, match="need --cloudformation"):
        cloudformation_sources([], parameters=["Env=x"])


def test_the_region_option_places_plain_stacks(tmp_path: Path) -> None:
    tpl = template(tmp_path, "WorkforceName: x")
    for regions, expected in [
        (None, None),
        (["all"], None),
        (["all", "eu-west-1"], "eu-west-1"),
        ("us-east-1", "us-east-1"),
    ]:
        (source,) = cloudformation_sources([str(tpl)], region=regions)
        assert next(iter(source.records())).resource.region == expected
