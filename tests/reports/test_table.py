"""The terminal table: safe for a terminal, colour only on a TTY, NO_COLOR honoured."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from dataclasses import replace

import pytest

from checker.model import ErrorEntry
from checker.output.destinations import want_color
from checker.reports.escape import terminal_safe
from checker.reports.interface import RenderOptions
from checker.reports.table import WRITER
from checker.results import Report
from tests.conftest import EXAMPLES, NOW, ROOT
from tests.golden_files import assert_golden, scan_examples
from tests.helpers import report_for

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;new title\x07after", "after"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x9b31mC1 CSI", "31mC1 CSI"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
        ("a\nb\tc\rd\r\ne", "a b c d e"),  # every line break is one space
        ("admin\u202e\u2066txt.exe", "admintxt.exe"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("line\u2028sep", "linesep"),
    ],
)
def test_terminal_safe(raw: str, expected: str) -> None:
    assert terminal_safe(raw) == expected


def test_examples_match_the_golden_file(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_examples(monkeypatch, "--format", "table")
    assert result.code == 1, result.err
    assert ESC not in result.out  # captured output is not a terminal
    assert_golden("examples.table.txt", result.out)


def test_hostile_values_leave_no_control_characters(hostile_report: Report) -> None:
    report = replace(
        hostile_report,
        errors=(ErrorEntry("aws", "\x1b[2J\x1b[Hcleared", "Denied\x07", "1\x1b[1m", "r\r"),),
        notes=("note \x1b]0;x\x07",),
    )
    text = WRITER.render(report, RenderOptions(show_passed=True))
    assert not [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert "cleared" in text and "note " in text


def test_colour_is_added_only_when_asked(example_report: Report) -> None:
    assert ESC not in WRITER.render(example_report, RenderOptions(color=False))
    coloured = WRITER.render(example_report, RenderOptions(color=True))
    assert "\x1b[1;31mCRITICAL (1)\x1b[0m" in coloured
    assert terminal_safe(coloured, keep_newlines=True) == WRITER.render(
        example_report, RenderOptions(color=False)
    )


def test_cells_stay_text() -> None:
    # tabulate would read these as numbers: 1e5 -> 100000, 0x10 -> 16, and right-align them.
    report = report_for(
        [
            {
                "WorkforceName": name,
                "Status": "Failed",
                "WorkforceArn": f"arn:aws:sagemaker:us-east-1:012345678901:workforce/{name}",
            }
            for name in ("1e5", "0x10", "007")
        ]
    )
    text = WRITER.render(report, RenderOptions())
    for name in ("1e5", "0x10", "007"):
        assert f" {name} " in text
    assert "100000" not in text and "012345678901" in text


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": "anything"}, False),
        (True, {"NO_COLOR": ""}, True),  # no-color.org: set *and non-empty*
        (True, {"TERM": "dumb"}, False),
        (True, {"TERM": "xterm-256color"}, True),
    ],
)
def test_want_color(tty: bool, env: dict[str, str], expected: bool) -> None:
    assert want_color(FakeStream(tty), env) is expected


def run_in_terminal(*argv: str, env: dict[str, str]) -> str:
    """Run wfcheck with stdout on a pseudo-terminal, as a person at a shell would."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", *argv],
        stdout=secondary,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, **env},
    )
    os.close(secondary)
    chunks = []
    try:
        while True:  # read while it writes, so a full terminal buffer cannot block it
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the program exited and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    return b"".join(chunks).decode("utf-8")


SCAN = ("scan", "--input", str(EXAMPLES / "workforces.json"), "--now", NOW)


def test_colour_on_a_real_terminal_and_not_with_no_color() -> None:
    coloured = run_in_terminal(*SCAN, env={"NO_COLOR": "", "TERM": "xterm"})
    assert "\x1b[1;31mCRITICAL" in coloured
    plain = run_in_terminal(*SCAN, env={"NO_COLOR": "1", "TERM": "xterm"})
    assert ESC not in plain and "CRITICAL" in plain


def test_no_colour_in_files_even_from_a_terminal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.txt"
    run_in_terminal(*SCAN, "--output", str(out), env={"NO_COLOR": "", "TERM": "xterm"})
    assert ESC not in out.read_text(encoding="utf-8")
