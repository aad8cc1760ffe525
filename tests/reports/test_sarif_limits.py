"""SARIF that GitHub code scanning accepts at any size: at most 25,000 results a run, 20 runs a
file and 10 MB gzipped, the most severe results kept and what was left out said."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from checker.model import SEVERITIES, Resource, RuleInfo, Status
from checker.reports import get_writer
from checker.reports.interface import RenderOptions
from checker.reports.sarif import SarifWriter
from checker.results import Report, ResultStore
from tests.reports.test_sarif import VALIDATOR

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def big_report(per_rule: dict[str, int], records: int) -> Report:
    """``records`` workforces; rule ``id`` fails on the first ``per_rule[id]`` of them, with
    messages that differ per workforce (as real ones do: names, CIDRs)."""
    rules = [
        RuleInfo(rule_id, f"Rule {rule_id}", SEVERITIES[1 + n % 4], description="d" * 200)
        for n, rule_id in enumerate(per_rule)
    ]
    store = ResultStore(rules)
    passed = (Status.PASS, "", "", ())
    for number in range(records):
        name = f"wf-{number:06d}"
        resource = Resource(
            arn=f"arn:aws:sagemaker:us-east-1:{100000000000 + number}:workforce/{name}",
            name=name,
            account=str(100000000000 + number),
            region="us-east-1",
            source="snapshot.json",
            source_kind="snapshot",
        )
        outcomes = [
            (
                Status.FAIL,
                f'SourceIpConfig.Cidrs[0] "10.{number % 256}.{number // 256 % 256}.0/0" of '
                f"{name} admits every IPv4 address",
                "SourceIpConfig.Cidrs[0]",
                (("cidr", f"10.{number % 256}.0.0/0"),),
            )
            if number < per_rule[rule.id]
            else passed
            for rule in rules
        ]
        store.add(resource, outcomes)
    return Report("0.0.0", NOW, tuple(rules), store, records)


def write(report: Report, **settings: str) -> tuple[bytes, dict[str, Any]]:
    text = get_writer("sarif").render(report, RenderOptions(settings=settings))
    return text.encode("utf-8"), json.loads(text)


def notes(run: dict[str, Any]) -> list[str]:
    invocation = run["invocations"][0]
    return [n["message"]["text"] for n in invocation.get("toolExecutionNotifications", [])]


def check_github_limits(raw: bytes, sarif: dict[str, Any], limit: int = 25_000) -> None:
    assert len(sarif["runs"]) <= 20
    assert all(len(run["results"]) <= limit for run in sarif["runs"])
    assert len(gzip.compress(raw)) < 10 * 1024 * 1024
    ids = [run["automationDetails"]["id"] for run in sarif["runs"]]
    assert len(ids) == len(set(ids)), "each run is its own code-scanning category"


def test_100000_findings_fit_githubs_limits() -> None:
    per_rule = {f"WF{n:03d}": 20_000 for n in range(1, 6)}  # 5 rules x 20,000 = 100,000
    report = big_report(per_rule, 20_000)
    raw, sarif = write(report)
    check_github_limits(raw, sarif)
    written = sum(len(run["results"]) for run in sarif["runs"])
    omitted = sum(run["properties"].get("omittedResults", 0) for run in sarif["runs"])
    assert written + omitted == 100_000
    for run in sarif["runs"]:
        rule_ids = {result["ruleId"] for result in run["results"]}
        assert len(rule_ids) <= 1, "split by rule"
        if run["properties"].get("omittedResults"):
            [note] = [n for n in notes(run) if "left out" in n]
            assert f"{run['properties']['omittedResults']} of 20000" in note
            assert "JSON report" in note
    # the most severe rules come first and keep their results
    severities = [
        report.rule(run["automationDetails"]["id"].split("/")[1]) for run in sarif["runs"]
    ]
    ranks = [SEVERITIES.index(info.severity) for info in severities if info]
    assert ranks == sorted(ranks, reverse=True)
    kept = {run["automationDetails"]["id"]: len(run["results"]) for run in sarif["runs"]}
    assert max(kept.values()) == 20_000


def test_a_rule_over_the_run_limit_keeps_the_limit_and_says_how_many_went() -> None:
    report = big_report({"WF010": 30, "WF011": 4}, 30)
    _, sarif = write(report, **{"sarif.max_results": "10"})
    by_id = {run["automationDetails"]["id"]: run for run in sarif["runs"]}
    assert set(by_id) == {"wfcheck/WF010/", "wfcheck/WF011/"}
    assert len(by_id["wfcheck/WF010/"]["results"]) == 10
    assert by_id["wfcheck/WF010/"]["properties"]["omittedResults"] == 20
    assert any("20 of 30 result(s) of WF010 left out" in n for n in notes(by_id["wfcheck/WF010/"]))
    assert len(by_id["wfcheck/WF011/"]["results"]) == 4
    assert not notes(by_id["wfcheck/WF011/"])
    VALIDATOR.validate(sarif)
    for run in sarif["runs"]:  # ruleIndex points into the run's own rules
        rules = run["tool"]["driver"]["rules"]
        assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_more_rules_than_runs_keeps_the_most_severe_twenty() -> None:
    per_rule = {f"WF{n:03d}": 2 for n in range(1, 26)}  # 25 rules
    report = big_report(per_rule, 2)
    _, sarif = write(report, **{"sarif.max_results": "10"})
    assert len(sarif["runs"]) == 20
    kept = {run["automationDetails"]["id"].split("/")[1] for run in sarif["runs"]}
    left = set(per_rule) - kept
    assert len(left) == 5
    worst_left = max(SEVERITIES.index(report.rule(r).severity) for r in left)  # type: ignore[union-attr]
    best_kept = min(SEVERITIES.index(report.rule(r).severity) for r in kept)  # type: ignore[union-attr]
    assert worst_left <= best_kept
    last = notes(sarif["runs"][-1])
    assert any("10 result(s) of 5 less severe rule(s) left out" in n for n in last)
    VALIDATOR.validate(sarif)


@pytest.mark.parametrize("limit", ["25000", None])
def test_a_report_under_the_limit_is_one_run(limit: str | None) -> None:
    report = big_report({"WF010": 50, "WF011": 50}, 50)
    _, sarif = write(report, **({"sarif.max_results": limit} if limit else {}))
    [run] = sarif["runs"]
    assert run["automationDetails"]["id"] == "wfcheck/"
    assert len(run["results"]) == 100 and "omittedResults" not in run["properties"]


def test_the_gzip_budget_cuts_the_least_severe_results() -> None:
    report = big_report({"WF010": 3000, "WF011": 3000}, 3000)  # WF011 is the more severe
    budget = 300_000  # one rule's results (~200 KB gzipped) fit, not both
    writer = SarifWriter(gzip_budget=budget)
    text = writer.render(report, RenderOptions(settings={"sarif.max_results": "5000"}))
    sarif = json.loads(text)
    first, second = sarif["runs"]
    assert first["automationDetails"]["id"] == "wfcheck/WF011/"
    assert len(first["results"]) == 3000 and "omittedResults" not in first["properties"]
    assert second["properties"]["omittedResults"] > 0
    assert any("left out" in n for n in notes(second))
    results = "".join(json.dumps(r) for run in sarif["runs"] for r in run["results"])
    assert len(gzip.compress(results.encode())) < budget * 1.2
