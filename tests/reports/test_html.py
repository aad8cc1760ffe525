"""The HTML report, read as a document: content, self-containment, CSP, escaping, packaging."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace

import lxml.html
import pytest

from checker.model import ErrorEntry, Status, UnitStatus
from checker.reports.html import WRITER as HTML
from checker.reports.interface import RenderOptions
from checker.results import Report
from tests.golden_files import assert_golden, scan_examples
from tests.reports.conftest import INJECTIONS

FAILING = (Status.FAIL, Status.ERROR, Status.UNKNOWN)


def page(report: Report, **options: bool) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(HTML.render(report, RenderOptions(**options)))


def text_of(element: lxml.html.HtmlElement) -> str:
    return " ".join(" ".join(element.itertext()).split())


def test_examples_match_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_examples(monkeypatch, "--format", "html")
    assert result.code == 1, result.err
    assert_golden("examples.html", result.out)


def test_page_is_self_contained(example_report: Report) -> None:
    html = HTML.render(example_report, RenderOptions())
    doc = lxml.html.fromstring(html)
    assert [
        el.tag for el in doc.iter("script", "style", "link", "img", "iframe", "object", "embed")
    ] == ["style", "script"]
    assert doc.find(".//script").get("src") is None
    for element in doc.iter():
        for name in ("src", "action", "data", "poster"):
            assert element.get(name) is None, (element.tag, name)
        href = element.get("href")
        assert href is None or href.startswith("#rule-"), href  # in-page links only
    assert "url(" not in html and "@import" not in html


def sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_content_security_policy_allows_only_the_shipped_script_and_style(
    example_report: Report,
) -> None:
    html = HTML.render(example_report, RenderOptions())
    doc = lxml.html.fromstring(html)
    meta = doc.find(".//meta[@http-equiv='Content-Security-Policy']")
    policy = dict(part.strip().split(" ", 1) for part in meta.get("content").split(";"))
    assert policy["default-src"] == "'none'"
    # Hash the exact bytes between the tags, as the browser does.
    style = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    script = re.search(r"<script>(.*?)</script>", html, re.S)[1]
    assert policy["style-src"] == f"'{sha256(style)}'"
    assert policy["script-src"] == f"'{sha256(script)}'"
    assert "unsafe" not in meta.get("content")
    # The policy comes before anything it governs.
    assert html.index("Content-Security-Policy") < html.index("<style>")


def test_scope_names_what_was_checked(example_report: Report) -> None:
    scope = text_of(page(example_report).get_element_by_id("scope"))
    for account in ("111111111111", "222222222222", "333333333333"):
        assert account in scope
    for region in ("ap-southeast-2", "eu-central-1", "eu-west-1", "us-east-1"):
        assert region in scope
    for policy in example_report.policies:
        assert policy in scope
    assert "Sources (1) memory" in scope
    assert "Generated at 2026-11-25T00:00:00Z" in scope
    assert f"Tool version wfcheck {example_report.tool_version}" in scope
    assert f"Workforces {example_report.records}" in scope


def test_severity_chart_is_inline_svg(example_report: Report) -> None:
    svg = page(example_report).find(".//{http://www.w3.org/2000/svg}svg")
    if svg is None:  # lxml.html keeps the tag name without a namespace
        svg = page(example_report).find(".//svg")
    labels = [t.text for t in svg.iter("text")]
    expected = {
        sev: sum(1 for r in example_report.results if r.severity == sev and r.status in FAILING)
        for sev in ("critical", "high", "medium", "low", "info")
    }
    assert labels == [part for sev, n in expected.items() for part in (sev, str(n))]
    bars = [int(rect.get("width")) for rect in svg.iter("rect")][1::2]
    assert bars[1] == 320 and all(0 <= width <= 320 for width in bars)  # high is the largest


def test_breakdown_has_one_row_per_account_and_region(example_report: Report) -> None:
    rows = page(example_report).get_element_by_id("breakdown").findall(".//tbody/tr")
    places = {(r.resource.account, r.resource.region) for r in example_report.results}
    assert [tuple(cell.text for cell in row[:2]) for row in rows] == sorted(places)
    for row in rows:
        account, region = row[0].text, row[1].text
        failing = sum(
            1
            for r in example_report.results
            if r.status in FAILING and (r.resource.account, r.resource.region) == (account, region)
        )
        assert sum(int(cell.text) for cell in row[3:8]) == failing


def test_findings_carry_message_evidence_and_a_link_to_the_fix(example_report: Report) -> None:
    doc = page(example_report)
    findings = doc.find_class("finding")
    listed = [r for r in example_report.results if r.status.is_finding]
    assert len(findings) == len(listed)
    assert [f.get("data-status") for f in findings][:3] == ["fail"] * 3
    assert findings[0].get("data-severity") == "critical"
    with_evidence = next(r for r in example_report.results if r.evidence)
    row = next(
        f
        for f in findings
        if f.get("data-rule") == with_evidence.rule_id and with_evidence.resource.key in text_of(f)
    )
    text = text_of(row)
    assert with_evidence.message in text
    name, value = with_evidence.evidence[0]
    assert f"{name} {value}" in text
    (link,) = [a for a in row.iter("a")]
    rule = doc.get_element_by_id(link.get("href")[1:])  # the rule's own entry, once
    assert f"Fix: {with_evidence.remediation}" in text_of(rule)
    assert text_of(doc).count(f"Fix: {with_evidence.remediation}") == 1


def test_skips_and_passes_are_counted_not_listed(example_report: Report) -> None:
    doc = page(example_report)
    statuses = {f.get("data-status") for f in doc.find_class("finding")}
    assert statuses <= {"fail", "error", "unknown", "waived", "baseline"}
    assert doc.find_class("passed") == []
    rules = doc.get_element_by_id("rules")
    skipped = sum(1 for r in example_report.results if r.status is Status.SKIP)
    counted = sum(int(row.findall("td")[-2].text) for row in rules.findall(".//tbody/tr[1]"))
    assert counted == skipped
    scope = text_of(doc.get_element_by_id("findings-section"))
    assert "use --show-passed to list them too" in scope


def test_waived_findings_show_reason_owner_expiry_and_ticket(example_report: Report) -> None:
    failing = next(r for r in example_report.results if r.status is Status.FAIL)
    waiver = {
        "reason": "vendor onboarding",
        "owner": "sec@example.com",
        "expires": "2027-01-31",
        "ticket": "SEC-42",
    }
    waived = failing._replace(status=Status.WAIVED, annotation={"waiver": waiver})
    report = replace(example_report, results=(waived,))
    (row,) = page(report).find_class("finding")
    text = text_of(row)
    for label, value in waiver.items():
        assert f"{label} {value}" in text


def test_filter_choices_list_what_the_findings_contain(example_report: Report) -> None:
    form = page(example_report).get_element_by_id("filters")
    choices = {
        select.get("name"): [o.get("value") for o in select.iter("option")][1:]
        for select in form.iter("select")
    }
    shown = [r for r in example_report.results if r.status.is_finding]
    assert set(choices["severity"]) == {r.severity for r in shown}
    assert choices["rule"] == sorted({r.rule_id for r in shown})
    assert set(choices["status"]) == {r.status.value for r in shown}
    assert form.get("hidden") is not None, "hidden until the script runs"


def test_show_passed_lists_every_result(example_report: Report) -> None:
    doc = page(example_report, show_passed=True)
    listed = len(doc.find_class("finding")) + len(doc.find_class("passed"))
    assert listed == len(example_report.results)
    assert len(doc.find_class("passed")) == sum(
        1 for r in example_report.results if not r.status.is_finding
    )


def test_errors_section_lists_what_could_not_be_read(example_report: Report) -> None:
    payload = INJECTIONS[0]
    report = replace(
        example_report,
        errors=(
            ErrorEntry("aws", f"denied {payload}", "AccessDenied", "444444444444", "eu-north-1"),
        ),
        units=(UnitStatus("aws", "error", 0, "444444444444", "eu-north-1", note=payload),),
    )
    html = HTML.render(report, RenderOptions())
    section = lxml.html.fromstring(html).get_element_by_id("errors")
    assert "What could not be read (2)" in text_of(section)
    cells = [text_of(td) for td in section.iter("td")]
    assert cells[:5] == ["aws", "444444444444", "eu-north-1", "AccessDenied", f"denied {payload}"]
    assert payload in cells and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "444444444444" in text_of(lxml.html.fromstring(html).get_element_by_id("scope"))
    assert "this report is incomplete" in html


def test_no_errors_says_everything_was_read(example_report: Report) -> None:
    assert "Every source was read completely." in HTML.render(example_report, RenderOptions())


def test_hostile_values_are_text_not_markup(hostile_report: Report) -> None:
    html = HTML.render(hostile_report, RenderOptions(show_passed=True))
    doc = lxml.html.fromstring(html)
    assert len(doc.findall(".//script")) == 1
    assert not doc.findall(".//img") and not doc.findall(".//td//tr")
    for element in doc.iter():
        assert not any(name.startswith("on") for name in element.attrib), element.attrib
    text = doc.text_content()
    for payload in (
        "<script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "</td></tr><tr><td>",
        "{{ 7*7 }} ${7*7}",
    ):
        assert payload in text  # shown to the reader verbatim, as text
    assert "\x1b" not in html and "\x07" not in html
    assert "49" not in re.findall(r"wf-15[^<]*", html)[0], "no template evaluation"


def test_output_is_deterministic(example_report: Report) -> None:
    assert HTML.render(example_report, RenderOptions()) == HTML.render(
        example_report, RenderOptions()
    )


def test_findings_past_the_first_page_are_inert_data(
    hostile_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large report renders its first findings as rows and keeps the rest as JSON in a data
    block, which no value can close or turn into markup."""
    import json

    monkeypatch.setattr("checker.reports.html.PAGE_ROWS", 2)
    html = HTML.render(hostile_report, RenderOptions())
    doc = lxml.html.fromstring(html)
    scripts = doc.findall(".//script")
    assert [s.get("type") for s in scripts] == ["application/json", None]
    assert len(doc.find_class("finding")) == 2
    block = re.search(
        r'<script type="application/json" id="more-findings">(.*?)</script>', html, re.S
    )[1]
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    listed = [r for r in hostile_report.results if r.status.is_finding]
    assert len(data) == len(listed) - 2
    names = {row[5] for row in data}
    assert "wf-0<script>alert(1)</script>" in names  # the exact text, for textContent
    assert "more finding(s) are in this page's data" in text_of(doc)


def test_data_rows_are_the_findings_fields(
    hostile_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data block joins parts encoded once per record and verdict: each row must be the
    finding's fields, in the page's order, as one encoding of the whole row gives them."""
    import json

    from checker.reports import html as page

    monkeypatch.setattr(page, "PAGE_ROWS", 1)
    text = HTML.render(hostile_report, RenderOptions())
    block = re.search(r'id="more-findings">(.*?)</script>', text, re.S)[1]
    store = hostile_report.results
    ordered = [
        store.result(record, position) for record, position, _ in page._findings(hostile_report)
    ]
    expected = [
        json.loads(json.dumps([page._finding(result)[name] for name in page.DATA_FIELDS]))
        for result in ordered[1:]
    ]
    assert json.loads(block) == expected
    assert len(expected) > 10
