"""The progress line: drawn on a TTY only, throttled, erased before other messages."""

from __future__ import annotations

import io

import pytest

from checker.cli.progress import CLEAR, ProgressLine


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    "stream, quiet, enabled",
    [
        (Tty(), False, True),
        (Tty(), True, False),
        (io.StringIO(), False, False),
    ],
)
def test_enabled_only_on_a_tty_without_quiet(
    stream: io.StringIO, quiet: bool, enabled: bool
) -> None:
    progress = ProgressLine.for_stream(stream, quiet=quiet)
    progress.update(1, 2, 3, 0)
    progress.finish()
    assert progress.enabled is enabled
    assert bool(stream.getvalue()) is enabled


def test_line_content_throttle_and_finish() -> None:
    stream, clock = Tty(), Clock()
    progress = ProgressLine(stream, enabled=True, interval=0.5, clock=clock)
    clock.now += 2.0
    progress.update(3, 10, 7, 1)
    assert stream.getvalue() == CLEAR + "wfcheck: 3/10 units, 7 records, 1 error, 2.0s"
    clock.now += 0.1
    progress.update(4, 10, 8, 1)  # too soon: not redrawn
    assert stream.getvalue().count("units") == 1
    progress.update(10, 10, 9, 2)  # the last update is always drawn
    assert stream.getvalue().endswith("10/10 units, 9 records, 2 errors, 2.1s")
    progress.finish()
    assert stream.getvalue().endswith(CLEAR)
