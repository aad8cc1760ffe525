"""Text helpers every layer shares: how a long value is cut, how a near-miss is suggested.

One definition each, so every message, report cell and error cuts text the same way (one
ellipsis character) and suggests the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None
