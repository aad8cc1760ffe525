"""Explanations say each thing once: repeated reasons merge, a block found absent silences the
fields inside it, and a condition's ``message`` replaces the generated text."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from checker.engine import evaluate
from checker.model import Status
from checker.policy.loader import load_policies
from checker.sources.base import make_record

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def outcome(tmp_path: Path, condition: str, workforce: dict[str, Any]) -> tuple[Status, str]:
    """Status and message of a one-rule policy whose ``assert`` is ``condition`` (YAML)."""
    policy = tmp_path / "p.yaml"
    body = textwrap.indent(textwrap.dedent(condition).strip(), " " * 6)
    policy.write_text(
        "version: 1\nrules:\n  - id: T1\n    title: t\n    severity: low\n    assert:\n" + body
    )
    rules = load_policies([str(policy)]).rules
    record = make_record(workforce, source="test", source_kind="file", region="eu-west-1")
    (result,) = evaluate([record], rules, NOW)
    return result.status, result.message


def test_an_absent_block_silences_the_fields_inside_it(tmp_path: Path) -> None:
    condition = """
    all:
      - {path: Vpc, op: exists}
      - {path: Vpc.Id, op: not_empty}
      - {path: Vpc.Subnets, op: count_at_least, value: 1}
      - {path: Other, op: exists}
    """
    assert outcome(tmp_path, condition, {}) == (Status.FAIL, "Vpc is absent; Other is absent")
    assert outcome(tmp_path, condition, {"Vpc": {}, "Other": 1}) == (
        Status.FAIL,
        "Vpc.Id is absent; Vpc.Subnets has 0 items; expected at least 1",
    )


def test_the_same_reason_from_two_conditions_is_said_once(tmp_path: Path) -> None:
    condition = """
    all:
      - {path: Cidrs, op: cidr_valid}
      - {path: Cidrs, op: cidr_canonical}
      - {path: Cidrs, op: cidrs_no_overlap}
    """
    status, message = outcome(tmp_path, condition, {"Cidrs": ["10.0.0.0/8", "garbage"]})
    assert status is Status.FAIL
    assert message == (
        'Cidrs[1] "garbage" is not a valid CIDR (expected address/prefix, such as 203.0.113.0/24)'
    )


def test_alternatives_are_numbered_and_a_message_replaces_them(tmp_path: Path) -> None:
    condition = """
    any:
      - {path: A, op: equals, value: 1}
      - {path: B, op: equals, value: 2}
    """
    assert outcome(tmp_path, condition, {"A": 0, "B": 0}) == (
        Status.FAIL,
        "none of the alternatives holds: (1) A 0 is not 1; (2) B 0 is not 2",
    )
    with_message = condition + "message: 'A is {A} and B is {B}; expected A 1 or B 2'\n"
    assert outcome(tmp_path, with_message, {"A": 0, "B": 0}) == (
        Status.FAIL,
        "A is 0 and B is 0; expected A 1 or B 2",
    )


def test_a_leaf_message_replaces_the_generated_text_only_when_it_fails(tmp_path: Path) -> None:
    condition = """
    path: Status
    op: equals
    value: Active
    message: Workforce {WorkforceName} is {Status}
    """
    assert outcome(tmp_path, condition, {"WorkforceName": "w", "Status": "Failed"}) == (
        Status.FAIL,
        'Workforce "w" is "Failed"',
    )
    assert outcome(tmp_path, condition, {"Status": "Active"}) == (Status.PASS, "ok")


def test_not_says_what_unexpectedly_held(tmp_path: Path) -> None:
    condition = """
    not: {path: A, op: exists}
    """
    assert outcome(tmp_path, condition, {"A": 1}) == (
        Status.FAIL,
        "unexpectedly A satisfies exists",
    )
    assert outcome(tmp_path, condition + "message: A is set to {A}\n", {"A": 1}) == (
        Status.FAIL,
        "A is set to 1",
    )


@pytest.mark.parametrize(
    ("match", "items", "message"),
    [
        ("any", ["b", "c"], 'no item of X satisfies equals: X[0] "b" and [1] "c": each is not "a"'),
        ("any", [], "X has no items"),
        ("none", ["a", "b"], 'X[0] "a" satisfies equals "a"'),
    ],
)
def test_match_modes_explain_themselves(
    tmp_path: Path, match: str, items: list[str], message: str
) -> None:
    condition = f"{{path: X, op: equals, value: a, match: {match}}}"
    assert outcome(tmp_path, condition, {"X": items}) == (Status.FAIL, message)
