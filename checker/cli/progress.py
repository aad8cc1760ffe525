"""A one-line live progress display on stderr, for long live scans.

Drawn only when the stream is a TTY and the user did not ask for ``--quiet``: CI logs and pipes
get nothing, so captured stderr stays clean and deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

CLEAR = "\r\x1b[K"


class ProgressLine:
    """``update()`` redraws the line at most every ``interval`` seconds; ``finish()`` clears it."""

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self._last = float("-inf")
        self._drawn = False

    @classmethod
    def for_stream(cls, stream: TextIO, *, quiet: bool) -> ProgressLine:
        """Enabled on a TTY unless ``quiet``."""
        isatty = getattr(stream, "isatty", None)
        return cls(stream, enabled=not quiet and bool(isatty and isatty()))

    def update(self, done: int, total: int, records: int, errors: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now - self._last < self.interval and done < total:
            return
        self._last = now
        line = (
            f"wfcheck: {done}/{total} units, {records} records, "
            f"{errors} error{'s' if errors != 1 else ''}, {now - self.started:.1f}s"
        )
        self.stream.write(CLEAR + line)
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """Erase the line so the next stderr message starts clean."""
        if self._drawn:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._drawn = False
