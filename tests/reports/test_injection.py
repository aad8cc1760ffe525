"""The injection corpus through EVERY registered writer, each checked for its own format.

The formats come from ``WRITER_BY_NAME`` when the tests run, so a new writer is covered the
moment it is registered; a format with no check here fails until one is added.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import lxml.etree
import lxml.html
import pytest

from checker.model import ErrorEntry, Report, Status
from checker.reports import WRITER_BY_NAME, get_writer
from checker.reports.interface import RenderOptions
from tests.reports.conftest import INJECTIONS

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def corpus_report(hostile_report: Report) -> Report:
    """The hostile workforces, plus collection errors and notes carrying the same payloads."""
    return replace(
        hostile_report,
        errors=tuple(
            ErrorEntry("aws", payload, "AccessDenied", "123456789012", "us-east-1")
            for payload in INJECTIONS
        ),
        notes=tuple(INJECTIONS),
    )


def failing(report: Report) -> list[Any]:
    return [r for r in report.results if r.status is Status.FAIL]


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def check_json(text: str, report: Report) -> None:
    data = json.loads(text)
    assert len(data["results"]) == len(report.results)
    for item, result in zip(data["results"], report.results):
        assert item["resource"]["name"] == result.resource.name  # exact, ESC and all
        assert item["message"] == result.message
        assert item["resource"]["arn"] == result.resource.arn
    assert [e["message"] for e in data["errors"]] == INJECTIONS


def check_json_document(text: str, report: Report) -> None:
    """SARIF, ASFF: valid JSON whose strings carry the record values exactly."""
    strings = "\n".join(json_strings(json.loads(text)))
    for result in failing(report):
        assert result.resource.name in strings, result.resource.name


def check_table(text: str, report: Report) -> None:
    assert not CONTROL.search(text.replace("\n", "")), "control character or escape in output"
    assert "wf-0<script>alert(1)</script>" in text  # shown as text, just without escapes


def check_markdown(text: str, report: Report) -> None:
    tags = set(re.findall(r"<[^>]*>", text))
    assert tags <= {"<details>", "</details>", "<summary>", "</summary>"}, tags
    assert "<" not in re.sub(r"</?(details|summary)>", "", text)
    assert not re.search(r"(?<!\\)\]\(", text), "link or image syntax"
    assert not re.search(r"(?<!\\)`", text), "code span"
    assert "\r" not in text and not CONTROL.search(text.replace("\n", ""))
    in_table = False
    width = 0
    for line in text.splitlines():
        if line.startswith("| "):
            cells = len(re.split(r"(?<!\\)\|", line)) - 2
            if not in_table:
                in_table, width = True, cells
            assert cells == width, f"a value broke the table: {line[:120]}"
        elif not line.startswith("|"):
            in_table = False


def check_html(text: str, report: Report) -> None:
    doc = lxml.html.fromstring(text)
    assert len(doc.findall(".//script")) == 1 and not doc.findall(".//img")
    for element in doc.iter():
        if isinstance(element.tag, str):
            assert not [a for a in element.attrib if a.startswith("on")], element.attrib
    for raw in (
        '" onmouseover="alert(1)',
        "<script>alert(1)</script>",
        "'><img",
        "</td></tr><tr><td>",
    ):
        assert raw not in text, raw
    assert "wf-0<script>alert(1)</script>" in doc.text_content()
    assert "\x1b" not in text and "\x07" not in text


COMMAND = re.compile(r"^::(error|warning|notice)( [a-z]+=[^:,]*(,[a-z]+=[^:,]*)*)?::(.*)$")


def check_github(text: str, report: Report) -> None:
    assert "\r" not in text and not CONTROL.search(text.replace("\n", ""))
    lines = text.splitlines()
    annotated = [
        r for r in report.results if r.status in (Status.FAIL, Status.ERROR, Status.UNKNOWN)
    ]
    assert len(lines) == len(annotated) + len(report.errors) + 1
    for line in lines[:-1]:
        match = COMMAND.match(line)
        assert match, f"not one well-formed command: {line[:160]}"
        assert "%25" in line or "%" not in match[4].replace("%0A", "").replace("%0D", "")
    assert not lines[-1].startswith("::")
    assert any("100%25 %250A%2525" in line for line in lines)


def check_csv(text: str, report: Report) -> None:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(report.results) + 1
    width = len(rows[0])
    for row in rows:
        assert len(row) == width
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def check_junit(text: str, report: Report) -> None:
    root = lxml.etree.fromstring(text.encode("utf-8"))  # a strict XML parser
    allowed = {
        "testsuites",
        "testsuite",
        "testcase",
        "failure",
        "skipped",
        "error",
        "properties",
        "property",
        "system-out",
        "system-err",
    }
    assert {element.tag for element in root.iter()} <= allowed
    values = {v for element in root.iter() for v in element.attrib.values()}
    values |= {t for element in root.iter() for t in [element.text] if t}
    blob = "\n".join(values)
    for result in failing(report):
        name = result.resource.name or ""
        if not CONTROL.search(name):  # XML 1.0 cannot carry control characters at all
            assert name in blob, name


CHECKS: dict[str, Callable[[str, Report], None]] = {
    "table": check_table,
    "json": check_json,
    "markdown": check_markdown,
    "html": check_html,
    "github": check_github,
    "csv": check_csv,
    "sarif": check_json_document,
    "asff": check_json_document,
    "junit": check_junit,
}


@pytest.mark.parametrize("name", sorted(WRITER_BY_NAME))
def test_every_writer_escapes_the_corpus(name: str, corpus_report: Report) -> None:
    assert name in CHECKS, f"format {name!r} has no injection check: add one to CHECKS"
    text = get_writer(name).render(corpus_report, RenderOptions(show_passed=True))
    CHECKS[name](text, corpus_report)


def test_the_corpus_reaches_the_results(corpus_report: Report) -> None:
    names = {r.resource.name for r in corpus_report.results}
    for index, payload in enumerate(INJECTIONS):
        assert f"wf-{index}{payload}" in names
    assert any(payload in r.message for r in failing(corpus_report) for payload in INJECTIONS)


def naive(report: Report, line: Callable[[str], str], head: str = "", tail: str = "") -> str:
    """What a writer that forgot to escape would print: record names pasted in raw."""
    return head + "".join(line(r.resource.name or "") for r in report.results) + tail


NAIVE = {
    "table": lambda r: naive(r, lambda v: v + "\n"),
    "markdown": lambda r: naive(r, lambda v: f"| {v} |\n", "| name |\n|---|\n"),
    "html": lambda r: naive(
        r, lambda v: f'<p title="{v}">{v}</p>', "<html><body><script></script>", "</body></html>"
    ),
    "github": lambda r: naive(r, lambda v: f"::error title={v}::{v}\n", tail="summary\n"),
    "csv": lambda r: naive(r, lambda v: v.replace("\n", " ") + "\n", "name\n"),
}


@pytest.mark.parametrize("name", sorted(NAIVE))
def test_each_check_rejects_an_unescaped_rendering(name: str, corpus_report: Report) -> None:
    with pytest.raises(AssertionError):
        CHECKS[name](NAIVE[name](corpus_report), corpus_report)
