"""The HTML report in a real headless Chromium (Debian's ``chromium``), driven over CDP.

Checks what only a browser can: the page runs with no console error (a wrong CSP hash shows up
here), it renders, the filter hides and shows rows, and hostile record values execute nothing
even when the reader moves the mouse over them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from checker.model import ErrorEntry, Status
from checker.reports.html import WRITER as HTML
from checker.reports.interface import RenderOptions
from checker.results import Report
from tests.helpers import report_for
from tests.reports.cdp import Browser, Page, chromium_path
from tests.reports.conftest import hostile_workforces

pytestmark = pytest.mark.browser

EXECUTABLE = chromium_path()
MISSING = (
    "Chromium is not installed (apt-get install chromium); the HTML report's browser tests need it"
)
if EXECUTABLE is None and not os.environ.get("CI"):
    pytest.skip(MISSING + "; they run in CI", allow_module_level=True)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if EXECUTABLE is None:  # in CI, where .ci/run installs it: a missing browser is a failure
        pytest.fail(MISSING + " and CI is set", pytrace=False)
    instance = Browser(EXECUTABLE, tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()


def open_report(
    browser: Browser,
    tmp_path: Path,
    report: Report,
    name: str = "report.html",
    html: str | None = None,
) -> Page:
    path = tmp_path / name
    path.write_text(
        html if html is not None else HTML.render(report, RenderOptions()), encoding="utf-8"
    )
    return browser.open(path)


VISIBLE_ROWS = """
[...document.querySelectorAll('tbody.finding')]
  .filter(row => row.getClientRects().length > 0)
  .map(row => [row.dataset.severity, row.dataset.rule, row.dataset.status])
"""


def choose(page: Page, name: str, value: str) -> list[list[str]]:
    """Pick ``value`` in the filter's ``name`` select as a user would; the visible rows."""
    page.evaluate(f"""(() => {{
        const select = document.querySelector('#filters select[name={json.dumps(name)}]');
        select.value = {json.dumps(value)};
        select.dispatchEvent(new Event('change', {{bubbles: true}}));
    }})()""")
    rows: list[list[str]] = page.evaluate(VISIBLE_ROWS)
    return rows


def test_page_loads_without_console_errors(
    browser: Browser, tmp_path: Path, example_report: Report
) -> None:
    page = open_report(browser, tmp_path, example_report)
    try:
        assert page.evaluate("document.title").startswith("wfcheck report: ")
        assert page.evaluate("document.getElementById('filters').hidden") is False
        assert page.problems() == []
    finally:
        page.close()


def test_a_broken_script_hash_would_be_caught(
    browser: Browser, tmp_path: Path, example_report: Report
) -> None:
    """The harness sees CSP violations: a script the policy does not allow is reported."""
    html = HTML.render(example_report, RenderOptions()).replace(
        '"use strict";', '"use strict"; ', 1
    )
    page = open_report(browser, tmp_path, example_report, html=html)
    try:
        assert any("Content Security Policy" in problem for problem in page.problems())
        assert page.evaluate("document.getElementById('filters').hidden") is True
    finally:
        page.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshot_renders(browser: Browser, tmp_path: Path, example_report: Report) -> None:
    page = open_report(browser, tmp_path, example_report)
    try:
        shot = page.screenshot()
        (tmp_path / "report.png").write_bytes(shot)
        assert png_size(shot) == (1280, 900)
        assert len(shot) > 20_000, "a blank page compresses to a few kilobytes"
        # The chart was laid out: its high-severity bar has the full track width.
        widths = page.evaluate(
            "[...document.querySelectorAll('#totals svg rect')]"
            ".map(r => r.getBoundingClientRect().width)"
        )
        assert max(widths) == 320
    finally:
        page.close()


