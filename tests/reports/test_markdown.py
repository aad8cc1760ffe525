"""The Markdown report: totals, failures table, details, escaping, and the 1 MiB budget."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from checker.model import ErrorEntry, Resource, Result, RuleInfo, Status
from checker.reports.interface import RenderOptions
from checker.reports.markdown import MAX_BYTES, md_cell, write_markdown
from checker.results import Report, summarize
from tests.golden_files import assert_golden, scan_examples

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def render_markdown(report: Report, options: RenderOptions, max_bytes: int = MAX_BYTES) -> str:
    buffer = io.StringIO()
    write_markdown(report, buffer, options, max_bytes)
    return buffer.getvalue()


def cells(line: str) -> list[str]:
    """The cells of a GFM table row, split on the pipes GitHub treats as separators."""
    assert line.startswith("| ") and line.endswith(" |"), line
    return [cell.strip() for cell in UNESCAPED_PIPE.split(line)[1:-1]]


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        (None, "-"),
        ("", "-"),
        ("a|b", "a\\|b"),
        ("`code`", "\\`code\\`"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        ("&lt;", "&amp;lt;"),
        ("line1\nline2\r\nline3\rend", "line1 line2 line3 end"),
        ("[link](javascript:alert(1))", "\\[link\\]\\(javascript:alert\\(1\\)\\)"),
        ("![img](x.png)", "\\!\\[img\\]\\(x.png\\)"),
        ("**bold** _it_ ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~"),
        ("ping @security-team #12", "ping \\@security-team \\#12"),
        ("$x^2$", "\\$x^2\\$"),
        ("https://evil.example/x", "https:\\/\\/evil.example/x"),
        ("see www.evil.example", "see www\\.evil.example"),
        ("back\\slash", "back\\\\slash"),
        ("\x1b[31mred\x1b[0m\x07", "red"),
        ("a\u202eb", "ab"),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_md_cell_makes_values_inert(raw: str | None, expected: str) -> None:
    assert md_cell(raw) == expected


def test_examples_match_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_examples(monkeypatch, "--format", "markdown")
    assert result.code == 1, result.err
    assert_golden("examples.md", result.out)


def test_totals_by_severity_match_the_summary(example_report: Report) -> None:
    text = render_markdown(example_report, RenderOptions())
    by_severity = summarize(example_report).gate_by_severity
    for severity, counts in by_severity.items():
        assert f"| {severity} | {counts['fail']} | {counts['error']} |" in text
    failing = sum(1 for r in example_report.results if r.status is Status.FAIL)
    assert text.startswith(f"## wfcheck: {failing} failing result(s)\n")


def test_failures_table_has_one_row_per_failing_result(example_report: Report) -> None:
    text = render_markdown(example_report, RenderOptions())
    section = text.split("### Failures", 1)[1].split("<details>", 1)[0]
    rows = table_rows(section)
    header, rows = cells(rows[0]), rows[1:]
    failing = [r for r in example_report.results if r.status is Status.FAIL]
    assert len(rows) == len(failing)
    assert all(len(cells(row)) == len(header) for row in rows)
    severities = [cells(row)[0] for row in rows]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index), "most severe first"


def test_remediation_is_collapsible(example_report: Report) -> None:
    text = render_markdown(example_report, RenderOptions())
    block = text.split("<details><summary>How to fix", 1)[1].split("</details>", 1)[0]
    failing_rules = {r.rule_id for r in example_report.results if r.status is Status.FAIL}
    for rule_id in failing_rules:
        assert f"- **{rule_id}**" in block
    # GitHub renders Markdown inside <details> only after a blank line.
    assert block.split("\n")[1] == ""


def test_no_failures_says_so(example_report: Report) -> None:
    clean = replace(
        example_report, results=tuple(r for r in example_report.results if r.status is Status.PASS)
    )
    text = render_markdown(clean, RenderOptions())
    assert text.startswith("## wfcheck: no failing results\n")
    assert "### Failures" not in text


def test_errors_and_accepted_results_get_their_own_sections(example_report: Report) -> None:
    waived = example_report.results[0]._replace(status=Status.WAIVED)
    report = replace(
        example_report,
        results=(*example_report.results, waived),
        errors=(
            ErrorEntry(
                "aws", "Access | <b>denied</b>\nnext", "AccessDenied", "111111111111", "eu-west-1"
            ),
        ),
    )
    text = render_markdown(report, RenderOptions())
    assert "**1 collection error(s)**" in text
    errors = text.split("<details><summary>Collection errors (1)</summary>", 1)[1]
    row = table_rows(errors)[1]
    assert cells(row) == [
        "aws",
        "111111111111",
        "eu-west-1",
        "AccessDenied",
        "Access \\| &lt;b&gt;denied&lt;/b&gt; next",
    ]
    assert "<details><summary>Accepted: waived or in the baseline (1)</summary>" in text


def test_show_passed_lists_passed_results(example_report: Report) -> None:
    text = render_markdown(example_report, RenderOptions(show_passed=True))
    passed = sum(1 for r in example_report.results if r.status in (Status.PASS, Status.SKIP))
    assert f"<summary>Passed and skipped ({passed})</summary>" in text
    assert "Passed and skipped" not in render_markdown(example_report, RenderOptions())


def tables(text: str) -> list[list[str]]:
    """Each table's rows (header first), as runs of consecutive ``| `` lines."""
    found: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        row = line.startswith("| ")
        if row and not previous:
            found.append([])
        if row:
            found[-1].append(line)
        previous = row
    return found


