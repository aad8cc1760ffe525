"""The related-resource rules (policies/related.yaml) name the resource they judge."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from checker.engine import evaluate
from checker.model import Status
from checker.policy.loader import BUILTIN, load_policies
from checker.related import kinds_read
from checker.sources.base import make_record
from tests.conftest import ROOT

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
RECORDS = ROOT / "policies" / "tests" / "records" / "related.json"

NAMED = {
    "WF040": 'Work teams ["bad-open"] do not restrict S3 presigned URLs',
    "WF041": 'user pools ["us-east-2_BadPool22", "us-east-2_OtherPool"]',
    "WF042": 'Work teams ["bad-open"] have no notification topic',
    "WF050": 'User pool "us-east-2_BadPool22" has MfaConfiguration "OPTIONAL" (expected ON)',
    "WF051": 'User pool "us-east-2_BadPool22" lets users sign themselves up',
    "WF052": 'User pool "us-east-2_BadPool22" allows passwords of 8 characters',
    "WF053": 'User pool "us-east-2_BadPool22" is on the "ESSENTIALS" tier',
    "WF054": 'App client "2badclient3456789" reveals whether a user exists',
    "WF060": 'Security groups ["sg-0a1b2c3d4e5f6b001"] admit ingress from ["0.0.0.0/0"',
    "WF061": 'Subnets ["subnet-0a1b2c3d4e5f6b001", "subnet-0a1b2c3d4e5f6b002"] sit in',
    "WF062": 'VPC endpoint "vpce-0a1b2c3d4e5f6b001" is "pending" (expected available)',
}


def _bad() -> dict[str, object]:
    workforces = json.loads(RECORDS.read_text(encoding="utf-8"))["Workforces"]
    (bad,) = [w for w in workforces if w["WorkforceName"] == "related-bad"]
    return dict(bad)


def test_the_table_names_every_related_rule() -> None:
    rules = load_policies([BUILTIN]).rules
    assert set(NAMED) == {rule.info.id for rule in rules if kinds_read(rule.reads)}


@pytest.mark.parametrize("rule_id", sorted(NAMED))
def test_a_failure_names_the_related_resource(rule_id: str) -> None:
    rules = load_policies([BUILTIN]).rules
    record = make_record(_bad(), source="related.json", source_kind="file")
    found = {r.rule_id: r for r in evaluate([record], rules, NOW)}
    assert found[rule_id].status is Status.FAIL, found[rule_id].message
    assert NAMED[rule_id] in found[rule_id].message


@pytest.mark.parametrize("rule_id", sorted(NAMED))
def test_without_related_data_the_rule_is_not_evaluated(rule_id: str) -> None:
    rules = load_policies([BUILTIN]).rules
    workforce = _bad()
    del workforce["Related"]
    record = make_record(workforce, source="list-workforces.json", source_kind="file")
    found = {r.rule_id: r for r in evaluate([record], rules, NOW)}
    assert found[rule_id].status is Status.SKIP
    assert "not evaluated: the input has no related" in found[rule_id].message