def test_filter_by_severity_rule_and_status(
    browser: Browser, tmp_path: Path, example_report: Report
) -> None:
    waived = next(r for r in example_report.results if r.status is Status.FAIL)
    report = replace(
        example_report, results=(*example_report.results, waived._replace(status=Status.WAIVED))
    )
    listed = [r for r in report.results if r.status.is_finding]
    page = open_report(browser, tmp_path, report)
    try:
        assert len(page.evaluate(VISIBLE_ROWS)) == len(listed)

        rows = choose(page, "severity", "high")
        assert rows and {row[0] for row in rows} == {"high"}
        assert len(rows) == sum(1 for r in listed if r.severity == "high")
        assert page.evaluate("document.getElementById('shown').textContent") == str(len(rows))

        rows = choose(page, "rule", waived.rule_id)  # severity high AND this rule
        assert len(rows) == sum(1 for r in listed if r.rule_id == waived.rule_id)
        assert {row[1] for row in rows} == {waived.rule_id}

        rows = choose(page, "status", "waived")
        assert rows == [[waived.severity, waived.rule_id, "waived"]]

        rows = choose(page, "severity", "critical")  # with that rule and status: nothing
        assert rows == []
        assert page.evaluate("document.querySelector('select[name=severity]').value") == (
            "critical"
        )
        assert page.evaluate("document.getElementById('no-match').hidden") is False

        page.evaluate("document.getElementById('filters').reset()")
        page.evaluate("new Promise(r => setTimeout(r, 50))")
        assert len(page.evaluate(VISIBLE_ROWS)) == len(listed)
        assert page.problems() == []
    finally:
        page.close()


SENTINEL = "window.__pwned=1"


def sentinel_report() -> Report:
    """The hostile corpus with every ``alert(1)`` turned into a sentinel assignment, and a few
    more payloads aimed at attributes, styles and SVG."""
    text = json.dumps(hostile_workforces()).replace("alert(1)", SENTINEL)
    workforces = json.loads(text)
    extra = [
        '" onmouseover="' + SENTINEL + '" x="',
        "</style><script>" + SENTINEL + "</script>",
        "<svg onload=" + SENTINEL + ">",
        "<iframe srcdoc='<script>parent." + SENTINEL + "</script>'>",
        "javascript:" + SENTINEL,
    ]
    for index, payload in enumerate(extra):
        workforce = dict(workforces[0])
        workforce["WorkforceName"] = f"x-{index}{payload}"
        workforce["WorkforceArn"] = f"arn:aws:sagemaker:us-east-1:123456789012:workforce/x-{index}"
        workforce["FailureReason"] = payload
        workforces.append(workforce)
    report = report_for(workforces)
    return replace(
        report,
        errors=(ErrorEntry(extra[0], extra[1], extra[2], extra[3], extra[4]),),
        notes=(extra[1],),
    )