def test_hostile_values_cannot_break_the_table(hostile_report: Report) -> None:
    text = render_markdown(hostile_report, RenderOptions(show_passed=True))
    found = tables(text)
    assert len(found) >= 4  # totals, failures, results by rule, passed and skipped
    for table in found:
        assert {len(cells(row)) for row in table} == {len(cells(table[0]))}, table[0]
    rows = table_rows(text.split("### Failures", 1)[1])
    for row in rows:
        for cell in cells(row):
            assert "<" not in cell and ">" not in cell
            assert not re.search(r"(?<!\\)[`\[\]()]", cell), cell
    assert "\x1b" not in text and "\r" not in text


def big_report(count: int) -> Report:
    rules = {
        severity: RuleInfo(f"WF99{n}", "Synthetic rule", severity, "d", "Fix it | now")
        for n, severity in enumerate(("critical", "high", "low"))
    }
    results = tuple(
        Result(
            rules[("critical", "high", "low")[i % 3]],
            Status.FAIL,
            Resource(
                f"arn:aws:sagemaker:us-east-1:123456789012:workforce/wf-{i}",
                f"wf-{i}",
                "123456789012",
                "us-east-1",
                "memory",
            ),
            "x|<y>" * 50,
            "Path",
        )
        for i in range(count)
    )
    return Report(
        "0.0.0",
        datetime(2026, 11, 25, tzinfo=timezone.utc),
        tuple(rules.values()),
        results,
        records=count,
    )


def test_a_large_report_is_summarized_under_one_mebibyte() -> None:
    report = big_report(20_000)
    text = render_markdown(report, RenderOptions())
    size = len(text.encode("utf-8"))
    assert size <= MAX_BYTES <= 1024 * 1024
    assert size > MAX_BYTES - 64 * 1024, "uses the budget rather than cutting early"
    shown = len(table_rows(text.split("### Failures", 1)[1])) - 1
    assert 0 < shown < 20_000
    assert f"*…and {20_000 - shown} more failing result(s) not shown" in text
    # The totals still count everything, and the later sections still close.
    assert text.startswith("## wfcheck: 20000 failing result(s)")
    assert "| critical | 6667 | 0 |" in text
    assert text.count("<details>") == text.count("</details>")
    assert "- **WF990** Synthetic rule: Fix it \\| now" in text


@pytest.mark.parametrize("limit", [6_000, 20_000])
def test_the_budget_holds_for_small_limits(limit: int) -> None:
    text = render_markdown(big_report(500), RenderOptions(), max_bytes=limit)
    assert len(text.encode("utf-8")) <= limit
    assert "more failing result(s) not shown" in text


def test_output_is_deterministic(example_report: Report) -> None:
    assert render_markdown(example_report, RenderOptions()) == render_markdown(
        example_report, RenderOptions()
    )
