"""How record values appear in messages: one function, so every message quotes them the same way.

A value from a record is untrusted text. ``show`` writes it as JSON (strings quoted, control
characters and quotes escaped), so a message can never be mistaken for wfcheck's own words, and
cuts it at 200 characters so one huge value cannot flood a report. ``join_reasons`` makes one
message of a rule's reasons, saying each thing once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from checker.text import shorten

MAX_SHOWN = 200
_PLAIN = re.compile(r'^[^"\\\x00-\x1f\x7f-\U0010ffff]{0,200}$')


def show(value: Any) -> str:
    """A value as it appears in messages: JSON, so strings are quoted and escapes are visible."""
    if type(value) is str and _PLAIN.match(value):
        return f'"{value}"'
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    try:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return shorten(text, MAX_SHOWN)


@lru_cache(maxsize=4096, typed=True)  # typed: True and 1 are different literals
def _show_hashable(value: Any) -> str:
    return show(value)


def show_literal(value: Any) -> str:
    """:func:`show` for a policy's literal, which a failing check names on every record: the
    text is made once."""
    try:
        return _show_hashable(value)
    except TypeError:  # unhashable (a dict literal)
        return show(value)


EXPECTED = "\x1f"
"""Separates what a reason found from what was expected (``admits ... (prefix /8)`` and
``/16 or narrower``), so a message can say a shared expectation once. A control character:
:func:`show` escapes every one in record values, so a value can never forge the separator."""


def expected(found: str, what: str) -> str:
    """A reason in two parts; :func:`join_reasons` prints it as ``found; expected what``."""
    return f"{found}{EXPECTED}{what}"


def join_reasons(reasons: Iterable[str]) -> str:
    """Reasons as one message that says each thing once: repeated reasons are dropped, and
    reasons sharing an expectation are listed together with the expectation once."""
    groups: dict[str, list[str]] = {}
    for reason in dict.fromkeys(reasons):
        found, _, what = reason.partition(EXPECTED)
        groups.setdefault(what, []).append(found)
    parts = []
    for what, founds in groups.items():
        text = "; ".join(founds)
        parts.append(f"{text}; expected {what}" if what else text)
    return "; ".join(parts)
