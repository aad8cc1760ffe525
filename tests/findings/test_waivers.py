"""Waivers: loading with file:line errors, exact-or-explicit-glob matching, expiry in UTC."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.files.timestamps import parse_timestamp
from checker.findings.waivers import (
    Waiver,
    apply_waivers,
    check_max_days,
    load_waivers,
    matches,
    parse_expiry,
)
from checker.model import Resource, Result, RuleInfo, Status
from tests.conftest import EXAMPLES, NOW
from tests.helpers import flat_results, run_cli

ARN = "arn:aws:sagemaker:us-east-1:222222222222:workforce/labeling-broad"
EXAMPLE_INPUT = str(EXAMPLES / "workforces.json")
VARS = str(EXAMPLES / "vars.yaml")


def at(text: str) -> datetime:
    moment = parse_timestamp(text)
    assert moment is not None
    return moment


def result(rule_id: str = "WF011", status: Status = Status.FAIL, **resource: str | None) -> Result:
    fields: dict[str, str | None] = {
        "arn": ARN,
        "name": "labeling-broad",
        "account": "222222222222",
        "region": "us-east-1",
    }
    fields.update(resource)
    res = Resource(source="test.json", **fields)  # type: ignore[arg-type]
    rule = RuleInfo(rule_id, "title", "critical", remediation="fix it")
    return Result(rule, status, res, "message", "path")


def waiver_file(tmp_path: Path, body: str, name: str = "waivers.yaml") -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def entry(
    selector: str = f"arn: {ARN}", rule: str = "WF011", expires: str = "2026-12-31", extra: str = ""
) -> str:
    return (
        f"waivers:\n  - rule: {rule}\n    {selector}\n    reason: vendor onboarding\n"
        f"    owner: team@example.com\n    expires: {expires}\n{extra}"
    )


def one(tmp_path: Path, body: str) -> Waiver:
    (waiver,) = load_waivers(waiver_file(tmp_path, body))
    return waiver


# --- expiry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "now", "active"),
    [
        # date-only: valid through the end of that day in UTC
        ("2026-11-25", "2026-11-25T00:00:00Z", True),  # today, first second
        ("2026-11-25", "2026-11-25T23:59:59Z", True),  # today, last second
        ("2026-11-25", "2026-11-26T00:00:00Z", False),  # the next midnight UTC ends it
        ("2026-11-24", "2026-11-25T00:00:00Z", False),  # yesterday
        ("'2026-11-25'", "2026-11-25T12:00:00Z", True),  # quoted date, same meaning
        # --now with an offset is compared in UTC, not in its local calendar day
        ("2026-11-25", "2026-11-26T01:00:00+14:00", True),  # = 2026-11-25T11:00Z
        ("2026-11-25", "2026-11-25T20:00:00-05:00", False),  # = 2026-11-26T01:00Z
        # date-times end at that moment; an offset is honoured, a naive one is UTC
        ("2026-11-25T12:00:00+02:00", "2026-11-25T09:59:59Z", True),
        ("2026-11-25T12:00:00+02:00", "2026-11-25T10:00:00Z", False),
        ("2026-11-25T10:00:00Z", "2026-11-25T09:59:59Z", True),
        ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z", False),
        ("2026-11-25 10:00:00", "2026-11-25T10:00:01Z", False),
        ("2026-11-25 10:00:00", "2026-11-25T11:59:59+02:00", True),
    ],
)
def test_expiry_edges(tmp_path: Path, expires: str, now: str, active: bool) -> None:
    waiver = one(tmp_path, entry(expires=expires))
    outcome = apply_waivers([result()], [waiver], at(now))
    assert outcome.results[0].status is (Status.WAIVED if active else Status.FAIL)
    expired_notes = [n for n in outcome.notes if "no longer applies" in n]
    assert bool(expired_notes) is not active


@pytest.mark.parametrize(
    ("value", "written", "ends"),
    [
        ("2026-11-25", "2026-11-25", "2026-11-26T00:00:00Z"),
        ("2026-11-25T12:00:00+02:00", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z"),
        ("2026-11-25T10:00:00", "2026-11-25T10:00:00Z", "2026-11-25T10:00:00Z"),
    ],
)
def test_parse_expiry_from_text(value: str, written: str, ends: str) -> None:
    assert parse_expiry(value) == (written, at(ends))


@pytest.mark.parametrize("value", ["never", "", "2026-13-01", "31/12/2026", 20261231, None, True])
def test_parse_expiry_rejects(value: object) -> None:
    assert parse_expiry(value) is None


def test_expired_waiver_is_reported_and_its_finding_counts_again(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, entry(expires="2026-11-24"))
    run = run_cli(
        "scan",
        "--input",
        EXAMPLE_INPUT,
        "--rule",
        "WF011",
        "--now",
        NOW,
        "--waivers",
        path,
        "--format",
        "json",
    )
    assert run.code == 1
    report = json.loads(run.out)
    assert [r["status"] for r in report["results"] if r["rule_id"] == "WF011"].count("fail") == 1
    (note,) = [n for n in report["notes"] if "expired" in n]
    assert f"{path}:2" in note and "expired 2026-11-24" in note and "1 result(s)" in note
    assert "no longer applies" in run.err


# --- matching: exact unless written as a glob, never substrings ---------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("WF011", "WF011", True),
        ("WF01", "WF011", False),  # no prefix/substring matching
        ("WF011", "WF0111", False),
        ("WF01*", "WF011", True),
        ("WF01*", "WF001", False),
        ("WF01*", "WF1", False),
        ("WF01*", "WF10", False),
        ("wf011", "WF011", False),  # case matters
        ("WF01?", "WF0111", False),
        ("WF0[12]1", "WF021", True),
        ("WF0[12]1", "WF031", False),
        ("prod", "prod-2", False),
        ("prod", "my-prod", False),
        ("prod*", "prod-2", True),
        ("Prod", "prod", False),
        ("x", None, False),
        ("*", None, False),  # a glob never matches a missing value
    ],
)
def test_matches(pattern: str, value: str | None, expected: bool) -> None:
    assert matches(pattern, value) is expected


BASE = "arn:aws:sagemaker:us-east-1:111111111111:workforce"


@pytest.mark.parametrize(
    ("selector", "rule", "resource", "expected"),
    [
        (f"arn: {BASE}/a", "WF011", {"arn": f"{BASE}/a"}, True),
        (f"arn: {BASE}/a", "WF011", {"arn": f"{BASE}/ab"}, False),
        (f"arn: {BASE}/a", "WF011", {"arn": f"{BASE}/a/b"}, False),
        (f"arn: '{BASE}/a*'", "WF011", {"arn": f"{BASE}/ab"}, True),
        (f"arn: {BASE}/a", "WF011", {"arn": None, "address": "aws_sagemaker_workforce.a"}, False),
        (
            "arn: 'arn:aws:sagemaker:*:111111111111:workforce/*'",
            "WF011",
            {"arn": "arn:aws:sagemaker:eu-west-1:111111111111:workforce/x"},
            True,
        ),
        (
            "arn: 'arn:aws:sagemaker:*:111111111111:workforce/*'",
            "WF011",
            {"arn": "arn:aws:sagemaker:eu-west-1:1111111111112:workforce/x"},
            False,
        ),
        ("name: prod", "WF011", {"name": "prod"}, True),
        ("name: prod", "WF011", {"name": "prod-2"}, False),
        ("name: prod", "WF011", {"name": "preprod"}, False),
        ("name: 'prod-*'", "WF011", {"name": "prod-2"}, True),
        ("name: 'prod-*'", "WF011", {"name": "prod"}, False),
        ("account: '111111111111'", "WF011", {"account": "111111111111"}, True),
        ("account: '111111111111'", "WF011", {"account": "211111111111"}, False),
        (
            "account: '111111111111'\n    region: us-east-1",
            "WF011",
            {"account": "111111111111", "region": "us-east-1"},
            True,
        ),
        (
            "account: '111111111111'\n    region: us-east-1",
            "WF011",
            {"account": "111111111111", "region": "us-east-12"},
            False,
        ),
        (
            "account: '111111111111'\n    region: 'eu-*'",
            "WF011",
            {"account": "111111111111", "region": "us-east-1"},
            False,
        ),
        (
            "account: '111111111111'\n    region: 'eu-*'",
            "WF011",
            {"account": "111111111111", "region": "eu-west-1"},
            True,
        ),
        ("account: '1111*'", "WF011", {"account": "111122223333"}, True),
        (
            "address: aws_sagemaker_workforce.main",
            "WF011",
            {"arn": None, "address": "aws_sagemaker_workforce.main"},
            True,
        ),
        (
            "address: aws_sagemaker_workforce.main",
            "WF011",
            {"arn": None, "address": "aws_sagemaker_workforce.main_2"},
            False,
        ),
        (
            "address: aws_sagemaker_workforce.main",
            "WF011",
            {"arn": None, "address": "module.x.aws_sagemaker_workforce.main"},
            False,
        ),
        (
            "address: '*.aws_sagemaker_workforce.main'",
            "WF011",
            {"arn": None, "address": "module.x.aws_sagemaker_workforce.main"},
            True,
        ),
        ("name: prod", "WF01*", {"name": "prod"}, True),
        ("name: prod", "'WF01*'", {"name": "prod"}, True),
        ("name: prod", "WF01", {"name": "prod"}, False),
        ("name: prod", "'*'", {"name": "prod"}, True),
    ],
)
def test_selectors_do_not_overmatch(
    tmp_path: Path, selector: str, rule: str, resource: dict[str, str | None], expected: bool
) -> None:
    waiver = one(tmp_path, entry(selector=selector, rule=rule))
    assert waiver.applies_to(result("WF011", **resource)) is expected


def test_waived_result_keeps_severity_and_carries_the_waiver(tmp_path: Path) -> None:
    body = entry(extra="    ticket: SEC-1\n")
    outcome = apply_waivers([result()], [one(tmp_path, body)], at(NOW))
    waived = outcome.results[0]
    assert waived.status is Status.WAIVED and waived.severity == "critical"
    assert waived.annotation == {
        "waiver": {
            "reason": "vendor onboarding",
            "owner": "team@example.com",
            "expires": "2026-12-31",
            "ticket": "SEC-1",
        }
    }


def test_only_failures_are_waived(tmp_path: Path) -> None:
    waiver = one(tmp_path, entry())
    statuses = [Status.PASS, Status.SKIP, Status.ERROR, Status.UNKNOWN, Status.FAIL]
    outcome = apply_waivers([result(status=s) for s in statuses], [waiver], at(NOW))
    assert [r.status for r in outcome.results] == [
        Status.PASS,
        Status.SKIP,
        Status.ERROR,
        Status.WAIVED,
        Status.WAIVED,
    ]


def test_first_matching_waiver_wins_and_all_matching_count_as_used(tmp_path: Path) -> None:
    body = entry() + (
        "  - rule: 'WF*'\n    name: labeling-broad\n    reason: broad\n"
        "    owner: other@example.com\n    expires: 2026-12-30\n"
    )
    waivers = load_waivers(waiver_file(tmp_path, body))
    outcome = apply_waivers([result()], waivers, at(NOW))
    assert outcome.results[0].annotation["waiver"]["owner"] == "team@example.com"  # type: ignore[index]
    assert not [n for n in outcome.notes if "unused" in n]


# --- notes: expiring soon, unused, strict ------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "warned", "text"),
    [
        ("2026-11-25", True, "expires 2026-11-25 (in 1 day(s))"),  # ends at the next midnight
        ("2026-12-08", True, "expires 2026-12-08 (in 14 day(s))"),  # exactly 14 days left
        ("2026-12-09", False, ""),  # 15 days left
        ("2026-11-25T06:00:00Z", True, "expires 2026-11-25T06:00:00Z (in less than a day)"),
    ],
)
def test_expiring_soon_is_warned(tmp_path: Path, expires: str, warned: bool, text: str) -> None:
    outcome = apply_waivers([result()], [one(tmp_path, entry(expires=expires))], at(NOW))
    soon = [w for w in outcome.warnings if "expires" in w]
    assert bool(soon) is warned
    if warned:
        assert text in soon[0]


def test_unused_and_expired_waivers_are_listed_and_fail_only_when_strict(tmp_path: Path) -> None:
    body = (
        entry() + "  - rule: WF011\n    name: not-a-workforce\n    reason: r\n    owner: o\n"
        "    expires: 2026-12-31\n"
        + "  - rule: WF011\n    name: labeling-broad\n    reason: r\n    owner: o\n"
        "    expires: 2026-11-01\n"
    )
    waivers = load_waivers(waiver_file(tmp_path, body))
    lenient = apply_waivers([result()], waivers, at(NOW))
    strict = apply_waivers([result()], waivers, at(NOW), strict=True)
    assert lenient.extra_failures == 0
    assert strict.extra_failures == 2
    assert any("name not-a-workforce) is unused" in n for n in lenient.notes)
    assert any("expired 2026-11-01" in n for n in lenient.notes)
    assert lenient.results[0].status is Status.WAIVED


@pytest.mark.parametrize(("extra_args", "code"), [((), 0), (("--strict-waivers",), 1)])
def test_strict_waivers_exit_code(tmp_path: Path, extra_args: tuple[str, ...], code: int) -> None:
    body = entry() + (
        "  - rule: WF012\n    arn: " + ARN + "\n    reason: r\n    owner: o\n"
        "    expires: 2026-12-31\n"
    )
    path = waiver_file(tmp_path, body)
    run = run_cli(
        "scan",
        "--input",
        EXAMPLE_INPUT,
        "--rule",
        "WF011",
        "--now",
        NOW,
        "--waivers",
        path,
        *extra_args,
    )
    assert run.code == code, run.err
    notes = " ".join(run.out.split())  # the table wraps long notes at spaces
    assert f"waiver {path}:7 (WF012 on arn {ARN}) is unused" in notes
    assert "1 waived" in run.out


def test_waivers_in_the_json_report(tmp_path: Path) -> None:
    run = run_cli(
        "scan",
        "--input",
        EXAMPLE_INPUT,
        "--var-file",
        VARS,
        "--now",
        NOW,
        "--waivers",
        str(EXAMPLES / "waivers.yaml"),
        "--max-waiver-days",
        "1500",
        "--format",
        "json",
    )
    report = json.loads(run.out)
    waived = {
        (r["rule_id"], r["resource"]["name"]): r
        for r in flat_results(report)
        if r["status"] == "waived"
    }
    assert set(waived) == {
        ("WF011", "labeling-broad"),
        ("WF031", "labeling-broad"),
        ("WF032", "labeling-broad"),
        ("WF033", "labeling-broad"),
        ("WF034", "labeling-broad"),
        ("WF002", "labeling-stuck"),
    }
    assert waived[("WF011", "labeling-broad")]["severity"] == "critical"
    assert waived[("WF011", "labeling-broad")]["annotation"]["waiver"]["ticket"] == "SEC-1234"
    assert report["summary"]["waived"] == 6
    assert not any("expires 20" in n and "day(s))" in n for n in report["notes"])  # years away
    assert run.code == 1  # other failures remain


def test_several_waiver_files(tmp_path: Path) -> None:
    first = waiver_file(tmp_path, entry(), "a.yaml")
    second = waiver_file(tmp_path, entry(selector="name: labeling-open", rule="WF010"), "b.yaml")
    run = run_cli(
        "scan",
        "--input",
        EXAMPLE_INPUT,
        "--rule",
        "WF01[01]",
        "--now",
        NOW,
        "--waivers",
        first,
        "--waivers",
        second,
        "--format",
        "json",
    )
    report = json.loads(run.out)
    assert report["summary"]["waived"] == 2 and report["summary"]["fail"] == 0
    assert run.code == 0


# --- --max-waiver-days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "days", "ok"),
    [
        ("2026-12-25", 30, True),  # exactly 30 calendar days from today (UTC)
        ("2026-12-26", 30, False),
        ("2026-11-25", 0, True),  # today, with a zero-day cap
        ("2026-12-25T00:00:00Z", 30, True),  # date-times are measured exactly
        ("2026-12-25T00:00:01Z", 30, False),
        ("2020-01-01", 1, True),  # expired ones are not "too long"
    ],
)
def test_max_waiver_days(tmp_path: Path, expires: str, days: int, ok: bool) -> None:
    waiver = one(tmp_path, entry(expires=expires))
    if ok:
        check_max_days([waiver], at(NOW), days)
    else:
        with pytest.raises(InputError, match="more than") as info:
            check_max_days([waiver], at(NOW), days)
        assert str(info.value).startswith(f"{waiver.file}:2: ")


def test_max_waiver_days_cli_exit_2(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, entry(expires="2027-06-01"))
    run = run_cli(
        "scan", "--input", EXAMPLE_INPUT, "--now", NOW, "--waivers", path, "--max-waiver-days", "90"
    )
    assert run.code == 2 and run.out == ""
    assert f"{path}:2: waiver for WF011 expires 2027-06-01, more than 90 day(s)" in run.err


@pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
def test_max_waiver_days_must_be_a_count(value: str) -> None:
    run = run_cli("scan", "--input", EXAMPLE_INPUT, "--max-waiver-days", value)
    assert run.code == 2 and "--max-waiver-days" in run.err


# --- malformed files: exit 2 with file:line, never ignored ---------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (entry(extra="    resaon: typo\n"), 7, "unknown key 'resaon' (did you mean 'reason'?)"),
        (entry(extra="    tciket: X-1\n"), 7, "unknown key 'tciket' (did you mean 'ticket'?)"),
        (
            "waivers:\n  - rule: WF011\n    name: a\n    reason: r\n    expires: 2026-12-31\n",
            2,
            "'owner' is a required property",
        ),
        (
            "waivers:\n  - rule: WF011\n    name: a\n    owner: o\n    expires: 2026-12-31\n",
            2,
            "'reason' is a required property",
        ),
        (
            "waivers:\n  - rule: WF011\n    name: a\n    reason: r\n    owner: o\n",
            2,
            "'expires' is a required property",
        ),
        (
            "waivers:\n  - rule: WF011\n    name: a\n    reason: ' '\n    owner: o\n"
            "    expires: 2026-12-31\n",
            4,
            "waivers[0].reason",
        ),
        (entry(selector="name: a\n    arn: " + ARN), 2, "exactly one resource selector"),
        (
            "waivers:\n  - rule: WF011\n    reason: r\n    owner: o\n    expires: 2026-12-31\n",
            2,
            "exactly one resource selector of arn, name, account, address (found: none)",
        ),
        (
            entry(selector="name: a\n    region: us-east-1"),
            4,
            "region is only allowed with account",
        ),
        (entry(selector="account: 111111111111"), 3, "expected a string, got 111111111111 (quote"),
        (entry(selector="account: '11111111111'"), 3, "is not a 12-digit account id"),
        (entry(selector="arn: workforce/a"), 3, "arn: not an ARN"),
        (entry(expires="never"), 6, "'never' is not a date or date-time"),
        (entry(expires="2026-02-30"), 6, "invalid YAML value"),
        (entry(rule="''"), 2, "waivers[0].rule"),
        ("waiver:\n  - rule: WF011\n", 1, "unknown key 'waiver' (did you mean 'waivers'?)"),
        ("waivers: {rule: WF011}\n", 1, "waivers: {'rule': 'WF011'} is not of type 'array'"),
        ("- rule: WF011\n", 1, "expected a mapping with a 'waivers:' list"),
        ("", 1, "expected a mapping with a 'waivers:' list"),
        ("waivers:\n  - rule: WF011\n    rule: WF012\n", 3, "duplicate key 'rule'"),
        ("waivers: [\n", 2, "invalid YAML"),
    ],
)
def test_malformed_waiver_file_is_exit_2_with_file_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = waiver_file(tmp_path, body)
    run = run_cli("scan", "--input", EXAMPLE_INPUT, "--now", NOW, "--waivers", path)
    assert run.code == 2, run.err
    assert run.out == ""
    (error,) = run.err.strip().splitlines()
    assert error.startswith(f"wfcheck: error: {path}:{line}:"), error
    assert message in error
    assert "Traceback" not in run.err


def test_missing_waiver_file_is_exit_2(tmp_path: Path) -> None:
    run = run_cli("scan", "--input", EXAMPLE_INPUT, "--waivers", str(tmp_path / "nope.yaml"))
    assert run.code == 2 and "nope.yaml: cannot read waiver file" in run.err


# --- wfcheck validate ---------------------------------------------------------------------------


def test_validate_accepts_the_example_waivers() -> None:
    run = run_cli("validate", str(EXAMPLES / "waivers.yaml"))
    assert run.code == 0 and "1 file(s) valid" in run.err


def test_validate_reports_a_bad_waiver_file(tmp_path: Path) -> None:
    path = waiver_file(tmp_path, entry(extra="    onwer: x\n"))
    run = run_cli("validate", path)
    assert run.code == 2
    assert f"{path}:7:5: waivers[0]: unknown key 'onwer' (did you mean 'owner'?)" in run.err


def test_example_waivers_load() -> None:
    waivers = load_waivers(str(EXAMPLES / "waivers.yaml"))
    assert [(w.rule, w.selector) for w in waivers] == [
        ("WF011", "arn"),
        ("WF03*", "name"),
        ("WF002", "account"),
    ]
    assert waivers[1].expires == "2029-06-30T18:00:00Z"


# --- the per-rule index is only an optimization ----------------------------------------------

_VALUES = {
    "arn": [ARN, f"{ARN}2", "arn:aws:sagemaker:*:222222222222:workforce/*", f"{ARN}*"],
    "name": ["labeling-broad", "labeling", "labeling-*", "*broad", "other"],
    "account": ["222222222222", "22222222222*", "111111111111"],
    "address": ["aws_sagemaker_workforce.a", "*.a", "aws_sagemaker_workforce.b"],
}


@st.composite
def _waiver(draw: st.DrawFn) -> Waiver:
    selector = draw(st.sampled_from(sorted(_VALUES)))
    region = draw(st.sampled_from([None, "us-east-1", "eu-*"])) if selector == "account" else None
    ends = at(draw(st.sampled_from(["2026-11-24T00:00:00Z", "2026-12-31T00:00:00Z"])))
    return Waiver(
        draw(st.sampled_from(["WF011", "WF012", "WF01*", "*", "WF0?2"])),
        selector,
        draw(st.sampled_from(_VALUES[selector])),
        region,
        f"reason {draw(st.integers(1, 99))}",  # tells apart which waiver was applied
        "o",
        "x",
        ends,
        None,
        "w.yaml",
        1,
    )


@st.composite
def _result(draw: st.DrawFn) -> Result:
    return result(
        draw(st.sampled_from(["WF011", "WF012", "WF021"])),
        draw(st.sampled_from([Status.FAIL, Status.UNKNOWN, Status.PASS])),
        arn=draw(st.sampled_from([ARN, f"{ARN}2", None])),
        name=draw(st.sampled_from(["labeling-broad", "labeling", None])),
        account=draw(st.sampled_from(["222222222222", "111111111111"])),
        region=draw(st.sampled_from(["us-east-1", "eu-west-1"])),
        address=draw(st.sampled_from(["aws_sagemaker_workforce.a", None])),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_result(), max_size=12), st.lists(_waiver(), max_size=8))
def test_index_agrees_with_plain_matching(results: list[Result], waivers: list[Waiver]) -> None:
    now = at(NOW)
    active = [w for w in waivers if now < w.ends]
    outcome = apply_waivers(results, waivers, now)
    for before, after in zip(results, outcome.results):
        hits = [w for w in active if w.applies_to(before)]
        if before.status in (Status.FAIL, Status.UNKNOWN) and hits:
            assert after == before._replace(status=Status.WAIVED, annotation=hits[0].annotation())
        else:
            assert after == before
