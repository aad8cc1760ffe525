"""The one place record text is made safe for the format a human or a CI runner reads.

Terminal (and stderr): no control characters, no escape sequences.

A FailureReason or OIDC URL is free text an attacker may influence; written raw to a terminal,
an ANSI escape can rewrite what the reader sees.
"""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]"
)


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    """Strip ANSI escapes and control/bidi characters; tabs and newlines become spaces.

    Escape sequences go first, whole, so none leaves its parameters behind as text; then every
    C0/C1 control, zero-width and bidirectional-override character (a "Trojan Source" name can
    otherwise read differently from what it is), and the Unicode line/paragraph separators.
    """
    text = _ANSI.sub("", text)
    text = _CONTROL.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    else:
        text = text.replace("\t", " ")
    return text
