"""One workforce, three ways in (API record, snapshot, Terraform plan): the same verdicts, also
when the plan marks every value sensitive (evaluated, never shown).

Only rules about what the service alone knows (Status, FailureReason, dates, IpAddressType) may
differ: a plan cannot know them. Which rules those are is derived from the fields each rule reads,
not listed by hand, so a new rule is compared automatically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.policy.loader import BUILTIN, load_policies
from tests.conftest import NOW
from tests.helpers import flat_results, run_cli

SERVICE_ONLY = ("Status", "FailureReason", "CreateDate", "LastUpdatedDate", "IpAddressType")
VARS = (
    "allowed_cidrs=10.0.0.0/8,203.0.113.0/24",
    "allowed_vpc_ids=vpc-0123456789abcdef0",
    "allowed_oidc_issuers=https://login.example.com",
    "allowed_cognito_user_pools=eu-west-1_AbC123xyz",
)

WORKFORCES: dict[str, dict[str, Any]] = {
    "cognito-vpc": {
        "WorkforceName": "cognito-vpc",
        "WorkforceArn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/cognito-vpc",
        "LastUpdatedDate": "2026-11-01T10:00:00Z",
        "CreateDate": "2026-10-01T10:00:00Z",
        "SourceIpConfig": {"Cidrs": ["10.1.0.0/16", "203.0.113.0/24"]},
        "SubDomain": "abc123.labeling.eu-west-1.sagemaker.aws",
        "CognitoConfig": {"UserPool": "eu-west-1_AbC123xyz", "ClientId": "client1"},
        "WorkforceVpcConfig": {
            "VpcId": "vpc-0123456789abcdef0",
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "Subnets": ["subnet-01", "subnet-02"],
            "VpcEndpointId": "vpce-0123456789abcdef0",
        },
        "Status": "Active",
    },
    "oidc-open": {
        "WorkforceName": "oidc-open",
        "WorkforceArn": "arn:aws:sagemaker:us-east-1:111122223333:workforce/oidc-open",
        "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
        "OidcConfig": {
            "ClientId": "portal",
            "Issuer": "https://idp.evil.example",
            "AuthorizationEndpoint": "http://idp.evil.example/authorize",
            "TokenEndpoint": "https://tokens.elsewhere.example/token",
            "UserInfoEndpoint": "https://idp.evil.example/userinfo",
            "LogoutEndpoint": "https://idp.evil.example/logout",
            "JwksUri": "https://idp.evil.example/jwks",
            "Scope": "email profile",
            "AuthenticationRequestExtraParams": {"prompt": "login"},
        },
        "Status": "Failed",
        "FailureReason": "subnet not found",
    },
    "oidc-vpc": {
        "WorkforceName": "oidc-vpc",
        "WorkforceArn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/oidc-vpc",
        "SourceIpConfig": {"Cidrs": ["10.1.2.3/16", "10.1.0.0/24", "198.51.100.0/24"]},
        "OidcConfig": {
            "ClientId": "portal",
            "Issuer": "https://login.example.com",
            "AuthorizationEndpoint": "https://login.example.com/authorize",
            "TokenEndpoint": "https://login.example.com/token",
            "UserInfoEndpoint": "https://login.example.com/userinfo",
            "LogoutEndpoint": "https://login.example.com/logout",
            "JwksUri": "https://login.example.com/jwks",
            "Scope": "openid email",
        },
        "WorkforceVpcConfig": {
            "VpcId": "vpc-0fff",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1"],
        },
        "Status": "Updating",
        "LastUpdatedDate": "2026-11-20T00:00:00Z",
    },
    "cognito-unrestricted": {
        "WorkforceName": "cognito-unrestricted",
        "WorkforceArn": "arn:aws:sagemaker:eu-west-1:111122223333:workforce/cognito-unrestricted",
        "SourceIpConfig": {"Cidrs": []},
        "CognitoConfig": {"UserPool": "us-west-2_Other", "ClientId": "client2"},
        "Status": "Active",
    },
}

BLOCKS = {
    "CognitoConfig": ("cognito_config", {"UserPool": "user_pool", "ClientId": "client_id"}),
    "OidcConfig": (
        "oidc_config",
        {
            "ClientId": "client_id",
            "Issuer": "issuer",
            "AuthorizationEndpoint": "authorization_endpoint",
            "TokenEndpoint": "token_endpoint",
            "UserInfoEndpoint": "user_info_endpoint",
            "LogoutEndpoint": "logout_endpoint",
            "JwksUri": "jwks_uri",
            "Scope": "scope",
            "AuthenticationRequestExtraParams": "authentication_request_extra_params",
        },
    ),
    "SourceIpConfig": ("source_ip_config", {"Cidrs": "cidrs"}),
    "WorkforceVpcConfig": (
        "workforce_vpc_config",
        {
            "VpcId": "vpc_id",
            "SecurityGroupIds": "security_group_ids",
            "Subnets": "subnets",
            "VpcEndpointId": "vpc_endpoint_id",
        },
    ),
}


def as_terraform(workforce: dict[str, Any]) -> dict[str, Any]:
    """The aws_sagemaker_workforce attributes Terraform would hold for this workforce."""
    after: dict[str, Any] = {
        "arn": workforce["WorkforceArn"],
        "id": workforce["WorkforceName"],
        "workforce_name": workforce["WorkforceName"],
        "subdomain": workforce.get("SubDomain", ""),
    }
    for field, (block, leaves) in BLOCKS.items():
        value = workforce.get(field)
        if value is None:
            after[block] = []
            continue
        item = {attribute: value.get(name) for name, attribute in leaves.items()}
        if block == "oidc_config":
            item["client_secret"] = "same-verdict-secret"
        after[block] = [item]
    return after


def as_plan(workforce: dict[str, Any], sensitive: bool = False) -> dict[str, Any]:
    after = as_terraform(workforce)
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "resource_changes": [
            {
                "address": "aws_sagemaker_workforce.this",
                "mode": "managed",
                "type": "aws_sagemaker_workforce",
                "name": "this",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {
                    "actions": ["update"],
                    "before": after,
                    "after": after,
                    "after_unknown": {},
                    "before_sensitive": {},
                    "after_sensitive": True
                    if sensitive
                    else {"oidc_config": [{"client_secret": True}] if after["oidc_config"] else []},
                },
            }
        ],
    }


def as_snapshot(workforce: dict[str, Any]) -> dict[str, Any]:
    _, _, _, region, account, _ = workforce["WorkforceArn"].split(":", 5)
    return {
        "schema_version": 1,
        "records": [{"account": account, "region": region, "workforce": workforce}],
    }


def statuses(option: str, path: Path, *extra: str) -> dict[str, str]:
    overrides = [arg for var in VARS for arg in ("--var", var)]
    result = run_cli(
        "scan", option, str(path), *overrides, *extra, "--format", "json", "--now", NOW
    )
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    assert report["summary"]["records"] == 1
    return {r["rule_id"]: r["status"] for r in flat_results(report)}


def plan_cannot_know() -> set[str]:
    rules = load_policies([BUILTIN], overrides=VARS).rules
    return {
        rule.info.id
        for rule in rules
        if any(field.split(".")[0] in SERVICE_ONLY for field in rule.fields)
    }


def test_service_only_rules_are_the_status_and_date_rules() -> None:
    assert plan_cannot_know() == {"WF001", "WF002", "WF015", "WF021"}  # WF015: IpAddressType


@pytest.mark.parametrize("sensitive", [False, True], ids=["plain", "all-sensitive"])
@pytest.mark.parametrize("name", sorted(WORKFORCES))
def test_same_verdict_from_api_snapshot_and_plan(
    tmp_path: Path, name: str, sensitive: bool
) -> None:
    workforce = WORKFORCES[name]
    api, snapshot, plan = tmp_path / "api.json", tmp_path / "snap.json", tmp_path / "plan.json"
    api.write_text(json.dumps({"Workforce": workforce}))
    snapshot.write_text(json.dumps(as_snapshot(workforce)))
    plan.write_text(json.dumps(as_plan(workforce, sensitive)))

    from_api = statuses("--input", api)
    from_snapshot = statuses("--input", snapshot)
    region = workforce["WorkforceArn"].split(":")[3]  # a sensitive ARN does not give it
    from_plan = statuses("--terraform", plan, "--region", region)
    assert from_api == from_snapshot
    skipped = plan_cannot_know()
    compared = sorted(set(from_api) - skipped)
    assert len(compared) == len(from_api) - len(skipped) >= 15
    assert {r: from_plan[r] for r in compared} == {r: from_api[r] for r in compared}
    assert "unknown" not in from_plan.values()


def test_the_cases_exercise_both_verdicts(tmp_path: Path) -> None:
    """Guard against a vacuous comparison: across the cases, compared rules both pass and fail."""
    seen: dict[str, set[str]] = {}
    for name, workforce in WORKFORCES.items():
        plan = tmp_path / f"{name}.json"
        plan.write_text(json.dumps(as_plan(workforce)))
        for rule, status in statuses("--terraform", plan).items():
            seen.setdefault(rule, set()).add(status)
    compared = set(seen) - plan_cannot_know()
    assert sum(1 for rule in compared if {"pass", "fail"} <= seen[rule]) >= 10
