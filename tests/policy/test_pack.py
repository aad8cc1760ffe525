"""The bundled pack says each thing once, in words written for a person.

Each test here is a "Why" of issue 12 that failed before: five findings for one missing CIDR
list, WF020's sentence four times, WF014's message twice, and messages that read like the
expressions behind them.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from checker.engine import evaluate
from checker.model import Result, Status
from checker.policy.loader import BUILTIN, load_policies
from checker.related import kinds_read
from checker.sources.base import make_record
from tests.conftest import EXAMPLES

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
VARS = [
    "allowed_cidrs=203.0.113.0/24",
    "allowed_vpc_ids=vpc-1",
    'allowed_oidc_issuers=["https://idp.example.com"]',
    "allowed_cognito_user_pools=eu-west-1_AbC",
    "require_private_cidrs=true",
]
ARN = "arn:aws:sagemaker:eu-west-1:111111111111:workforce/w"
OIDC = {
    "ClientId": "c",
    "Issuer": "https://idp.example.com",
    "AuthorizationEndpoint": "https://idp.example.com/authorize",
    "TokenEndpoint": "https://idp.example.com/token",
    "UserInfoEndpoint": "https://idp.example.com/userinfo",
    "LogoutEndpoint": "https://idp.example.com/logout",
    "JwksUri": "https://idp.example.com/keys",
    "Scope": "openid email",
}
VPC = {
    "VpcId": "vpc-1",
    "SecurityGroupIds": ["sg-1"],
    "Subnets": ["subnet-1", "subnet-2"],
    "VpcEndpointId": "vpce-1",
}


def results(workforce: dict[str, Any], *overrides: str) -> dict[str, Result]:
    rules = load_policies([BUILTIN], overrides=[*VARS, *overrides]).rules
    base = {"WorkforceName": "w", "WorkforceArn": ARN, "Status": "Active"}
    record = make_record({**base, **workforce}, source="t", source_kind="file")
    return {result.rule_id: result for result in evaluate([record], rules, NOW)}


def failing(found: dict[str, Result]) -> dict[str, str]:
    return {rule: result.message for rule, result in found.items() if result.status is Status.FAIL}


@pytest.mark.parametrize(
    "source_ip", [{}, {"SourceIpConfig": {"Cidrs": []}}, {"SourceIpConfig": {}}]
)
def test_no_cidr_list_is_one_finding(source_ip: dict[str, Any]) -> None:
    found = results({"CognitoConfig": {"UserPool": "eu-west-1_AbC"}, **source_ip})
    network = {rule: message for rule, message in failing(found).items() if rule < "WF020"}
    assert list(network) == ["WF010"]
    for rule in ("WF011", "WF012", "WF013", "WF014"):
        assert found[rule].status is Status.SKIP
        assert found[rule].message == "not applicable: there is no CIDR list (WF010 reports that)"


def test_a_missing_vpc_config_is_said_once() -> None:
    found = results({"SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]}, "OidcConfig": OIDC})
    assert (
        found["WF020"].message
        == "Workforce is not connected to a VPC (WorkforceVpcConfig is absent)"
    )


def test_a_malformed_cidr_is_said_once_per_rule() -> None:
    found = results({"SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "garbage"]}})
    assert found["WF014"].message == (
        'SourceIpConfig.Cidrs[1] "garbage" is not a valid CIDR (expected address/prefix, such as '
        "203.0.113.0/24)"
    )


CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "WF001",
        {"Status": "Failed", "FailureReason": "subnet-1 does not exist"},
        'Workforce status is "Failed"; FailureReason: "subnet-1 does not exist"',
    ),
    (
        "WF002",
        {"Status": "Updating", "LastUpdatedDate": "2026-11-20T00:00:00Z"},
        'Workforce has been "Updating" since 2026-11-20T00:00:00Z (last update, else creation); '
        "expected the transition to finish within 24 hours",
    ),
    (
        "WF010",
        {"SourceIpConfig": {"Cidrs": []}},
        "SourceIpConfig.Cidrs is []: the worker portal admits every IP address (expected at least "
        "one CIDR)",
    ),
    (
        "WF011",
        {"SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "0.0.0.0/0"]}},
        'SourceIpConfig.Cidrs[1] "0.0.0.0/0" admits every IPv4 address (prefix /0)',
    ),
    (
        "WF012",
        {"SourceIpConfig": {"Cidrs": ["10.0.0.0/8"]}},
        'SourceIpConfig.Cidrs[0] "10.0.0.0/8" admits 16,777,216 addresses (prefix /8); expected '
        "/16 or narrower",
    ),
    (
        "WF013",
        {"SourceIpConfig": {"Cidrs": ["198.51.100.0/24", "192.0.2.0/24"]}},
        'SourceIpConfig.Cidrs[0] "198.51.100.0/24" and [1] "192.0.2.0/24": each is outside the '
        'allowed ranges ["203.0.113.0/24"]',
    ),
    (
        "WF014",
        {"SourceIpConfig": {"Cidrs": ["203.0.113.0/24", "203.0.113.0/24"]}},
        'SourceIpConfig.Cidrs[1] "203.0.113.0/24" is the same network as item [0] "203.0.113.0/24"',
    ),
    (
        "WF015",
        {"IpAddressType": "dualstack", "SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]}},
        'Workforce is dual-stack but SourceIpConfig.Cidrs ["203.0.113.0/24"] lists no IPv6 range '
        "(expected at least one IPv6 CIDR)",
    ),
    (
        "WF020",
        {"WorkforceVpcConfig": {"VpcId": "vpc-1", "Subnets": ["s"], "SecurityGroupIds": []}},
        "WorkforceVpcConfig.SecurityGroupIds has 0 items; expected at least 1",
    ),
    (
        "WF021",
        {"WorkforceVpcConfig": {**VPC, "VpcEndpointId": None}},
        'Workforce is Active and connected to VPC "vpc-1" but has no VPC endpoint '
        "(WorkforceVpcConfig.VpcEndpointId is absent)",
    ),
    (
        "WF022",
        {"WorkforceVpcConfig": {**VPC, "Subnets": ["subnet-1"]}},
        "WorkforceVpcConfig.Subnets has 1 item; expected at least 2",
    ),
    (
        "WF023",
        {"WorkforceVpcConfig": {**VPC, "VpcId": "vpc-9"}},
        'WorkforceVpcConfig.VpcId "vpc-9" is not one of ["vpc-1"]',
    ),
    (
        "WF024",
        {"WorkforceVpcConfig": VPC, "SourceIpConfig": {"Cidrs": []}},
        'Workforce is connected to VPC "vpc-1" but SourceIpConfig.Cidrs is []: its portal URL '
        "still admits every IP address on the internet (expected the CIDRs workers connect from)",
    ),
    (
        "WF025",
        {"WorkforceVpcConfig": VPC, "SourceIpConfig": {"Cidrs": ["10.1.0.0/16", "203.0.113.0/24"]}},
        'SourceIpConfig.Cidrs[1] "203.0.113.0/24" is outside the allowed ranges ["10.0.0.0/8", '
        '"172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]',
    ),
    (
        "WF030",
        {"OidcConfig": OIDC, "CognitoConfig": {"UserPool": "eu-west-1_AbC"}},
        "Workforce has 2 identity providers configured (expected exactly one of CognitoConfig and "
        "OidcConfig)",
    ),
    (
        "WF031",
        {"OidcConfig": {**OIDC, "Issuer": "https://evil.example"}},
        'OidcConfig.Issuer "https://evil.example" is not one of ["https://idp.example.com"]',
    ),
    (
        "WF032",
        {"OidcConfig": {**OIDC, "TokenEndpoint": "http://idp.example.com/token"}},
        'OidcConfig.TokenEndpoint "http://idp.example.com/token" uses http; expected https',
    ),
    (
        "WF033",
        {
            "OidcConfig": {
                **OIDC,
                "TokenEndpoint": "https://tokens.example.net/t",
                "JwksUri": "https://keys.example.org/k",
            }
        },
        'OidcConfig.TokenEndpoint is on host "tokens.example.net"; OidcConfig.JwksUri is on host '
        '"keys.example.org"; expected the issuer\'s host "idp.example.com" or one in '
        "allowed_oidc_hosts []",
    ),
    (
        "WF034",
        {"OidcConfig": {**OIDC, "Scope": "email profile"}},
        'OidcConfig.Scope "email profile" does not include the openid scope',
    ),
    (
        "WF035",
        {"CognitoConfig": {"UserPool": "eu-west-1_Other"}},
        'CognitoConfig.UserPool "eu-west-1_Other" is not one of ["eu-west-1_AbC"]',
    ),
    (
        "WF036",
        {"CognitoConfig": {"UserPool": "us-east-1_AbC"}},
        'Cognito user pool "us-east-1_AbC" is in "us-east-1", workforce is in "eu-west-1"',
    ),
]


def test_every_bundled_rule_has_a_message_case() -> None:
    """Rules on related resources: their messages are checked in tests/policy/test_related.py."""
    assert sorted(rule for rule, _, _ in CASES) == sorted(
        rule.info.id for rule in load_policies([BUILTIN]).rules if not kinds_read(rule.reads)
    )


@pytest.mark.parametrize(("rule", "workforce", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_says_what_was_found_and_what_was_expected(
    rule: str, workforce: dict[str, Any], message: str
) -> None:
    found = results({"SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]}, **workforce})
    assert found[rule].status is Status.FAIL, found[rule].message
    assert found[rule].message == message


INTERNAL = (
    "||",
    "split(",
    "url_host(",
    "_region",
    " satisfies ",
    "none of the alternatives",
    "\x1f",
)


def test_no_message_reads_like_an_expression_or_repeats_itself() -> None:
    """Every failure and skip of the pack on the examples and the cases above."""
    data = json.loads((EXAMPLES / "workforces.json").read_text())
    workforces = [*data["Workforces"]] + [
        {"WorkforceName": "w", "WorkforceArn": ARN, "Status": "Active", **workforce}
        for _, workforce, _ in CASES
    ]
    records = [make_record(w, source="t", source_kind="file") for w in workforces]
    rules = load_policies([BUILTIN], overrides=VARS).rules
    checked = 0
    for result in evaluate(records, rules, NOW):
        if result.status not in (Status.FAIL, Status.SKIP):
            continue
        checked += 1
        for fragment in INTERNAL:
            assert fragment not in result.message, (result.rule_id, result.message)
        sentences = result.message.removeprefix("not applicable: ").split("; ")
        assert len(sentences) == len(set(sentences)), (result.rule_id, result.message)
    assert checked > 100
