"""GitHub workflow commands: escaping as @actions/core does, levels, and the job summary."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from pathlib import Path

import pytest

from checker.model import ErrorEntry, Status
from checker.reports.escape import terminal_safe, workflow_data, workflow_property
from checker.reports.github import (
    LEVEL_BY_SEVERITY,
    WRITER,
    command,
)
from checker.reports.interface import RenderOptions
from checker.results import Report
from tests.golden_files import assert_golden, scan_examples
from tests.helpers import annotation

COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def unescape(text: str) -> str:
    """The runner's side (``unescapeValue``), to check a round trip."""
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = {}
    for pair in filter(None, (match["props"] or "").split(",")):
        key, _, value = pair.partition("=")
        props[key] = unescape(value)
    return match["name"], props, unescape(match["data"])


# The vectors of the Actions toolkit's own tests (packages/core/__tests__/command.test.ts).
@pytest.mark.parametrize(
    ("name", "props", "message", "expected"),
    [
        ("some-command", {}, "", "::some-command::"),
        (
            "some-command",
            {},
            "percent % percent % cr \r cr \r lf \n lf \n",
            "::some-command::percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A",
        ),
        (
            "some-command",
            {"name": "percent % percent % cr \r cr \r lf \n lf \n colon : colon : comma , comma ,"},
            "",
            "::some-command name=percent %25 percent %25 cr %0D cr %0D lf %0A lf %0A colon %3A "
            "colon %3A comma %2C comma %2C::",
        ),
        (
            "some-command",
            {"prop1": "value 1", "prop2": "value 2"},
            "some message",
            "::some-command prop1=value 1,prop2=value 2::some message",
        ),
        (
            "some-command",
            {"prop1": "value 1", "prop2": "value 2", "prop3": ""},
            "some message",
            "::some-command prop1=value 1,prop2=value 2::some message",
        ),
    ],
)
def test_commands_are_built_as_the_toolkit_builds_them(
    name: str, props: dict[str, str], message: str, expected: str
) -> None:
    assert command(name, message, **props) == expected


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_messages_and_properties_are_escaped_as_the_toolkit_does(
    raw: str, data: str, prop: str
) -> None:
    assert workflow_data(raw) == data
    assert workflow_property(raw) == prop


def test_control_characters_are_dropped_but_line_breaks_are_encoded() -> None:
    line = command("error", "\x1b[31mred\x1b[0m\nnext\x07", title="t\x1b]0;x\x07")
    assert line == "::error title=t::red%0Anext"


@pytest.mark.parametrize(
    ("severity", "status", "level"),
    [
        ("critical", Status.FAIL, "error"),
        ("high", Status.FAIL, "error"),
        ("medium", Status.FAIL, "warning"),
        ("low", Status.FAIL, "warning"),
        ("info", Status.FAIL, "notice"),
        ("low", Status.ERROR, "error"),
        ("medium", Status.UNKNOWN, "warning"),
    ],
)
def test_levels(example_report: Report, severity: str, status: Status, level: str) -> None:
    first = example_report.results[0]
    rule = dataclasses.replace(first.rule, severity=severity)
    result = first._replace(rule=rule, status=status)
    assert parse(annotation(result))[0] == level
    assert set(LEVEL_BY_SEVERITY) == {"critical", "high", "medium", "low", "info"}


def test_examples_match_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_examples(monkeypatch, "--format", "github")
    assert result.code == 1, result.err
    assert_golden("examples.github.txt", result.out)


def test_one_annotation_per_failing_result(example_report: Report) -> None:
    lines = WRITER.render(example_report, RenderOptions()).splitlines()
    failing = [r for r in example_report.results if r.status is Status.FAIL]
    commands = [parse(line) for line in lines if line.startswith("::")]
    assert len(commands) == len(failing)
    for (name, props, data), result in zip(commands, failing):
        assert name == parse(annotation(result))[0]
        assert props["title"] == f"{result.rule_id} ({result.severity}): {result.title}"
        assert props["file"] == result.resource.source
        assert result.message in data and f"Fix: {result.remediation}" in data
    assert not lines[-1].startswith("::")  # the closing summary line


def test_collection_errors_are_annotated(example_report: Report) -> None:
    report = replace(
        example_report,
        errors=(
            ErrorEntry(
                "aws", "denied, really: no\nway", "AccessDenied", "111111111111", "eu-west-1"
            ),
        ),
    )
    line = WRITER.render(report, RenderOptions()).splitlines()[-2]
    assert line == (
        "::error title=wfcheck could not read 111111111111/eu-west-1::"
        "AccessDenied: denied, really: no%0Away"
    )


def test_hostile_values_stay_inside_one_command(hostile_report: Report) -> None:
    text = WRITER.render(hostile_report, RenderOptions())
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    failing = [r for r in hostile_report.results if r.status is Status.FAIL]
    assert len(lines) == len(failing) + 1
    for line, result in zip(lines, failing):
        _name, props, data = parse(line)
        assert set(props) == {"file", "title"}
        # What the runner decodes is the message, without escapes, control or bidi characters.
        shown = "".join(
            part if part in ("\r", "\n") else terminal_safe(part)
            for part in re.split(r"(\r|\n)", result.message)
        )
        assert shown in data
        assert "\x1b" not in data and "\x07" not in data
    multiline = [parse(line)[2] for line in lines if "wf-12" in line]
    assert multiline and all(
        d.startswith("wf-12line1\nline2\r\n::error::injected (") for d in multiline
    )


def test_step_summary_is_appended_for_format_github(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    first = scan_examples(monkeypatch, "--format", "github")
    assert first.code == 1, first.err
    assert first.out.startswith("::")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## wfcheck: ")
    scan_examples(monkeypatch, "--format", "github")
    assert summary.read_text(encoding="utf-8").count("## wfcheck: ") == 2, (
        "appends, never truncates"
    )


def test_step_summary_matches_the_markdown_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    scan_examples(monkeypatch, "--format", "github")
    markdown = scan_examples(monkeypatch, "--format", "markdown")
    assert summary.read_text(encoding="utf-8") == markdown.out


def test_no_step_summary_for_other_formats(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    scan_examples(monkeypatch, "--format", "json")
    assert not summary.exists()


def test_unwritable_step_summary_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "missing-dir" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    result = scan_examples(monkeypatch, "--format", "github")
    assert result.code == 2  # found before anything is read
    assert result.out == ""
    assert result.err == (
        f"wfcheck: error: $GITHUB_STEP_SUMMARY {target}: folder {target.parent} does not exist "
        "(create it, or pass --create-output-dirs)\n"
    )


SPLIT_ESCAPE = ("\x1b", "[2J\x07 50%\u202e", "%0A ok")  # an escape split across two values


@pytest.mark.parametrize("name", SPLIT_ESCAPE)
@pytest.mark.parametrize("message", SPLIT_ESCAPE)
def test_annotation_text_is_the_whole_message_escaped_at_once(
    example_report: Report, name: str, message: str
) -> None:
    """The writer escapes a record's and a verdict's parts once each and joins them; the text
    must be what escaping the whole message gives, whatever the parts hold."""
    first = next(r for r in example_report.results if r.status is Status.FAIL)
    res = replace(first.resource, name=f"wf{name}", action="update")
    result = first._replace(resource=res, message=message)
    (line, _summary) = WRITER.render(replace(example_report, results=(result,))).splitlines()
    where = f"{res.account}/{res.region}"
    whole = f"wf{name} ({where}): {message}\nPlanned action: update\nFix: {first.remediation}"
    assert line.split("::", 2)[2] == workflow_data(whole)
