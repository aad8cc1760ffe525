"""CSV: stable columns, one row per result, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from checker.model import Result, Status, Verdict
from checker.reports import get_writer
from checker.reports.csv import (
    COLUMNS,
    _fingerprint_cell,
    _line,
    _record_part,
    _rule_parts,
    _verdict_parts,
)
from checker.reports.escape import csv_cell, terminal_line
from checker.reports.interface import RenderOptions
from checker.results import Report
from tests.golden_files import assert_golden, example_output
from tests.reports.conftest import INJECTIONS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(report: Report) -> list[list[str]]:
    text = get_writer("csv").render(report, RenderOptions())
    return list(csv.reader(io.StringIO(text, newline="")))


def test_golden_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_golden("examples.csv", example_output(monkeypatch, "csv"))


def test_columns_are_the_documented_contract() -> None:
    # Appending a column is fine; renaming or reordering breaks users' spreadsheets.
    assert COLUMNS == (
        "rule_id",
        "title",
        "severity",
        "status",
        "account",
        "region",
        "workforce",
        "arn",
        "address",
        "source",
        "path",
        "message",
        "evidence",
        "reason",
        "remediation",
        "fingerprint",
    )


def test_one_row_per_result(example_report: Report) -> None:
    header, *body = rows(example_report)
    assert tuple(header) == COLUMNS
    assert len(body) == len(example_report.results)
    for cells, result in zip(body, example_report.results):
        record = dict(zip(COLUMNS, cells))
        assert record["rule_id"] == result.rule_id
        assert record["status"] == result.status.value
        assert record["arn"] == result.resource.arn
        assert record["fingerprint"] == result.fingerprint
        assert len(cells) == len(COLUMNS)


def test_reason_and_evidence(example_report: Report) -> None:
    base = example_report.results[0]
    result = base._replace(
        evidence=(("FailureReason", '"boom"'), ("Cidrs", "[]")),
        annotation={"reason": "ticket SEC-2"},
    )
    (_, cells) = rows(dataclasses.replace(example_report, results=(result,)))
    record = dict(zip(COLUMNS, cells))
    assert record["evidence"] == 'FailureReason="boom"; Cidrs=[]'
    assert record["reason"] == "ticket SEC-2"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", " x"),  # tabs and line breaks become spaces: one line per row
        ("\rx", " x"),
        ("\x1b[31m=1", "'=1"),  # the escape goes first, then the formula is neutralized
        ("a\x00b\x07", "ab"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=x", "'=x"),
        ("plain text", "plain text"),
    ],
)
def test_csv_cell(cell: str, expected: str) -> None:
    assert csv_cell(cell) == expected


def test_injection_corpus(hostile_report: Report) -> None:
    text = get_writer("csv").render(hostile_report, RenderOptions())
    _header, *body = list(csv.reader(io.StringIO(text, newline="")))
    assert len(body) == len(hostile_report.results)
    for cells in body:
        assert len(cells) == len(COLUMNS)
        for cell in cells:
            assert not cell.startswith(FORMULA_START), cell
    # Values survive as one terminal line each: escapes and control characters dropped.
    names = {dict(zip(COLUMNS, cells))["workforce"] for cells in body}
    for index, payload in enumerate(INJECTIONS):
        assert terminal_line(f"wf-{index}{payload}") in names
    # Rows end in CRLF, and no value holds a line break: one line per row.
    assert text.count("\r\n") == len(body) + 1
    assert text.count("\n") == len(body) + 1


@pytest.mark.parametrize("payload", INJECTIONS)
def test_payload_at_the_start_of_a_cell(example_report: Report, payload: str) -> None:
    base = example_report.results[0]
    resource = dataclasses.replace(base.resource, name=payload, address=payload)
    result = base._replace(
        resource=resource, message=payload, path=payload, annotation={"reason": payload}
    )
    (_, cells) = rows(dataclasses.replace(example_report, results=(result,)))
    record = dict(zip(COLUMNS, cells))
    for column in ("workforce", "address", "message", "path", "reason"):
        assert record[column] == csv_cell(payload)
        assert not record[column].startswith(FORMULA_START)


CONTROL = ("\x1b", "\x07", "\x00", "\x9b", "\u202e", "\n", "\r")


def test_every_column_is_sanitized(example_report: Report) -> None:
    """Not only the message: account, region, ARN, source and fingerprint carry record text."""
    base = example_report.results[0]
    hostile = "\x1b[2J\x07\x00\x9b1m\u202eX\n::error::spoof\r"
    resource = dataclasses.replace(
        base.resource,
        name=hostile,
        arn="arn:aws:sagemaker:us-east-1:1:workforce/" + hostile,
        account="1" + hostile,
        region="r" + hostile,
        source="s" + hostile,
        address="a" + hostile,
    )
    rule = dataclasses.replace(base.rule, id="WF" + hostile, title=hostile, remediation=hostile)
    result = base._replace(
        rule=rule,
        resource=resource,
        message=hostile,
        path=hostile,
        evidence=((hostile, hostile),),
        annotation={"reason": hostile},
    )
    text = get_writer("csv").render(dataclasses.replace(example_report, results=(result,)))
    _, cells = list(csv.reader(io.StringIO(text, newline="")))
    assert len(cells) == len(COLUMNS)
    for column, cell in zip(COLUMNS, cells):
        assert not any(char in cell for char in CONTROL), (column, cell)
    assert text.count("\n") == 2  # the header and one row: no value started a line
    assert not any(line.startswith("::") for line in text.splitlines())


def row(result: Result) -> str:
    """One result as a CSV row (without the row end), from its parts alone."""
    head, remediation = _rule_parts(result.rule)
    status, rest = _verdict_parts(
        Verdict(result.status, result.message, result.path, result.evidence, result.annotation),
        result.rule,
        result.resource,
    )
    fingerprint = _fingerprint_cell(csv_cell(result.rule_id), terminal_line(result.resource.key))
    if not result.status.is_finding:
        remediation = ""
    return ",".join((head, status, _record_part(result.resource), rest, remediation, fingerprint))


@pytest.mark.parametrize("arn_tail", ["plain", "a,b", 'say "hi"', 'both,"x"'])
def test_streamed_rows_equal_one_row_per_result(example_report: Report, arn_tail: str) -> None:
    """The writer fills cached row templates; each line must be what ``row`` makes alone, for
    keys that need quoting in the fingerprint cell too (and for the records that share a
    template with them)."""
    results = []
    for result in example_report.results:
        arn = result.resource.arn
        resource = dataclasses.replace(result.resource, arn=f"{arn}-{arn_tail}" if arn else None)
        results.append(result._replace(resource=resource))
    report = dataclasses.replace(example_report, results=(*results, *example_report.results))
    text = get_writer("csv").render(report, RenderOptions())
    expected = [row(result) for result in report.results]
    assert text.split("\r\n")[1:-1] == expected
    assert any(arn_tail.replace('"', '""') in line for line in expected)


@pytest.mark.parametrize(
    "cells",
    [
        ["a", "b"],
        ["", ""],
        [""],
        ["a"],
        ["a,b", "c"],
        ['say "hi"', "x"],
        ["'=1+2", " lead", "trail "],
        ["", "x", ""],
    ],
)
def test_line_is_what_the_csv_module_writes(cells: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="", quoting=csv.QUOTE_MINIMAL).writerow(cells)
    assert _line(cells) == buffer.getvalue()


def test_remediation_only_where_there_may_be_something_to_do(example_report: Report) -> None:
    text = get_writer("csv").render(example_report, RenderOptions())
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    by_status = {row["status"] for row in rows}
    assert {"pass", "skip", "fail"} <= by_status
    for row in rows:
        rule = next(r for r in example_report.rules if r.id == row["rule_id"])
        finding = Status(row["status"]).is_finding
        assert row["remediation"] == (csv_cell(rule.remediation) if finding else ""), row
