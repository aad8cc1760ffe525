"""``--report FORMAT=PATH``: several reports from one run, through the real entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.output.destinations import ReportSpec, parse_report_spec
from tests.golden_files import scan_examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("html=review.html", ReportSpec("html", "review.html")),
        ("SARIF=out/wfcheck.sarif", ReportSpec("sarif", "out/wfcheck.sarif")),
        ("markdown=a=b.md", ReportSpec("markdown", "a=b.md")),
    ],
)
def test_parse_report_spec(text: str, expected: ReportSpec) -> None:
    assert parse_report_spec(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("review.html", "expected FORMAT=PATH"),
        ("html=", "expected FORMAT=PATH"),
        ("pdf=x.pdf", "unknown report format 'pdf'"),
        ("html=-", "stdout takes the --format report"),
    ],
)
def test_bad_report_specs(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_report_spec(text)


def test_extra_reports_are_written_while_format_goes_to_stdout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    html, md = tmp_path / "review.html", tmp_path / "summary.md"
    both = scan_examples(
        monkeypatch, "--format", "json", "--report", f"html={html}", "--report", f"markdown={md}"
    )
    assert both.code == 1, both.err
    assert json.loads(both.out)["schema_version"] == 2

    # the same report but for the options each run records (its own command line)
    def page(text: str) -> str:
        return re.sub(r"<dt>Configuration</dt><dd>.*?</dd>", "", text)

    assert page(html.read_text(encoding="utf-8")) == page(
        scan_examples(monkeypatch, "--format", "html").out
    )
    assert "<dt>Configuration</dt>" in html.read_text(encoding="utf-8")
    assert md.read_text(encoding="utf-8") == scan_examples(monkeypatch, "--format", "markdown").out


def test_extra_reports_have_no_colour_and_show_passed_applies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    table = tmp_path / "table.txt"
    scan_examples(monkeypatch, "--show-passed", "--report", f"table={table}")
    text = table.read_text(encoding="utf-8")
    assert "\x1b" not in text and "PASSED AND SKIPPED" in text


def test_output_file_and_extra_reports_together(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out, md = tmp_path / "out.json", tmp_path / "out.md"
    result = scan_examples(
        monkeypatch, "--format", "json", "--output", str(out), "--report", f"markdown={md}"
    )
    assert result.code == 1 and result.out == ""
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["fail"] > 0
    assert md.read_text(encoding="utf-8").startswith("## wfcheck: ")


@pytest.mark.parametrize(
    "argv",
    [
        ("--report", "pdf=x.pdf"),
        ("--report", "nothing"),
        ("--report", "html=-"),
    ],
)
def test_bad_report_options_are_usage_errors(
    monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    result = scan_examples(monkeypatch, *argv)
    assert result.code == 2
    assert "argument --report:" in result.err and result.out == ""


def test_two_reports_to_one_file_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "same"
    result = scan_examples(
        monkeypatch, "--report", f"html={target}", "--report", f"markdown={target}"
    )
    assert result.code == 2
    assert result.err == (
        f"wfcheck: error: {target}: --report markdown={target} writes the "
        f"same file as --report html={target}\n"
    )
    assert not target.exists()


def test_report_to_the_output_file_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "same.json"
    result = scan_examples(monkeypatch, "--output", str(target), "--report", f"json={target}")
    assert result.code == 2 and "writes the same file as --output" in result.err


def test_unwritable_report_path_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "review.html"
    result = scan_examples(monkeypatch, "--format", "json", "--report", f"html={target}")
    assert result.code == 2  # found before anything is read: no stdout report either
    assert result.out == ""
    assert result.err == (
        f"wfcheck: error: --report html {target}: folder {target.parent} does not exist "
        "(create it, or pass --create-output-dirs)\n"
    )
