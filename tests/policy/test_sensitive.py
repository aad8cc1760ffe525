"""Sensitive values: evaluated like any value, explained without them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.engine import evaluate
from checker.files.timestamps import parse_timestamp
from checker.model import Record, Resource, Result, Status
from checker.policy.loader import BUILTIN, load_policies
from checker.policy.sensitive import SENSITIVE, masked_error
from tests.conftest import NOW

ISSUER = "https://idp.example.com"
OIDC = {
    "Issuer": ISSUER,
    "AuthorizationEndpoint": f"{ISSUER}/authorize",
    "TokenEndpoint": f"{ISSUER}/token",
    "UserInfoEndpoint": f"{ISSUER}/userinfo",
    "LogoutEndpoint": f"{ISSUER}/logout",
    "JwksUri": f"{ISSUER}/jwks",
    "ClientId": "c",
    "Scope": "openid",
}


def results(
    workforce: dict[str, Any],
    sensitive: set[str] = frozenset(),  # type: ignore[assignment]
    defaults: dict[str, str] | None = None,
    *overrides: str,
) -> dict[str, Result]:
    policies = load_policies([BUILTIN], overrides=overrides)
    resource = Resource(
        None, "x", None, "eu-west-1", "plan.json", "terraform", "aws_sagemaker_workforce.x"
    )
    record = Record(
        workforce, resource, sensitive_paths=frozenset(sensitive), default_reasons=defaults or {}
    )
    moment = parse_timestamp(NOW)
    assert moment is not None
    return {r.rule_id: r for r in evaluate([record], policies.rules, moment)}


@pytest.mark.parametrize(
    ("workforce", "sensitive", "rule", "message"),
    [
        (
            {"SourceIpConfig": {"Cidrs": ["10.0.0.0/16", "0.0.0.0/0"]}},
            {"SourceIpConfig.Cidrs"},
            "WF011",
            f"an item of SourceIpConfig.Cidrs {SENSITIVE} does not satisfy cidr_prefix_at_least "
            "(IPv4 /1, IPv6 /1)",
        ),
        (
            {"SourceIpConfig": {"Cidrs": []}},
            {"SourceIpConfig.Cidrs"},
            "WF010",
            f"SourceIpConfig.Cidrs {SENSITIVE} does not satisfy not_empty",
        ),
        (
            {"OidcConfig": dict(OIDC, TokenEndpoint="https://sink.example/t")},
            {"OidcConfig.Issuer"},
            "WF033",
            # the leaf comparing with the sensitive issuer is masked, whichever side it is on
            "none of the alternatives holds: (1) OidcConfig.TokenEndpoint (sensitive) does not "
            "satisfy url_same_host_as OidcConfig.Issuer; (2) OidcConfig.TokenEndpoint "
            '"https://sink.example/t" is on host "sink.example", which is not one of []; (3) '
            "OidcConfig.TokenEndpoint is present; expected it to be absent",
        ),
        (
            {"OidcConfig": dict(OIDC, Scope="email")},
            {"OidcConfig.Scope"},
            "WF034",
            f"OidcConfig.Scope {SENSITIVE} does not satisfy matches /(^|[\\s,])openid([\\s,]|$)/",
        ),
        (
            {"CognitoConfig": {"UserPool": "us-east-1_A"}, "OidcConfig": OIDC},
            {"OidcConfig.Issuer"},
            "WF030",  # absent on OidcConfig would print the block with the issuer in it
            "none of the alternatives holds: (1) OidcConfig (sensitive) does not satisfy absent; "
            "(2) CognitoConfig is present; expected it to be absent",
        ),
    ],
)
def test_a_condition_on_a_sensitive_value_explains_itself_without_it(
    workforce: dict[str, Any], sensitive: set[str], rule: str, message: str
) -> None:
    result = results({"WorkforceName": "x", **workforce}, sensitive)[rule]
    assert result.status is Status.FAIL
    assert result.message == message


def test_verdicts_are_those_of_the_plain_values() -> None:
    workforce = {
        "WorkforceName": "x",
        "SourceIpConfig": {"Cidrs": ["10.1.2.3/16", "0.0.0.0/0"]},
        "OidcConfig": dict(OIDC, Scope="email", LogoutEndpoint="http://evil.example/out"),
    }
    every = {"SourceIpConfig.Cidrs", *(f"OidcConfig.{key}" for key in OIDC)}
    plain = results(workforce, set(), None, "allowed_cidrs=10.0.0.0/8")
    masked = results(workforce, every, None, "allowed_cidrs=10.0.0.0/8")
    assert {k: r.status for k, r in plain.items()} == {k: r.status for k, r in masked.items()}
    assert sum(r.status is Status.FAIL for r in masked.values()) >= 6
    for result in masked.values():
        for value in ("10.1.2.3", '"0.0.0.0/0"', "evil.example", '"email"', "10.1.0.0"):
            assert value not in result.message, (result.rule_id, result.message)


def test_a_rule_that_reads_nothing_sensitive_keeps_its_message() -> None:
    workforce = {
        "WorkforceName": "x",
        "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
        "OidcConfig": OIDC,
    }
    masked = results(workforce, {"OidcConfig.Scope"})["WF011"]
    assert masked.message == (
        'SourceIpConfig.Cidrs[0] "0.0.0.0/0" admits every IPv4 address (prefix /0)'
    )


def test_evidence_from_a_sensitive_path_is_masked() -> None:
    workforce = {"WorkforceName": "x", "Status": "Failed", "FailureReason": "subnet-secret-9 gone"}
    result = results(workforce, {"FailureReason"})["WF001"]
    assert result.status is Status.FAIL
    assert result.evidence == (("FailureReason", SENSITIVE),)
    assert result.message == f'Workforce status is "Failed"; FailureReason: {SENSITIVE}'


def test_an_error_on_a_sensitive_value_shows_only_the_exception_type() -> None:
    outcome = masked_error(ValueError("'203.0.113.9/99' does not appear to be a network"), "P")
    assert outcome == (
        Status.ERROR,
        "could not evaluate: ValueError (details not shown: the rule reads a value marked "
        "(sensitive))",
        "P",
        (),
    )


def test_a_defaulted_value_leads_the_failure_with_its_reason() -> None:
    reason = "source_ip_config is not set in the configuration, so AWS creates it open"
    found = results(
        {"WorkforceName": "x", "SourceIpConfig": {"Cidrs": []}}, set(), {"SourceIpConfig": reason}
    )
    assert found["WF010"].message == (
        f"{reason}: SourceIpConfig.Cidrs is []: the worker portal admits every IP address "
        "(expected at least one CIDR)"
    )
    assert found["WF011"].status is Status.SKIP  # no CIDR list: WF010 owns the finding


def test_a_message_template_never_shows_a_sensitive_value(tmp_path: Path) -> None:
    """A condition on a plain field whose message quotes a sensitive one is masked too."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: T1\n    title: t\n    severity: low\n"
        "    assert:\n      path: Status\n      op: equals\n      value: Active\n"
        "      message: 'status {Status}; cidrs {SourceIpConfig.Cidrs}'\n"
        "  - id: T2\n    title: t\n    severity: low\n"
        "    assert:\n      all:\n        - {path: Status, op: equals, value: Active}\n"
        "      message: 'cidrs {SourceIpConfig.Cidrs}'\n"
    )
    rules = load_policies([str(policy)]).rules
    workforce = {
        "WorkforceName": "x",
        "Status": "Failed",
        "SourceIpConfig": {"Cidrs": ["198.51.100.7/32"]},
    }
    resource = Resource(None, "x", None, "eu-west-1", "plan.json", "terraform", "a.x")
    moment = parse_timestamp(NOW)
    assert moment is not None
    for sensitive in (frozenset({"SourceIpConfig.Cidrs"}), frozenset()):
        record = Record(workforce, resource, sensitive_paths=sensitive)
        found = {r.rule_id: r for r in evaluate([record], rules, moment)}
        for rule_id in ("T1", "T2"):
            assert found[rule_id].status is Status.FAIL
            # shown when not sensitive (so the test can fail), never when it is
            assert ("198.51.100.7" in found[rule_id].message) is not bool(sensitive)
