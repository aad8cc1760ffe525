"""Terraform plan and state JSON -> records in the API shape, and the CLI around them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError, UsageError
from checker.model import Record
from checker.sources.terraform import TerraformSource, module_calls, terraform_sources
from tests.conftest import EXAMPLES, NOW
from tests.helpers import flat_results, run_cli

PLAN = EXAMPLES / "terraform" / "plan.json"
STATE = EXAMPLES / "terraform" / "state.json"
ROOT = "aws_sagemaker_workforce.annotators[0]"
CONTRACTORS = "aws_sagemaker_workforce.contractors"
PARTNERS = "aws_sagemaker_workforce.partners"
AP = 'module.labeling["ap"].aws_sagemaker_workforce.this'
CA = 'module.labeling["ca"].aws_sagemaker_workforce.this'
JP = 'module.labeling["jp"].aws_sagemaker_workforce.this'
SA = 'module.labeling["sa"].aws_sagemaker_workforce.this'
VENDOR = "module.vendor[0].aws_sagemaker_workforce.this"
PROVIDER = "registry.terraform.io/hashicorp/aws"


def example(name: str = "plan") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "terraform" / f"{name}.json").read_text())
    return data


def write(tmp_path: Path, data: Any, name: str = "plan.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return str(path)


def records(path: str | Path, **options: Any) -> dict[str, Record]:
    return {r.resource.address or "": r for r in TerraformSource(str(path), **options).records()}


def change(data: dict[str, Any], address: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["resource_changes"] if c["address"] == address)
    return found


def change_index(data: dict[str, Any], address: str) -> int:
    return next(i for i, c in enumerate(data["resource_changes"]) if c["address"] == address)


def workforce_change(
    address: str,
    actions: list[str],
    after: dict[str, Any] | None,
    *,
    module: str = "",
    after_unknown: Any = None,
    after_sensitive: Any = None,
    name: str = "main",
) -> dict[str, Any]:
    entry: dict[str, Any] = {"address": address}
    if module:
        entry["module_address"] = module
    entry.update(
        {
            "mode": "managed",
            "type": "aws_sagemaker_workforce",
            "name": name,
            "provider_name": PROVIDER,
            "change": {
                "actions": actions,
                "before": None,
                "after": after,
                "after_unknown": after_unknown or {},
                "before_sensitive": False,
                "after_sensitive": after_sensitive or {},
            },
        }
    )
    return entry


def plan_of(
    *changes: dict[str, Any], configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
    }
    if configuration is not None:
        plan["configuration"] = configuration
    return plan


COGNITO = {
    "workforce_name": "wf",
    "cognito_config": [{"client_id": "c1", "user_pool": "eu-west-1_AbC"}],
    "oidc_config": [],
    "source_ip_config": [{"cidrs": ["10.0.0.0/16"]}],
    "workforce_vpc_config": [],
}


# --- which resources a plan yields ------------------------------------------------------------


def test_example_plan_evaluates_every_workforce_that_exists_after_apply() -> None:
    found = records(PLAN)
    assert {address: r.resource.action for address, r in found.items()} == {
        ROOT: "update",
        CONTRACTORS: "create",
        PARTNERS: "create",
        AP: "create",
        CA: "replace",
        JP: "no-op",
        VENDOR: "create",
    }  # the delete (sa) and the Elastic IP: not
    assert SA not in found
    assert {r.resource.source for r in found.values()} == {str(PLAN)}
    assert {r.resource.source_kind for r in found.values()} == {"terraform"}
    assert found[JP].resource.arn == (
        "arn:aws:sagemaker:eu-west-1:111122223333:workforce/jp-labeling"
    )


def test_changed_only_leaves_out_what_the_plan_does_not_change() -> None:
    source = TerraformSource(str(PLAN), changed_only=True)
    assert JP not in {r.resource.address for r in source.records()}
    assert len(list(source.records())) == 6
    assert any("1 workforce(s) this plan leaves unchanged" in note for note in source.notes)


@pytest.mark.parametrize(
    ("actions", "importing", "action", "changed_only_keeps"),
    [
        (["create"], False, "create", True),
        (["update"], False, "update", True),
        (["delete", "create"], False, "replace", True),
        (["create", "delete"], False, "replace", True),
        (["create", "forget"], False, "replace", True),
        (["no-op"], False, "no-op", False),
        (["no-op"], True, "import", True),
        (["update"], True, "import", True),
        (["delete"], False, None, False),
        (["forget"], False, None, False),
    ],
)
def test_actions(
    tmp_path: Path,
    actions: list[str],
    importing: bool,
    action: str | None,
    changed_only_keeps: bool,
) -> None:
    after = None if action is None else COGNITO
    entry = workforce_change("aws_sagemaker_workforce.x", actions, after)
    if importing:
        entry["change"]["importing"] = {"id": "wf"}
    path = write(tmp_path, plan_of(entry))
    assert [r.resource.action for r in records(path).values()] == ([action] if action else [])
    kept = records(path, changed_only=True)
    assert bool(kept) is changed_only_keeps


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        (["frobnicate"], "an action list Terraform does not write"),
        ([], "an action list Terraform does not write"),
        (["create", "update"], "an action list Terraform does not write"),
        (["read"], "read is an action for data sources"),
    ],
)
def test_an_action_list_that_cannot_be_read_is_an_error(
    tmp_path: Path, actions: list[str], message: str
) -> None:
    path = write(tmp_path, plan_of(workforce_change("aws_sagemaker_workforce.x", actions, COGNITO)))
    with pytest.raises(InputError) as caught:
        TerraformSource(path)
    assert message in str(caught.value)
    assert "aws_sagemaker_workforce.x" in str(caught.value)


def test_forget_is_noted(tmp_path: Path) -> None:
    entry = workforce_change("aws_sagemaker_workforce.old", ["forget"], None)
    source = TerraformSource(write(tmp_path, plan_of(entry)))
    assert list(source.records()) == []
    assert any(
        "aws_sagemaker_workforce.old: forgotten by this plan" in note for note in source.notes
    )


def test_other_types_and_data_sources_are_ignored(tmp_path: Path) -> None:
    data_source = workforce_change("data.aws_sagemaker_workforce.x", ["read"], COGNITO)
    data_source["mode"] = "data"
    other = workforce_change("aws_sagemaker_workteam.x", ["create"], {"workteam_name": "t"})
    other["type"] = "aws_sagemaker_workteam"
    other["mode"] = "imaginary"  # the mode of another type is none of wfcheck's business
    ephemeral = workforce_change("ephemeral.aws_sagemaker_workforce.x", ["open"], COGNITO)
    ephemeral["mode"] = "ephemeral"  # OpenTofu: never stored, so never a workforce that exists
    path = write(tmp_path, plan_of(data_source, other, ephemeral))
    assert records(path) == {}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"type": 7}, "resource_changes[0].type: expected a resource type string, got a number"),
        ({"type": None}, "resource_changes[0].type: expected a resource type string, got null"),
        ({"mode": ["managed"]}, "resource_changes[0].mode (aws_sagemaker_workforce.x): expected"),
        ({"mode": "imaginary"}, 'expected "managed", "data" or "ephemeral"'),
        ({"address": 3}, "resource_changes[0].address: expected a non-empty string"),
        ({"name": None}, "resource_changes[0].name (aws_sagemaker_workforce.x)"),
    ],
)
def test_a_mode_or_type_that_cannot_be_read_is_an_error(
    tmp_path: Path, edit: dict[str, Any], message: str
) -> None:
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], COGNITO)
    entry.update(edit)
    with pytest.raises(InputError) as caught:
        TerraformSource(write(tmp_path, plan_of(entry)))
    assert message in str(caught.value)


def test_an_opentofu_plan_reads_like_terraforms(tmp_path: Path) -> None:
    """``tofu show -json`` writes Terraform's format with OpenTofu's registry in provider
    addresses and may list ephemeral resources; derived here from the real example plan."""
    text = PLAN.read_text().replace("registry.terraform.io/", "registry.opentofu.org/")
    data = json.loads(text)
    ephemeral = workforce_change("ephemeral.aws_sagemaker_workforce.x", ["open"], COGNITO)
    ephemeral["mode"] = "ephemeral"
    data["resource_changes"].append(ephemeral)
    tofu = records(write(tmp_path, data))
    terraform = records(PLAN)
    assert tofu.keys() == terraform.keys()
    for address, record in terraform.items():
        assert tofu[address].workforce == record.workforce
        assert tofu[address].resource.region == record.resource.region


def test_the_same_address_twice_is_an_error(tmp_path: Path) -> None:
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], COGNITO)
    with pytest.raises(InputError) as caught:
        TerraformSource(write(tmp_path, plan_of(entry, copy.deepcopy(entry))))
    assert "resource_changes[1] (aws_sagemaker_workforce.x): the same address as " in str(
        caught.value
    )


def test_plan_without_resource_changes_has_no_records(tmp_path: Path) -> None:
    path = write(tmp_path, {"format_version": "1.2", "planned_values": {"root_module": {}}})
    source = TerraformSource(path)
    assert list(source.records()) == []
    assert [(u.status, u.records, u.note) for u in source.units] == [("ok", 0, "terraform plan")]
    assert source.notes == []


# --- mapping onto the API shape ---------------------------------------------------------------


def test_create_maps_onto_the_api_shape_and_lists_unknowns() -> None:
    record = records(PLAN)[AP]
    assert record.workforce == {
        "WorkforceName": "ap-labeling",
        "OidcConfig": {
            "ClientId": "wfcheck-labeling",
            "Issuer": "https://login.example.com",
            "AuthorizationEndpoint": "https://login.example.com/oauth2/authorize",
            "TokenEndpoint": "https://login.example.com/oauth2/token",
            "UserInfoEndpoint": "https://login.example.com/oauth2/userinfo",
            "LogoutEndpoint": "https://login.example.com/logout",
            "JwksUri": "https://login.example.com/.well-known/jwks.json",
            "Scope": "openid email profile",
        },
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]},
        "WorkforceVpcConfig": {
            "VpcId": "vpc-0a1b2c3d4e5f60718",
            "SecurityGroupIds": ["sg-0a1b2c3d4e5f6071b"],
            "Subnets": ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"],
        },
    }
    assert record.unknown_paths == {"WorkforceArn", "SubDomain", "WorkforceVpcConfig.VpcEndpointId"}
    resource = record.resource
    assert (resource.arn, resource.account, resource.region) == (None, None, "eu-west-1")
    assert resource.name == "ap-labeling"
    assert resource.key == AP


def test_update_keeps_known_arn_account_and_subdomain() -> None:
    record = records(PLAN)[ROOT]
    assert record.workforce["WorkforceArn"] == (
        "arn:aws:sagemaker:eu-west-1:111122223333:workforce/annotators"
    )
    assert record.workforce["SubDomain"] == "q7x2k9w4ab.labeling.eu-west-1.sagemaker.aws"
    assert record.workforce["CognitoConfig"] == {
        "ClientId": "4p1ctfu2a1b2c3d4e5f6g7h8i9",
        "UserPool": "eu-west-1_AbC123xyz",
    }
    assert record.workforce["SourceIpConfig"] == {"Cidrs": ["0.0.0.0/0", "10.20.0.0/16"]}
    assert "OidcConfig" not in record.workforce  # oidc_config = [] means absent
    assert record.unknown_paths == frozenset()
    assert (record.resource.account, record.resource.region) == ("111122223333", "eu-west-1")


def test_replace_takes_the_new_object() -> None:
    record = records(PLAN)[CA]
    assert record.workforce["WorkforceName"] == "ca-labelers"
    assert "WorkforceArn" not in record.workforce
    assert "WorkforceArn" in record.unknown_paths


@pytest.mark.parametrize(
    "service_field", ["Status", "FailureReason", "CreateDate", "LastUpdatedDate", "IpAddressType"]
)
def test_fields_only_the_service_knows_are_absent_not_unknown(service_field: str) -> None:
    for record in records(PLAN).values():
        assert service_field not in record.workforce
        assert not any(p.startswith(service_field) for p in record.unknown_paths)


@pytest.mark.parametrize(
    ("after_unknown", "expected"),
    [
        ({"source_ip_config": [{"cidrs": True}]}, {"SourceIpConfig.Cidrs"}),
        ({"source_ip_config": [{"cidrs": [False, True]}]}, {"SourceIpConfig.Cidrs"}),
        ({"source_ip_config": True}, {"SourceIpConfig"}),
        ({"oidc_config": True}, {"OidcConfig"}),
        ({"cognito_config": [{"user_pool": True}]}, {"CognitoConfig.UserPool"}),
        ({"arn": True, "subdomain": True, "id": True}, {"WorkforceArn", "SubDomain"}),
        ({"workforce_name": True}, {"WorkforceName"}),
        ({"source_ip_config": [{"cidrs": [False]}], "cognito_config": [{}]}, set()),
    ],
)
def test_unknown_values_become_unknown_paths(
    tmp_path: Path, after_unknown: dict[str, Any], expected: set[str]
) -> None:
    """On an update: a create may fill in a block the configuration does not write."""
    after = copy.deepcopy(COGNITO)
    for key, marker in after_unknown.items():
        if marker is True:
            after.pop(key, None)
    after["source_ip_config"] = (
        [{"cidrs": ["10.0.0.0/16", None]}]
        if after_unknown.get("source_ip_config") == [{"cidrs": [False, True]}]
        else after.get("source_ip_config", [])
    )
    entry = workforce_change(
        "aws_sagemaker_workforce.x", ["update"], after, after_unknown=after_unknown
    )
    record = records(write(tmp_path, plan_of(entry)), default_region="eu-west-1")
    assert set(record["aws_sagemaker_workforce.x"].unknown_paths) == expected


def test_unknown_values_are_not_guessed(tmp_path: Path) -> None:
    after = dict(COGNITO, source_ip_config=[{"cidrs": ["10.0.0.0/16", None]}])
    entry = workforce_change(
        "aws_sagemaker_workforce.x",
        ["create"],
        after,
        after_unknown={"source_ip_config": [{"cidrs": [False, True]}]},
    )
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert "Cidrs" not in record.workforce["SourceIpConfig"]


@pytest.mark.parametrize(
    ("attribute", "value", "field"),
    [
        ("oidc_config", [], "OidcConfig"),
        ("workforce_vpc_config", [], "WorkforceVpcConfig"),
        ("source_ip_config", [], "SourceIpConfig"),
        ("cognito_config", None, "CognitoConfig"),
    ],
)
def test_empty_block_lists_mean_absent(
    tmp_path: Path, attribute: str, value: Any, field: str
) -> None:
    after = dict(COGNITO, **{attribute: value})
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], after)
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert field not in record.workforce


@pytest.mark.parametrize("block", ["source_ip_config", "oidc_config", "cognito_config"])
def test_a_block_the_provider_allows_once_written_twice_is_an_error(
    tmp_path: Path, block: str
) -> None:
    item = {"cidrs": ["10.0.0.0/16"]} if block == "source_ip_config" else {"client_id": "c"}
    after = dict(COGNITO, **{block: [item, copy.deepcopy(item)]})
    path = write(
        tmp_path, plan_of(workforce_change("aws_sagemaker_workforce.x", ["update"], after))
    )
    result = run_cli("scan", "--terraform", path, "--now", NOW)
    assert result.code == 2
    assert result.err.startswith(f"wfcheck: error: {path}:")
    assert (
        f"aws_sagemaker_workforce.x: {block}: 2 blocks, but the provider allows one" in result.err
    )


def test_empty_strings_and_maps_are_absent_and_lists_kept(tmp_path: Path) -> None:
    oidc = {
        "client_id": "c",
        "issuer": "https://idp.example.com",
        "scope": "",
        "logout_endpoint": "",
        "authentication_request_extra_params": {},
    }
    after = dict(COGNITO, cognito_config=[], oidc_config=[oidc], source_ip_config=[{"cidrs": []}])
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], after)
    workforce = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"].workforce
    assert workforce["OidcConfig"] == {"ClientId": "c", "Issuer": "https://idp.example.com"}
    assert workforce["SourceIpConfig"] == {"Cidrs": []}  # as the API reads back "unrestricted"


def test_extra_params_map_is_copied(tmp_path: Path) -> None:
    oidc = {
        "client_id": "c",
        "issuer": "https://idp.example.com",
        "authentication_request_extra_params": {"prompt": "login"},
    }
    after = dict(COGNITO, cognito_config=[], oidc_config=[oidc])
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], after)
    workforce = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"].workforce
    assert workforce["OidcConfig"]["AuthenticationRequestExtraParams"] == {"prompt": "login"}


# --- secrets and sensitive values ---------------------------------------------------------------


def test_client_secret_is_never_copied() -> None:
    for address, record in records(PLAN).items():
        assert "ClientSecret" not in json.dumps(record.workforce, default=str), address
        assert "client-secret" not in repr(record), address


def test_client_secret_is_dropped_even_when_not_marked_sensitive(tmp_path: Path) -> None:
    oidc = {"client_id": "c", "issuer": "https://idp.example.com", "client_secret": "hunter2xyz"}
    after = dict(COGNITO, cognito_config=[], oidc_config=[oidc])
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], after)
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert "hunter2xyz" not in repr(record)


@pytest.mark.parametrize("marker_key", ["after_sensitive", "before_sensitive"])
def test_values_marked_sensitive_are_read_and_listed(tmp_path: Path, marker_key: str) -> None:
    oidc = {"client_id": "c", "issuer": "https://sensitive-issuer.example.com"}
    after = dict(COGNITO, cognito_config=[], oidc_config=[oidc])
    entry = workforce_change("aws_sagemaker_workforce.x", ["update"], after)
    entry["change"][marker_key] = {"oidc_config": [{"issuer": True}]}
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert record.workforce["OidcConfig"]["Issuer"] == "https://sensitive-issuer.example.com"
    assert record.sensitive_paths == {"OidcConfig.Issuer"}
    assert "OidcConfig.Issuer" not in record.unknown_paths


def test_whole_resource_marked_sensitive_is_read_and_never_named(tmp_path: Path) -> None:
    after = dict(COGNITO, arn="arn:aws:sagemaker:eu-west-1:111122223333:workforce/wf")
    entry = workforce_change("aws_sagemaker_workforce.x", ["update"], after, after_sensitive=True)
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert record.workforce["CognitoConfig"]["UserPool"] == "eu-west-1_AbC"
    assert record.sensitive_paths == {
        "WorkforceName",
        "WorkforceArn",
        "CognitoConfig.UserPool",
        "CognitoConfig.ClientId",
        "SourceIpConfig.Cidrs",
    }
    resource = record.resource
    assert (resource.name, resource.arn, resource.account) == (None, None, None)
    assert resource.key == "aws_sagemaker_workforce.x"  # fingerprints use the address


def test_a_whole_sensitive_block_marks_every_value_in_it(tmp_path: Path) -> None:
    after = dict(COGNITO, source_ip_config=[{"cidrs": ["0.0.0.0/0"]}])
    entry = workforce_change(
        "aws_sagemaker_workforce.x", ["update"], after, after_sensitive={"source_ip_config": True}
    )
    record = records(write(tmp_path, plan_of(entry)))["aws_sagemaker_workforce.x"]
    assert record.workforce["SourceIpConfig"] == {"Cidrs": ["0.0.0.0/0"]}
    assert record.sensitive_paths == {"SourceIpConfig.Cidrs"}


def test_a_sensitive_region_is_not_shown_as_the_region(tmp_path: Path) -> None:
    after = dict(COGNITO, region="ap-hidden-1")
    entry = workforce_change(
        "aws_sagemaker_workforce.x", ["create"], after, after_sensitive={"region": True}
    )
    record = records(write(tmp_path, plan_of(entry)), default_region="eu-west-1")[
        "aws_sagemaker_workforce.x"
    ]
    assert record.resource.region is None
    assert "_region" in record.unknown_paths
    assert "sensitive" in record.unknown_reason("_region")


def test_state_sensitive_values_are_read_and_listed(tmp_path: Path) -> None:
    state = example("state")
    resource = next(r for r in state["values"]["root_module"]["resources"] if r["address"] == ROOT)
    resource["sensitive_values"] = {"cognito_config": [{"user_pool": True}]}
    record = records(write(tmp_path, state, "state.json"))[ROOT]
    assert record.workforce["CognitoConfig"]["UserPool"] == "eu-west-1_AbC123xyz"
    assert record.sensitive_paths == {"CognitoConfig.UserPool"}


# --- addresses and modules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_address", "calls"),
    [
        ("", ()),
        ("module.labeling", ("labeling",)),
        ('module.labeling["eu"]', ("labeling",)),
        ('module.a["x.y"].module.b[0].module.c', ("a", "b", "c")),
        ('module.a["q\\"uote"]', ("a",)),
    ],
)
def test_module_calls(module_address: str, calls: tuple[str, ...]) -> None:
    assert module_calls(module_address) == calls


def test_nested_modules_with_count_and_for_each(tmp_path: Path) -> None:
    address = 'module.team["eu"].module.portal[1].aws_sagemaker_workforce.this["main"]'
    entry = workforce_change(
        address, ["create"], COGNITO, module='module.team["eu"].module.portal[1]', name="this"
    )
    configuration = {
        "provider_config": {
            "aws": {
                "name": "aws",
                "full_name": PROVIDER,
                "expressions": {"region": {"constant_value": "eu-central-1"}},
            }
        },
        "root_module": {
            "module_calls": {
                "team": {
                    "module": {
                        "module_calls": {
                            "portal": {
                                "module": {
                                    "resources": [
                                        {
                                            "address": "aws_sagemaker_workforce.this",
                                            "mode": "managed",
                                            "type": "aws_sagemaker_workforce",
                                            "name": "this",
                                            "provider_config_key": "aws",
                                        }
                                    ]
                                }
                            }
                        }
                    }
                }
            }
        },
    }
    record = records(write(tmp_path, plan_of(entry, configuration=configuration)))[address]
    assert record.resource.address == address
    assert record.resource.region == "eu-central-1"


# --- region -----------------------------------------------------------------------------------


def _region_case(
    tmp_path: Path,
    *,
    after_extra: dict[str, Any],
    after_unknown: dict[str, Any],
    key: str | None,
    providers: dict[str, Any],
    module: str = "",
    default_region: str | None = None,
) -> Record:
    address = (module + "." if module else "") + "aws_sagemaker_workforce.main"
    entry = workforce_change(
        address,
        ["create"],
        dict(COGNITO, **after_extra),
        module=module,
        after_unknown=after_unknown,
    )
    resource = {
        "address": "aws_sagemaker_workforce.main",
        "mode": "managed",
        "type": "aws_sagemaker_workforce",
        "name": "main",
    }
    if key is not None:
        resource["provider_config_key"] = key
    module_tree: dict[str, Any] = {"resources": [resource]}
    for call in reversed(module_calls(module)):
        module_tree = {"module_calls": {call: {"source": "./m", "module": module_tree}}}
    configuration = {"provider_config": providers, "root_module": module_tree}
    path = write(tmp_path, plan_of(entry, configuration=configuration))
    return records(path, default_region=default_region)[address]


def _provider(region: str | None, alias: str = "", module: str = "") -> dict[str, Any]:
    config: dict[str, Any] = {"name": "aws", "full_name": PROVIDER}
    if alias:
        config["alias"] = alias
    if module:
        config["module_address"] = module
    if region is not None:
        config["expressions"] = {"region": {"constant_value": region}}
    return config


ARN = "arn:aws:sagemaker:sa-east-1:444455556666:workforce/wf"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            dict(
                after_extra={"region": "eu-north-1", "arn": ARN},
                after_unknown={},
                key="aws",
                providers={"aws": _provider("eu-west-1")},
            ),
            "eu-north-1",
        ),
        (
            dict(
                after_extra={"arn": ARN},
                after_unknown={},
                key="aws",
                providers={"aws": _provider("eu-west-1")},
            ),
            "sa-east-1",
        ),
        (
            dict(
                after_extra={},
                after_unknown={"arn": True},
                key="aws",
                providers={"aws": _provider("eu-west-1")},
            ),
            "eu-west-1",
        ),
        (
            dict(
                after_extra={},
                after_unknown={"arn": True},
                key="aws.us",
                providers={"aws": _provider("eu-west-1"), "aws.us": _provider("us-east-1", "us")},
            ),
            "us-east-1",
        ),
        (
            dict(
                after_extra={},
                after_unknown={},
                key="module.labeling:aws",
                module="module.labeling",
                providers={
                    "aws": _provider("eu-west-1"),
                    "module.labeling:aws": _provider("ap-south-1", module="module.labeling"),
                },
            ),
            "ap-south-1",
        ),
        # Terraform before 1.1 kept the module-local key of an inherited provider, without a region
        (
            dict(
                after_extra={},
                after_unknown={},
                key="module.a.module.b:aws",
                module='module.a["x"].module.b[0]',
                providers={
                    "aws": _provider("eu-west-1"),
                    "module.a.module.b:aws": _provider(None, module="module.a.module.b"),
                },
            ),
            "eu-west-1",
        ),
        # a passed provider Terraform has already resolved to the parent's aliased configuration
        (
            dict(
                after_extra={},
                after_unknown={},
                key="aws.us",
                module="module.vendor[0]",
                providers={"aws": _provider("eu-west-1"), "aws.us": _provider("us-east-1", "us")},
            ),
            "us-east-1",
        ),
        # no configuration entry for the resource: the module's default provider, then upwards
        (
            dict(
                after_extra={},
                after_unknown={},
                key=None,
                module="module.m",
                providers={"aws": _provider("eu-west-3")},
            ),
            "eu-west-3",
        ),
        (
            dict(
                after_extra={},
                after_unknown={},
                key="aws",
                providers={
                    "aws": {
                        "name": "aws",
                        "full_name": PROVIDER,
                        "expressions": {"region": {"references": ["var.region"]}},
                    }
                },
                default_region="me-south-1",
            ),
            "me-south-1",
        ),
        (
            dict(
                after_extra={},
                after_unknown={},
                key="aws",
                providers={},
                default_region="me-south-1",
            ),
            "me-south-1",
        ),
        (
            dict(
                after_extra={},
                after_unknown={},
                key="aws",
                providers={"aws": dict(_provider("eu-west-1"), full_name="example.com/other/aws")},
                default_region="me-south-1",
            ),
            "me-south-1",
        ),
    ],
)
def test_region_fallbacks(tmp_path: Path, case: dict[str, Any], expected: str) -> None:
    record = _region_case(tmp_path, **case)
    assert record.resource.region == expected
    assert "_region" not in record.unknown_paths


@pytest.mark.parametrize(
    "configuration",
    [
        [],
        {"provider_config": [], "root_module": []},
        {"provider_config": {"aws": []}, "root_module": {"module_calls": []}},
        {
            "provider_config": {"aws": {"expressions": {"region": []}}},
            "root_module": {"resources": {}},
        },
        {
            "provider_config": {"aws": {"expressions": {"region": {"constant_value": 7}}}},
            "root_module": {
                "resources": [
                    "x",
                    {"address": "aws_sagemaker_workforce.x", "provider_config_key": 3},
                ]
            },
        },
    ],
)
def test_an_odd_configuration_only_loses_the_provider_region(
    tmp_path: Path, configuration: Any
) -> None:
    """configuration is read only for a region fallback: its shape never stops a scan."""
    entry = workforce_change(
        'module.m["k"].aws_sagemaker_workforce.x',
        ["create"],
        COGNITO,
        module='module.m["k"]',
        name="x",
    )
    plan = plan_of(entry)
    plan["configuration"] = configuration
    found = records(write(tmp_path, plan), default_region="eu-south-1")
    assert [r.resource.region for r in found.values()] == ["eu-south-1"]


def test_region_unresolvable_is_unknown(tmp_path: Path) -> None:
    record = _region_case(
        tmp_path, after_extra={}, after_unknown={"arn": True}, key="aws", providers={}
    )
    assert record.resource.region is None
    assert "_region" in record.unknown_paths


def test_unknown_region_attribute_is_not_replaced_by_a_fallback(tmp_path: Path) -> None:
    record = _region_case(
        tmp_path,
        after_extra={},
        after_unknown={"region": True},
        key="aws",
        providers={"aws": _provider("eu-west-1")},
        default_region="us-west-2",
    )
    assert record.resource.region is None
    assert "_region" in record.unknown_paths


def test_first_region_option_is_the_default(tmp_path: Path) -> None:
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], COGNITO)
    path = write(tmp_path, plan_of(entry))
    (source,) = terraform_sources([path], regions=["all", "eu-south-1", "eu-south-2"])
    assert [r.resource.region for r in source.records()] == ["eu-south-1"]
    (source,) = terraform_sources([path], regions=None)
    assert [r.resource.region for r in source.records()] == [None]


def test_cli_region_option_is_the_last_fallback(tmp_path: Path) -> None:
    entry = workforce_change("aws_sagemaker_workforce.x", ["create"], COGNITO)
    path = write(tmp_path, plan_of(entry))
    result = run_cli(
        "scan",
        "--terraform",
        path,
        "--region",
        "eu-south-1",
        "--region",
        "eu-south-2",
        "--format",
        "json",
        "--now",
        NOW,
    )
    regions = {r["resource"]["region"] for r in flat_results(json.loads(result.out))}
    assert regions == {"eu-south-1"}


# --- state ------------------------------------------------------------------------------------


def test_state_reads_root_and_child_modules() -> None:
    found = records(STATE)
    assert list(found) == [ROOT, CONTRACTORS, PARTNERS, AP, CA, JP, VENDOR]
    assert all(not r.unknown_paths for r in found.values())
    assert {r.resource.action for r in found.values()} == {None}
    ap = found[AP]
    assert ap.workforce["WorkforceVpcConfig"]["VpcEndpointId"] == "vpce-0a1b2c3d4e5f6071c"
    assert (ap.resource.account, ap.resource.region) == ("111122223333", "eu-west-1")
    assert found[VENDOR].workforce["SourceIpConfig"] == {"Cidrs": ["52.0.113.7/32"]}
    assert found[VENDOR].resource.region == "us-east-1"
    assert found[CONTRACTORS].workforce["SourceIpConfig"] == {"Cidrs": []}  # as AWS reads back
    assert found[PARTNERS].sensitive_paths == {"SourceIpConfig.Cidrs"}
    assert TerraformSource(str(STATE)).units[0].note == "terraform state"


def test_state_nested_child_modules(tmp_path: Path) -> None:
    values = dict(COGNITO, arn=ARN)
    resource = {
        "address": 'module.a.module.b["k"].aws_sagemaker_workforce.w',
        "mode": "managed",
        "type": "aws_sagemaker_workforce",
        "name": "w",
        "provider_name": PROVIDER,
        "values": values,
        "sensitive_values": {},
    }
    state = {
        "format_version": "1.0",
        "values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.a",
                        "child_modules": [
                            {"address": 'module.a.module.b["k"]', "resources": [resource]}
                        ],
                    }
                ]
            }
        },
    }
    found = records(write(tmp_path, state, "state.json"))
    assert list(found) == ['module.a.module.b["k"].aws_sagemaker_workforce.w']


@pytest.mark.parametrize(
    "state", [{"format_version": "1.0"}, {"format_version": "1.0", "values": {}}]
)
def test_empty_state(tmp_path: Path, state: dict[str, Any]) -> None:
    assert records(write(tmp_path, state, "state.json")) == {}


# --- through the CLI --------------------------------------------------------------------------


def _scan(*argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", *argv, "--format", "json", "--now", NOW)
    return result.code, json.loads(result.out) if result.out else {}, result.err


def _statuses(report: dict[str, Any], address: str) -> dict[str, tuple[str, str]]:
    return {
        r["rule_id"]: (r["status"], r["path"])
        for r in flat_results(report)
        if r["resource"]["address"] == address
    }


def test_cli_unknowns_get_status_unknown_with_the_path() -> None:
    code, report, _ = _scan("--terraform", str(PLAN))
    vendor = _statuses(report, VENDOR)
    for rule in ("WF010", "WF011", "WF012", "WF014"):
        assert vendor[rule] == ("unknown", "SourceIpConfig.Cidrs")
    message = next(
        r["message"]
        for r in flat_results(report)
        if r["resource"]["address"] == VENDOR and r["rule_id"] == "WF010"
    )
    assert "SourceIpConfig.Cidrs" in message and "after apply" in message
    assert _statuses(report, AP)["WF021"][0] == "skip"  # VpcEndpointId unknown, Status absent
    assert _statuses(report, ROOT)["WF011"][0] == "fail"
    assert code == 1


@pytest.mark.parametrize(("flags", "code"), [((), 0), (("--fail-on-unknown",), 1)])
def test_cli_fail_on_unknown(tmp_path: Path, flags: tuple[str, ...], code: int) -> None:
    plan = example()
    plan["resource_changes"] = [change(plan, VENDOR)]  # its CIDRs are known only after apply
    result = run_cli(
        "scan",
        "--terraform",
        write(tmp_path, plan),
        "--rule",
        "WF01*",
        "--skip-rule",
        "WF011",
        "--skip-rule",
        "WF012",
        "--skip-rule",
        "WF014",
        *flags,
        "--now",
        NOW,
        "--format",
        "json",
    )
    statuses = {r["status"] for r in json.loads(result.out)["results"]}
    assert "unknown" in statuses and "fail" not in statuses
    assert result.code == code, result.err


def test_cli_results_name_the_terraform_address_and_plan_file() -> None:
    _, report, _ = _scan("--terraform", str(PLAN))
    resources = {r["resource"]["address"]: r["resource"] for r in flat_results(report)}
    assert resources[VENDOR]["source"] == str(PLAN)
    assert resources[ROOT]["arn"].endswith(":workforce/annotators")
    assert any(r["fingerprint"] == f"WF010:{VENDOR}" for r in flat_results(report))


def test_cli_repeatable_and_mixed_with_input(tmp_path: Path) -> None:
    api = tmp_path / "api.json"
    api.write_text(
        json.dumps(
            {
                "Workforce": {
                    "WorkforceName": "live",
                    "WorkforceArn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/live",
                }
            }
        )
    )
    code, report, err = _scan(
        "--terraform", str(PLAN), "--terraform", str(STATE), "--input", str(api)
    )
    assert code == 1 and "error" not in err
    assert report["sources"] == [str(api), str(PLAN), str(STATE)]
    assert report["summary"]["records"] == 7 + 7 + 1


def test_cli_stdin(tmp_path: Path) -> None:
    result = run_cli(
        "scan", "--terraform", "-", "--format", "json", "--now", NOW, stdin=PLAN.read_text()
    )
    report = json.loads(result.out)
    assert report["summary"]["records"] == 7
    assert {r["resource"]["source"] for r in flat_results(report)} == {"stdin"}


def test_cli_stdin_only_once() -> None:
    result = run_cli("scan", "--terraform", "-", "--input", "-", stdin="{}")
    assert result.code == 2
    assert "stdin" in result.err
    with pytest.raises(UsageError):
        terraform_sources(["-", "-"])


# --- malformed documents ----------------------------------------------------------------------


def _mutate(edit: Any) -> dict[str, Any]:
    data = example()
    edit(data)
    return data


MALFORMED: list[tuple[str, Any, str]] = [
    (
        "invalid-json",
        '{"format_version": "1.2",\n  "resource_changes": [,]}',
        "plan.json:2:24: invalid JSON",
    ),
    ("truncated", PLAN.read_text()[:500], "invalid JSON"),
    ("not-an-object", "[1, 2]", "expected the JSON object terraform show -json writes"),
    ("no-format-version", {"resource_changes": []}, "no format_version"),
    (
        "opentofu-encrypted",
        {"serial": 1, "meta": {"key_provider.pbkdf2.k": "e30="}, "encrypted_data": "AAAA"},
        "an encrypted OpenTofu plan or state: show it with its key",
    ),
    ("format-version-number", {"format_version": 1.2}, "format_version: expected a string"),
    (
        "format-version-major",
        {"format_version": "2.0", "resource_changes": []},
        "unsupported format_version 2.0",
    ),
    (
        "resource-changes-object",
        {"format_version": "1.2", "resource_changes": {}},
        "resource_changes: expected a list",
    ),
    (
        "change-entry-string",
        {"format_version": "1.2", "resource_changes": ["x"]},
        "resource_changes[0]: expected an object",
    ),
    (
        "change-not-object",
        _mutate(lambda d: change(d, AP).update(change=[])),
        f"resource_changes[{change_index(example(), AP)}].change ({AP}): expected an object",
    ),
    (
        "actions-string",
        _mutate(lambda d: change(d, AP)["change"].update(actions="create")),
        "change.actions",
    ),
    (
        "after-null",
        _mutate(lambda d: change(d, AP)["change"].update(after=None)),
        "expected an object for an object that exists after apply",
    ),
    (
        "after-unknown-list",
        _mutate(lambda d: change(d, AP)["change"].update(after_unknown=[])),
        "after_unknown",
    ),
    (
        "oidc-object",
        _mutate(lambda d: change(d, AP)["change"]["after"].update(oidc_config={})),
        f"{AP}: oidc_config: expected a list of one object, got an object",
    ),
    (
        "cidrs-string",
        _mutate(
            lambda d: change(d, ROOT)["change"]["after"].update(
                source_ip_config=[{"cidrs": "10.0.0.0/8"}]
            )
        ),
        "source_ip_config[0].cidrs: expected a list of strings, got a string",
    ),
    (
        "name-number",
        _mutate(lambda d: change(d, ROOT)["change"]["after"].update(workforce_name=7)),
        "workforce_name: expected a string, got a number",
    ),
    ("state-values-list", {"format_version": "1.0", "values": []}, "values: expected an object"),
    (
        "state-children-object",
        {"format_version": "1.0", "values": {"root_module": {"child_modules": {}}}},
        "values.root_module.child_modules: expected a list",
    ),
    (
        "state-resource-values",
        {
            "format_version": "1.0",
            "values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "aws_sagemaker_workforce.x",
                            "mode": "managed",
                            "type": "aws_sagemaker_workforce",
                            "name": "x",
                            "values": "x",
                        }
                    ]
                }
            },
        },
        "values.root_module.resources[0].values",
    ),
]


@pytest.mark.parametrize(
    ("data", "expected"), [(d, e) for _, d, e in MALFORMED], ids=[name for name, _, _ in MALFORMED]
)
def test_malformed_document_exits_2_with_one_line(tmp_path: Path, data: Any, expected: str) -> None:
    path = write(tmp_path, data)
    result = run_cli("scan", "--terraform", path, "--now", NOW)
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"wfcheck: error: {path}")
    assert expected in lines[0]
    assert "Traceback" not in result.err


def test_deeply_nested_markers_are_an_input_error(tmp_path: Path) -> None:
    marker: Any = True
    for _ in range(900):
        marker = [marker]
    entry = workforce_change(
        "aws_sagemaker_workforce.x", ["create"], COGNITO, after_unknown={"source_ip_config": marker}
    )
    result = run_cli("scan", "--terraform", write(tmp_path, plan_of(entry)))
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith(f"wfcheck: error: {tmp_path / 'plan.json'}:")
    assert line.endswith(
        "resource_changes[0].change.after_unknown (aws_sagemaker_workforce.x): "
        "nested deeper than 32 levels"
    )


def test_structural_errors_name_the_line_of_the_resource(tmp_path: Path) -> None:
    data = _mutate(lambda d: change(d, AP)["change"]["after"].update(oidc_config={}))
    path = write(tmp_path, data)
    text = Path(path).read_text().splitlines()
    with pytest.raises(InputError) as caught:
        TerraformSource(path)
    line = caught.value.line
    assert line is not None
    assert json.dumps(AP) in text[line - 1] and '"address"' in text[line - 1]
    changes_start = next(i for i, t in enumerate(text, 1) if '"resource_changes"' in t)
    assert line > changes_start  # the change entry, not the planned_values entry above it


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("scan", "--terraform", str(tmp_path / "nope.json"))
    assert result.code == 2
    assert "nope.json" in result.err and "cannot read" in result.err


# --- wfcheck validate -------------------------------------------------------------------------


def test_validate_reads_plans_and_states_as_terraform(tmp_path: Path) -> None:
    result = run_cli("validate", str(PLAN), str(STATE))
    assert result.code == 0, result.err
    bad = write(tmp_path, _mutate(lambda d: change(d, AP)["change"].update(actions="create")))
    result = run_cli("validate", bad)
    assert result.code == 2
    assert f"{bad}:" in result.err and "change.actions" in result.err
