"""``awscc_sagemaker_workforce`` (the AWS Cloud Control provider): CloudFormation's properties
in snake_case as nested attributes, read from plans, states and ``.tf`` files like the AWS
provider's resource.

The AWS Cloud Control provider is not in this machine's provider mirror, so these plans are
written by hand in the shape Terraform's JSON encoder gives a plugin-framework resource: a
``SingleNestedAttribute`` is one object (not a list of one, as an SDKv2 block is), and every
Optional + Computed attribute a create leaves out is ``true`` in ``after_unknown``
(terraform-provider-awscc internal/aws/sagemaker/workforce_resource_gen.go).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.model import Record
from checker.sources.terraform import TerraformSource
from checker.sources.terraform.static import StaticTerraformSource
from tests.helpers import flat_results, run_cli

PROVIDER = "registry.terraform.io/hashicorp/awscc"
ADDRESS = "awscc_sagemaker_workforce.main"
ARN = "arn:aws:sagemaker:eu-west-1:123456789012:workforce/cc"
LEFT_OUT_ON_CREATE = (
    "cognito_config",
    "oidc_config",
    "source_ip_config",
    "workforce_vpc_config",
    "ip_address_type",
    "tags",
)


def change(after: dict[str, Any], actions: tuple[str, ...] = ("create",)) -> dict[str, Any]:
    """One awscc change; on create, what ``after`` leaves out is unknown, as the provider plans
    an Optional + Computed attribute it was not given."""
    creates = "create" in actions
    unknown: dict[str, Any] = {"id": True, "workforce_arn": True, "sub_domain": True}
    if not creates:
        unknown = {}
    for name in LEFT_OUT_ON_CREATE:
        if name in after:
            unknown[name] = {}
        elif creates:
            unknown[name] = True
    return {
        "address": ADDRESS,
        "mode": "managed",
        "type": "awscc_sagemaker_workforce",
        "name": "main",
        "provider_name": PROVIDER,
        "change": {
            "actions": list(actions),
            "before": None if creates else after,
            "after": after,
            "after_unknown": unknown,
            "before_sensitive": False,
            "after_sensitive": {},
        },
    }


def plan(*changes: dict[str, Any], written: tuple[str, ...] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {}},
        "resource_changes": list(changes),
        "configuration": {
            "provider_config": {
                "awscc": {
                    "name": "awscc",
                    "full_name": PROVIDER,
                    "expressions": {"region": {"constant_value": "eu-west-1"}},
                }
            },
            "root_module": {
                "resources": [
                    {
                        "address": ADDRESS,
                        "mode": "managed",
                        "type": "awscc_sagemaker_workforce",
                        "name": "main",
                        "provider_config_key": "awscc",
                        "expressions": {name: {"constant_value": None} for name in (written or ())},
                    }
                ]
            },
        },
    }
    return data


COGNITO = {"client_id": "client", "user_pool": "eu-west-1_Pool"}


def read(tmp_path: Path, data: dict[str, Any]) -> Record:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    (record,) = TerraformSource(str(path)).records()
    return record


def test_a_plan_maps_nested_attributes_onto_the_api_shape(tmp_path: Path) -> None:
    after = {
        "workforce_name": "cc",
        "cognito_config": COGNITO,
        "source_ip_config": {"cidrs": ["0.0.0.0/0"]},
        "workforce_vpc_config": {
            "vpc_id": "vpc-1",
            "security_group_ids": ["sg-1"],
            "subnets": ["subnet-1"],
        },
        "ip_address_type": "dualstack",
    }
    record = read(tmp_path, plan(change(after), written=tuple(after)))
    assert record.workforce["SourceIpConfig"] == {"Cidrs": ["0.0.0.0/0"]}
    assert record.workforce["CognitoConfig"] == {"ClientId": "client", "UserPool": "eu-west-1_Pool"}
    assert record.workforce["WorkforceVpcConfig"]["SecurityGroupIds"] == ["sg-1"]
    assert record.workforce["IpAddressType"] == "dualstack"
    assert record.resource.region == "eu-west-1"  # the awscc provider's own configuration
    assert {"WorkforceArn", "SubDomain"} <= record.unknown_paths
    assert "OidcConfig" not in record.unknown_paths  # AWS creates none: not configured


def test_a_create_that_leaves_attributes_out_gets_what_aws_creates(tmp_path: Path) -> None:
    record = read(
        tmp_path,
        plan(
            change({"workforce_name": "cc", "cognito_config": COGNITO}),
            written=("workforce_name", "cognito_config"),
        ),
    )
    assert record.workforce["SourceIpConfig"] == {"Cidrs": []}
    assert record.workforce["IpAddressType"] == "ipv4"
    assert "OidcConfig" not in record.workforce
    assert not {"SourceIpConfig", "IpAddressType", "OidcConfig"} & record.unknown_paths
    assert (
        "AWS creates the workforce with no source IP restriction"
        in (record.default_reasons["SourceIpConfig"])
    )


def test_an_attribute_written_with_values_known_after_apply_stays_unknown(
    tmp_path: Path,
) -> None:
    record = read(
        tmp_path,
        plan(
            change({"workforce_name": "cc", "cognito_config": COGNITO}),
            written=("workforce_name", "cognito_config", "source_ip_config"),
        ),
    )
    assert "SourceIpConfig" in record.unknown_paths


def test_an_update_keeps_the_known_values(tmp_path: Path) -> None:
    after = {
        "workforce_name": "cc",
        "workforce_arn": "arn:aws:sagemaker:ap-south-1:123456789012:workforce/cc",
        "sub_domain": "abc.labeling.ap-south-1.sagemaker.aws",
        "cognito_config": COGNITO,
        "source_ip_config": {"cidrs": ["10.0.0.0/16"]},
        "oidc_config": None,
        "workforce_vpc_config": None,
        "ip_address_type": "ipv4",
    }
    record = read(tmp_path, plan(change(after, ("update",)), written=("workforce_name",)))
    assert record.resource.account == "123456789012"
    assert record.resource.region == "ap-south-1"  # the ARN's region over the provider's
    assert record.workforce["SubDomain"] == after["sub_domain"]
    assert "OidcConfig" not in record.workforce and not record.unknown_paths


def test_a_block_shaped_value_is_an_error_naming_the_attribute(tmp_path: Path) -> None:
    after = {"workforce_name": "cc", "source_ip_config": [{"cidrs": ["10.0.0.0/16"]}]}
    with pytest.raises(InputError) as caught:
        read(tmp_path, plan(change(after)))
    assert f"{ADDRESS}: source_ip_config: expected an object, got a list" in str(caught.value)


def test_the_client_secret_is_never_read(tmp_path: Path) -> None:
    oidc = {"client_id": "c", "client_secret": "s3cr3t-value", "issuer": "https://idp.example"}
    record = read(tmp_path, plan(change({"workforce_name": "cc", "oidc_config": oidc})))
    assert record.workforce["OidcConfig"] == {"ClientId": "c", "Issuer": "https://idp.example"}
    assert "s3cr3t" not in json.dumps(record.workforce)


def test_a_state_reads_awscc_workforces(tmp_path: Path) -> None:
    state = {
        "format_version": "1.0",
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": ADDRESS,
                        "mode": "managed",
                        "type": "awscc_sagemaker_workforce",
                        "name": "main",
                        "provider_name": PROVIDER,
                        "values": {
                            "workforce_name": "cc",
                            "workforce_arn": ARN,
                            "source_ip_config": {"cidrs": ["192.0.2.0/24"]},
                            "cognito_config": COGNITO,
                        },
                        "sensitive_values": {"source_ip_config": {"cidrs": [False]}},
                    }
                ]
            }
        },
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    (record,) = TerraformSource(str(path)).records()
    assert record.workforce["SourceIpConfig"] == {"Cidrs": ["192.0.2.0/24"]}
    assert record.resource.arn == ARN


# --- .tf files without a plan -----------------------------------------------------------------

STATIC = """
terraform {
  required_providers {
    awscc = { source = "hashicorp/awscc" }
  }
}
provider "awscc" {
  region = "eu-west-1"
}
variable "cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}
variable "secret" {
  type      = string
  sensitive = true
  default   = "never-shown-secret"
}
variable "issuer_host" {
  type      = string
  sensitive = true
  default   = "idp.example.com"
}
locals {
  vpc = { vpc_id = "vpc-1", security_group_ids = ["sg-1"], subnets = ["subnet-1"] }
}
resource "awscc_sagemaker_workforce" "open" {
  workforce_name = "cc-open"
  source_ip_config = {
    cidrs = var.cidrs
  }
  workforce_vpc_config = local.vpc
  oidc_config = {
    client_id              = "cid"
    client_secret          = var.secret
    issuer                 = "https://${var.issuer_host}"
    authorization_endpoint = "https://idp.example.com/auth"
    token_endpoint         = "https://idp.example.com/token"
    user_info_endpoint     = "https://idp.example.com/userinfo"
    logout_endpoint        = "https://idp.example.com/logout"
    jwks_uri               = "https://idp.example.com/jwks"
  }
}
resource "awscc_sagemaker_workforce" "left_out" {
  workforce_name = "cc-default"
  cognito_config = {
    user_pool = "eu-west-1_Pool"
    client_id = "client"
  }
}
"""


def static_records(tmp_path: Path) -> dict[str, Record]:
    (tmp_path / "main.tf").write_text(STATIC)
    source = StaticTerraformSource(str(tmp_path), environ={})
    return {record.resource.address or "": record for record in source.records()}


def test_tf_files_evaluate_nested_attributes_element_by_element(tmp_path: Path) -> None:
    found = static_records(tmp_path)
    open_ = found["awscc_sagemaker_workforce.open"]
    assert open_.workforce["SourceIpConfig"] == {"Cidrs": ["0.0.0.0/0"]}
    assert open_.workforce["WorkforceVpcConfig"]["VpcId"] == "vpc-1"  # a whole-object value
    assert open_.resource.region == "eu-west-1"
    # the sensitive issuer is sensitive; the secret beside it taints no other element
    assert open_.sensitive_paths == {"OidcConfig.Issuer"}
    assert open_.workforce["OidcConfig"]["ClientId"] == "cid"
    assert "ClientSecret" not in open_.workforce["OidcConfig"]
    left_out = found["awscc_sagemaker_workforce.left_out"]
    assert left_out.workforce["SourceIpConfig"] == {"Cidrs": []}
    assert left_out.workforce["IpAddressType"] == "ipv4"


def test_tf_files_scan_gives_the_plan_verdicts_and_never_shows_secrets(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(STATIC)
    result = run_cli("scan", str(tmp_path), "--format", "json", "--now", "2026-12-01")
    assert result.code == 1, result.err
    verdicts = {
        (item["resource"]["address"], item["rule_id"]): item["status"]
        for item in flat_results(json.loads(result.out))
    }
    assert verdicts["awscc_sagemaker_workforce.open", "WF011"] == "fail"
    assert verdicts["awscc_sagemaker_workforce.left_out", "WF010"] == "fail"
    assert verdicts["awscc_sagemaker_workforce.open", "WF020"] == "pass"
    assert "never-shown-secret" not in result.out + result.err
    assert 'idp.example.com"' not in result.out  # the sensitive issuer is not printed
