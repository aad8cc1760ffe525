"""Rules on records with values unknown until apply: unknown only when known values can't decide."""

from __future__ import annotations

from typing import Any

import pytest

from checker.engine import evaluate
from checker.files.timestamps import parse_timestamp
from checker.model import Status
from checker.policy.loader import BUILTIN, load_policies
from checker.sources.base import make_record
from tests.conftest import NOW

OIDC = {
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/jwks",
    "ClientId": "c",
    "Scope": "openid",
}


def _statuses(
    workforce: dict[str, Any], unknown: set[str], *overrides: str
) -> dict[str, tuple[Status, str]]:
    policies = load_policies([BUILTIN], overrides=overrides)
    record = make_record(
        workforce,
        source="plan.json",
        source_kind="terraform",
        region="eu-west-1",
        address="aws_sagemaker_workforce.x",
        unknown_paths=frozenset(unknown),
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    return {r.rule_id: (r.status, r.path) for r in evaluate([record], policies.rules, moment)}


def _oidc(**changes: Any) -> dict[str, Any]:
    config = dict(OIDC)
    for key, value in changes.items():
        if value is None:
            config.pop(key)
        else:
            config[key] = value
    return {
        "WorkforceName": "x",
        "OidcConfig": config,
        "SourceIpConfig": {"Cidrs": ["10.0.0.0/16"]},
    }


@pytest.mark.parametrize(
    ("workforce", "unknown", "rule", "expected"),
    [
        # a rule that reads the unknown value, and nothing decides it otherwise
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF032", (Status.UNKNOWN, "OidcConfig.Issuer")),
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF033", (Status.UNKNOWN, "OidcConfig.Issuer")),
        # a known part of an all decides it, and only the known part is named
        (
            _oidc(Issuer=None, LogoutEndpoint="http://idp.example.com/logout"),
            {"OidcConfig.Issuer"},
            "WF032",
            (Status.FAIL, "OidcConfig.LogoutEndpoint"),
        ),
        (
            _oidc(TokenEndpoint=None, JwksUri="http://idp.example.com/jwks"),
            {"OidcConfig.TokenEndpoint"},
            "WF032",
            (Status.FAIL, "OidcConfig.JwksUri"),
        ),
        (_oidc(Issuer=None), {"OidcConfig.AuthorizationEndpoint"}, "WF031", (Status.SKIP, "")),
        # presence of a block is known when only values inside it are unknown
        (_oidc(Issuer=None), {"OidcConfig.Issuer"}, "WF030", (Status.PASS, "CognitoConfig")),
        # the whole block unknown: its presence is unknown too
        ({"WorkforceName": "x"}, {"OidcConfig"}, "WF030", (Status.UNKNOWN, "OidcConfig")),
        ({"WorkforceName": "x"}, {"OidcConfig"}, "WF032", (Status.UNKNOWN, "OidcConfig")),
        # a when that known values make false skips, whatever the assertion reads
        (
            {
                "WorkforceName": "x",
                "WorkforceVpcConfig": {
                    "VpcId": "vpc-1",
                    "Subnets": ["s-1", "s-2"],
                    "SecurityGroupIds": ["sg-1"],
                },
            },
            {"WorkforceVpcConfig.VpcEndpointId"},
            "WF021",
            (Status.SKIP, "Status"),
        ),
        (_oidc(), {"WorkforceVpcConfig"}, "WF010", (Status.PASS, "SourceIpConfig.Cidrs")),
        # a value read through another path (same_as _region) is a dependency as well
        (
            {"WorkforceName": "x", "CognitoConfig": {"UserPool": "eu-west-1_A", "ClientId": "c"}},
            {"_region"},
            "WF036",
            (Status.UNKNOWN, "_region"),
        ),
        # a when that depends on the unknown value is unknown
        (_oidc(Scope=None), {"OidcConfig.Scope"}, "WF034", (Status.UNKNOWN, "OidcConfig.Scope")),
        # cidrs unknown: every CIDR rule is unknown, a rule with an unset var still skips
        (
            {"WorkforceName": "x", "SourceIpConfig": {}},
            {"SourceIpConfig.Cidrs"},
            "WF011",
            (Status.UNKNOWN, "SourceIpConfig.Cidrs"),
        ),
        (
            {"WorkforceName": "x", "SourceIpConfig": {}},
            {"SourceIpConfig.Cidrs"},
            "WF013",
            (Status.SKIP, ""),
        ),
    ],
)
def test_unknown_decisions(
    workforce: dict[str, Any], unknown: set[str], rule: str, expected: tuple[Status, str]
) -> None:
    assert _statuses(workforce, unknown)[rule] == expected


def test_var_dependent_rule_with_unknown_value_is_unknown_once_the_var_is_set() -> None:
    statuses = _statuses(
        {"WorkforceName": "x", "SourceIpConfig": {}},
        {"SourceIpConfig.Cidrs"},
        "allowed_cidrs=10.0.0.0/8",
    )
    assert statuses["WF013"] == (Status.UNKNOWN, "SourceIpConfig.Cidrs")


def test_every_bundled_rule_reading_an_unknown_block_is_unknown_or_skipped() -> None:
    """With every block unknown nothing the configuration says may pass or fail."""
    unknown = {"CognitoConfig", "OidcConfig", "SourceIpConfig", "WorkforceVpcConfig", "_region"}
    statuses = _statuses(
        {"WorkforceName": "x", "IpAddressType": "dualstack"},  # WF015 applies
        unknown,
        "allowed_cidrs=10.0.0.0/8",
        "allowed_vpc_ids=vpc-1",
        "allowed_oidc_issuers=https://idp.example.com",
        "allowed_cognito_user_pools=eu-west-1_A",
        "require_private_cidrs=true",  # WF025 applies
    )
    service_only = {"WF001", "WF002", "WF021"}  # Status and dates: absent in a plan
    for rule, (status, path) in statuses.items():
        if rule in service_only:
            continue
        assert status is Status.UNKNOWN, (rule, status)
        assert path in unknown, rule


def test_a_decided_failure_names_only_known_values() -> None:
    policies = load_policies([BUILTIN])
    workforce = _oidc(Issuer=None, TokenEndpoint=None, LogoutEndpoint="http://idp.example.com/out")
    record = make_record(
        workforce,
        source="plan.json",
        source_kind="terraform",
        region="eu-west-1",
        address="aws_sagemaker_workforce.x",
        unknown_paths=frozenset({"OidcConfig.Issuer", "OidcConfig.TokenEndpoint"}),
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    (result,) = [r for r in evaluate([record], policies.rules, moment) if r.rule_id == "WF032"]
    assert result.status is Status.FAIL
    assert "LogoutEndpoint" in result.message
    assert "Issuer" not in result.message and "TokenEndpoint" not in result.message
