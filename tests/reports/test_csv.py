"""CSV: stable columns, one row per result, no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from checker.model import Report
from checker.reports import get_writer
from checker.reports.csv import COLUMNS, neutralize
from checker.reports.interface import RenderOptions
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
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=x", "'=x"),
        ("plain text", "plain text"),
    ],
)
def test_neutralize(cell: str, expected: str) -> None:
    assert neutralize(cell) == expected


def test_injection_corpus(hostile_report: Report) -> None:
    text = get_writer("csv").render(hostile_report, RenderOptions())
    _header, *body = list(csv.reader(io.StringIO(text, newline="")))
    assert len(body) == len(hostile_report.results)
    for cells in body:
        assert len(cells) == len(COLUMNS)
        for cell in cells:
            assert not cell.startswith(FORMULA_START), cell
    # Values survive intact (quoted newlines included), behind the quote when neutralized.
    names = {dict(zip(COLUMNS, cells))["workforce"] for cells in body}
    for index, payload in enumerate(INJECTIONS):
        assert f"wf-{index}{payload}" in names
    # Rows end in CRLF; a newline inside a value never starts a row.
    assert text.count("\r\n") >= len(body) + 1


@pytest.mark.parametrize("payload", INJECTIONS)
def test_payload_at_the_start_of_a_cell(example_report: Report, payload: str) -> None:
    base = example_report.results[0]
    resource = dataclasses.replace(base.resource, name=payload, address=payload)
    result = base._replace(
        resource=resource, message=payload, path=payload, annotation={"reason": payload}
    )
    (_, cells) = rows(dataclasses.replace(example_report, results=(result,)))
    record = dict(zip(COLUMNS, cells))
    expected = "'" + payload if payload.startswith(FORMULA_START) else payload
    for column in ("workforce", "address", "message", "path", "reason"):
        assert record[column] == expected
