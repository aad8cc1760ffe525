"""The injection corpus through EVERY registered writer, each checked for its own format.

Every string-bearing input a report carries is hostile here: record values (names, failure
reasons, OIDC URLs, and the messages rules quote them in), snapshot ``errors[]`` entries and
unit notes, policy rule ids, titles, descriptions, remediations and references, file names
(sources, policies, resource locations), Terraform addresses and planned actions, and waiver
fields (reason, owner, expiry, ticket). The formats come from ``WRITER_BY_NAME`` when the tests
run, so a new writer is covered the moment it is registered; a format with no check here fails
until one is added.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import lxml.etree
import lxml.html
import pytest

from checker.model import ErrorEntry, Location, Result, Status, UnitStatus
from checker.reports import WRITER_BY_NAME, get_writer
from checker.reports.escape import terminal_line
from checker.reports.interface import RenderOptions
from checker.results import Report
from tests.reports.conftest import INJECTIONS

# C0 (but line feed), DEL, C1, bidi controls and isolates, zero-width, line separators, BOM.
UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)
RAW_IN_JSON = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
VALID_COMMAND = re.compile(r"^::(error|warning|notice)( [a-z]+=[^:,]*(,[a-z]+=[^:,]*)*)?::(.*)$")


def hostile_result(result: Result, index: int) -> Result:
    """``result`` with every other string-bearing field carrying a payload too."""
    payload = INJECTIONS[index % len(INJECTIONS)]
    rule = dataclasses.replace(
        result.rule,
        id=f"{result.rule.id}{payload}",
        title=f"title {payload}",
        description=payload,
        remediation=f"fix {payload}",
        references=(f"https://example.com/{payload}",),
    )
    resource = dataclasses.replace(
        result.resource,
        source=f"plans/{payload}.json",
        address=f"module.{payload}.aws_sagemaker_workforce.main",
        location=Location(f"infra/{payload}.tf", 3),
        action=f"update {payload}",
    )
    status = result.status
    annotation = result.annotation
    if status is Status.FAIL and index % 3 == 1:
        status = Status.WAIVED
        annotation = {"waiver": dict.fromkeys(("reason", "owner", "expires", "ticket"), payload)}
    elif status is Status.FAIL and index % 3 == 2:
        status, annotation = Status.BASELINE, {"baseline": True, "reason": payload}
    return result._replace(rule=rule, resource=resource, status=status, annotation=annotation)


@pytest.fixture(scope="module")
def corpus_report(hostile_report: Report) -> Report:
    """The hostile workforces, with hostile rules, files, addresses, waivers, errors, units,
    notes, sources and policies."""
    results = tuple(hostile_result(result, n) for n, result in enumerate(hostile_report.results))
    return dataclasses.replace(
        hostile_report,
        rules=tuple(dict.fromkeys(result.rule for result in results)),
        results=results,
        errors=tuple(
            ErrorEntry(f"snap{payload}.json", payload, f"Code{payload}", payload, payload)
            for payload in INJECTIONS
        ),
        units=tuple(
            UnitStatus(f"snap{payload}.json", "error", 0, payload, payload, payload, payload)
            for payload in INJECTIONS
        ),
        sources=tuple(f"in{payload}.json" for payload in INJECTIONS),
        policies=tuple(f"policy{payload}.yaml" for payload in INJECTIONS),
        notes=tuple(INJECTIONS),
    )


def findings(report: Report, *statuses: Status) -> list[Result]:
    return [r for r in report.results if r.status in statuses]


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


def assert_one_line_each(text: str, allowed: Callable[[str], bool] = lambda line: False) -> None:
    """No unsafe character anywhere, and no line a CI runner would read as a workflow command
    (the runner trims leading whitespace) unless ``allowed`` says wfcheck wrote it."""
    found = UNSAFE.search(text)
    assert not found, f"unsafe character {found.group()!r} in output"
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            assert allowed(line), f"a value started a line: {line[:120]}"


def check_json(text: str, report: Report) -> None:
    assert not RAW_IN_JSON.search(text), "raw control character in JSON text"
    data = json.loads(text)
    assert data["schema_version"] == 2
    assert len(data["results"]) == len(report.results)
    for item, result in zip(data["results"], report.results, strict=True):
        resource = data["resources"][item["resource"]]
        assert resource["name"] == result.resource.name  # exact, ESC and all
        assert resource["address"] == result.resource.address
        assert resource["location"]["file"] == result.resource.location.file
        assert item["rule_id"] == result.rule_id
        assert item["message"] == result.message
        assert item.get("annotation") == (dict(result.annotation) if result.annotation else None)
        assert data["rules"][result.rule_id]["title"] == result.title
    assert [e["message"] for e in data["errors"]] == INJECTIONS
    assert [u["note"] for u in data["units"]] == INJECTIONS
    assert data["notes"] == INJECTIONS


def check_json_document(text: str, report: Report) -> None:
    """SARIF, ASFF: valid JSON, no raw control characters, strings that carry values exactly."""
    assert not RAW_IN_JSON.search(text), "raw control character in JSON text"
    strings = "\n".join(json_strings(json.loads(text)))
    for result in findings(report, Status.FAIL):
        assert result.resource.name in strings, result.resource.name
        assert result.resource.address in strings


def check_table(text: str, report: Report) -> None:
    assert_one_line_each(text)
    assert "wf-0<script>alert(1)" in text  # shown as text (cut to its column), no escapes
    assert "waived: " in text and "owner " in text and "expires " in text and "ticket " in text


def check_markdown(text: str, report: Report) -> None:
    assert_one_line_each(text)
    tags = set(re.findall(r"<[^>]*>", text))
    assert tags <= {"<details>", "</details>", "<summary>", "</summary>"}, tags
    assert "<" not in re.sub(r"</?(details|summary)>", "", text)
    assert not re.search(r"(?<!\\)\]\(", text), "link or image syntax"
    assert not re.search(r"(?<!\\)`", text), "code span"
    assert not re.search(r"(?<!\\)@", text), "mention"
    in_table = False
    width = 0
    for line in text.splitlines():
        if line.startswith("| "):
            cells = len(re.split(r"(?<!\\)\|", line)) - 2
            if not in_table:
                in_table, width = True, cells
            assert cells == width, f"a value broke the table: {line[:120]}"
        else:
            in_table = False


def check_html(text: str, report: Report) -> None:
    doc = lxml.html.fromstring(text)
    assert len(doc.findall(".//script")) == 1 and not doc.findall(".//img")
    for element in doc.iter():
        if isinstance(element.tag, str):
            assert not [a for a in element.attrib if a.startswith("on")], element.attrib
            href = element.get("href")
            assert href is None or re.fullmatch(r"#rule-[\w-]+", href), href
    for raw in (
        '" onmouseover="alert(1)',
        "<script>alert(1)</script>",
        "'><img",
        "</td></tr><tr><td>",
    ):
        assert raw not in text, raw
    assert "wf-0<script>alert(1)</script>" in doc.text_content()
    assert not UNSAFE.search(text.replace("\n", "")), "control or bidi character in the page"


def check_github(text: str, report: Report) -> None:
    lines = text.splitlines()
    annotated = findings(report, Status.FAIL, Status.ERROR, Status.UNKNOWN)
    assert len(lines) == len(annotated) + len(report.errors) + 1
    assert_one_line_each(text, allowed=lambda line: VALID_COMMAND.match(line) is not None)
    for line in lines[:-1]:
        match = VALID_COMMAND.match(line)
        assert match, f"not one well-formed command: {line[:160]}"
        assert "%25" in line or "%" not in match[4].replace("%0A", "").replace("%0D", "")
    assert not lines[-1].startswith("::")
    assert any("100%25 %250A%2525" in line for line in lines)


def check_csv(text: str, report: Report) -> None:
    assert_one_line_each(text.replace("\r\n", "\n"))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(report.results) + 1
    width = len(rows[0])
    for row in rows:
        assert len(row) == width
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


JUNIT_LABELS = re.compile(
    r"^(Rule|Severity|Status|Workforce|Resource|Account|Region|Source|Address|Location|"
    r"Planned action|Path|Message|Evidence [^:]*|Reason|Owner|Expires|Ticket|Baseline|"
    r"Remediation): "
)


def check_junit(text: str, report: Report) -> None:
    assert_one_line_each(text)
    root = lxml.etree.fromstring(text.encode("utf-8"))  # a strict XML parser
    allowed = {"testsuites", "testsuite", "testcase", "failure", "skipped", "error"}
    assert {element.tag for element in root.iter()} <= allowed
    for element in root.iter():
        for value in element.attrib.values():
            assert "\n" not in value and not UNSAFE.search(value), value
        if element.tag in ("failure", "skipped", "error") and element.get("type") != "Code":
            lines = element.text.split("\n") if element.text else []
            if element.getparent().get("classname") != "collection":
                for line in lines:  # every line of the details starts with wfcheck's label
                    assert JUNIT_LABELS.match(line), line[:120]
    blob = "\n".join(
        [v for element in root.iter() for v in element.attrib.values()]
        + [element.text for element in root.iter() if element.text]
    )
    for result in findings(report, Status.FAIL):
        assert terminal_line(result.resource.name or "") in blob, result.resource.name


CHECKS: dict[str, Callable[[str, Report], None]] = {
    "table": check_table,
    "json": check_json,
    "markdown": check_markdown,
    "html": check_html,
    "github": check_github,
    "csv": check_csv,
    "sarif": check_json_document,
    "asff": check_json_document,
    "ocsf": check_json_document,
    "junit": check_junit,
}


@pytest.mark.parametrize("show_passed", [False, True])
@pytest.mark.parametrize("name", sorted(WRITER_BY_NAME))
def test_every_writer_escapes_the_corpus(
    name: str, show_passed: bool, corpus_report: Report
) -> None:
    assert name in CHECKS, f"format {name!r} has no injection check: add one to CHECKS"
    text = get_writer(name).render(corpus_report, RenderOptions(show_passed=show_passed, width=100))
    CHECKS[name](text, corpus_report)


def test_the_corpus_reaches_the_results(corpus_report: Report) -> None:
    names = {r.resource.name for r in corpus_report.results}
    for index, payload in enumerate(INJECTIONS):
        assert f"wf-{index}{payload}" in names
    assert any(
        payload in r.message for r in findings(corpus_report, Status.FAIL) for payload in INJECTIONS
    )
    statuses = {r.status for r in corpus_report.results}
    assert {Status.FAIL, Status.WAIVED, Status.BASELINE, Status.PASS} <= statuses


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
    "junit": lambda r: naive(
        r,
        lambda v: f'<testcase name="x"><failure>Rule: {v}</failure></testcase>',
        "<testsuites>",
        "</testsuites>",
    ),
}


@pytest.mark.parametrize("name", sorted(NAIVE))
def test_each_check_rejects_an_unescaped_rendering(name: str, corpus_report: Report) -> None:
    with pytest.raises((AssertionError, lxml.etree.XMLSyntaxError)):
        CHECKS[name](NAIVE[name](corpus_report), corpus_report)