@pytest.mark.parametrize("rows", [None, 3])
@pytest.mark.parametrize("corpus", ["sentinel", "hostile_report"])
def test_hostile_values_execute_nothing(
    browser: Browser,
    tmp_path: Path,
    hostile_report: Report,
    corpus: str,
    rows: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``rows``, only the first findings are rendered by the template: the script builds
    the others from the page's data, and those must be as inert."""
    if rows is not None:
        monkeypatch.setattr("checker.reports.html.PAGE_ROWS", rows)
    report = sentinel_report() if corpus == "sentinel" else hostile_report
    page = open_report(browser, tmp_path, report)
    try:
        # Hover over every cell, where an injected onmouseover would fire.
        centers = page.evaluate("""[...document.querySelectorAll('td, dd, dt, li, p')]
            .map(el => { el.scrollIntoView({block: 'center'});
                         const r = el.getBoundingClientRect();
                         return [r.x + r.width / 2, r.y + r.height / 2]; })
            .slice(0, 400)""")
        assert len(centers) > 50
        for x, y in centers[:: max(1, len(centers) // 150)]:
            page.mouse_move(x, y)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.events("Page.javascriptDialogOpening") == []
        executable = "[...document.scripts].filter(s => s.type !== 'application/json').length"
        assert page.evaluate(executable) == 1
        listed = "document.querySelectorAll('#findings tbody.finding:not([hidden])').length"
        assert page.evaluate(listed) == sum(1 for r in report.results if r.status.is_finding)
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.evaluate("document.querySelectorAll('svg').length") == 1  # the chart only
        handlers = page.evaluate("""[...document.querySelectorAll('*')]
            .flatMap(el => [...el.attributes].map(a => a.name))
            .filter(name => name.startsWith('on'))""")
        assert handlers == []
        # The payloads are on the page as text for the reviewer to read.
        assert page.evaluate("document.body.innerText.includes('<script>')") is True
        assert page.problems() == []
    finally:
        page.close()


def test_prints_cleanly(browser: Browser, tmp_path: Path, example_report: Report) -> None:
    page = open_report(browser, tmp_path, example_report)
    try:
        browser.send("Emulation.setEmulatedMedia", {"media": "print"}, page.session)
        assert page.evaluate("getComputedStyle(document.getElementById('filters')).display") == (
            "none"
        )
        assert page.evaluate("getComputedStyle(document.body).maxWidth") == "none"
        pdf = base64.b64decode(
            browser.send("Page.printToPDF", {"printBackground": False}, page.session)["data"]
        )
        assert pdf.startswith(b"%PDF-")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 < pages < 40, pages
    finally:
        page.close()


LARGE = 100_000


@pytest.fixture(scope="module")
def large_page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The HTML report of a 100,000-workforce estate (written as a scan writes it)."""
    from benchmarks.synthetic import synthetic_workforces
    from checker.reports.html import WRITER

    report = report_for(
        synthetic_workforces(LARGE),
        var_overrides=("allowed_oidc_issuers=https://idp.example.com,https://login.example.org",),
    )
    expected = {
        "findings": sum(1 for r in report.results.findings()),
        "critical": sum(1 for r in report.results.findings() if r.severity == "critical"),
    }
    path = tmp_path_factory.mktemp("large") / "large.html"
    with path.open("w", encoding="utf-8") as handle:
        WRITER.write(report, handle, RenderOptions())
    return path, expected


def test_a_100k_workforce_report_opens_and_filters(
    browser: Browser, large_page_file: tuple[Path, dict[str, int]]
) -> None:
    """Every finding is in the page; the first 2,000 are rows, the rest data the script shows
    a page at a time (what keeps a 100,000-workforce report opening in seconds)."""
    from checker.reports.html import PAGE_ROWS

    path, expected = large_page_file
    assert path.stat().st_size < 40_000_000  # findings in full, passes only counted
    page = browser.open(path)
    try:
        visible_rows = (
            "[...document.querySelectorAll('#findings tbody.finding')]"
            ".filter(row => !row.hidden).length"
        )
        assert page.evaluate(visible_rows) == PAGE_ROWS
        assert page.evaluate("document.getElementById('matching').textContent") == str(
            expected["findings"]
        )
        assert expected["findings"] > 10 * PAGE_ROWS
        assert page.evaluate("document.getElementById('filters').hidden") is False
        page.evaluate("""(() => {
            const select = document.querySelector('#filters select[name=severity]');
            select.value = 'critical';
            select.dispatchEvent(new Event('change', {bubbles: true}));
        })()""")
        critical = expected["critical"]
        assert PAGE_ROWS < critical < 2 * PAGE_ROWS  # one more page to show
        assert page.evaluate("document.getElementById('matching').textContent") == str(critical)
        assert page.evaluate(visible_rows) == PAGE_ROWS
        page.evaluate("document.getElementById('more').click()")
        assert page.evaluate(visible_rows) == critical
        assert page.evaluate("document.getElementById('more').hidden") is True
        severities = page.evaluate(
            "[...new Set([...document.querySelectorAll('#findings tbody.finding')]"
            ".filter(row => !row.hidden).map(row => row.dataset.severity))]"
        )
        assert severities == ["critical"]
        assert page.problems() == []
    finally:
        page.close()
