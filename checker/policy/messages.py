"""Message templates: what a failing condition says, in the policy author's words.

A condition may carry ``message: "Cognito user pool {CognitoConfig.UserPool} is in
{split(CognitoConfig.UserPool, '_')[0]}, workforce is in {_region}"``. ``{PATH}`` is a path
(JMESPath, with our functions) on the record, shown the way every record value is (quoted and
escaped by :func:`~checker.policy.display.show`; ``absent`` when the path yields nothing);
``${var.NAME}`` is a var's value, filled in when the policy loads; ``{{`` and ``}}`` are literal
braces. A message ``...; expected ...`` says its expectation once when several conditions of a
rule fail with the same one. Templates are compiled once, with the paths checked like any other
path, and the fields they read count among the fields a rule reads, so a memoized message is
always the record's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.policy.display import EXPECTED, show
from checker.policy.paths import Path, compile_path

ABSENT = "absent"
_QUOTES = "'`\""


@dataclass(frozen=True, slots=True)
class Message:
    """A compiled template: literal text and paths, in order."""

    text: str
    parts: tuple[str | Path, ...]
    fields: frozenset[str]

    def render(self, doc: Any) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.get(doc)
            out.append(ABSENT if value is None else show(value))
        return "".join(out)


def _placeholder_end(text: str, start: int) -> int:
    """The index of the ``}`` closing the placeholder opened at ``start`` (nested braces and
    quoted literals inside JMESPath are skipped); -1 when it is not closed."""
    depth = 0
    index = start
    quote = ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in _QUOTES:
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def compile_message(text: str, var_value: Callable[[str], Any]) -> Message:
    """Compile a template; ``var_value(NAME)`` gives a var's value (or raises ValueError).

    Raises ValueError saying what is wrong: an unclosed ``{``, a lone ``}``, an empty
    placeholder or an invalid path.
    """
    parts: list[str | Path] = []
    literal: list[str] = []
    fields: set[str] = set()
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("{{", index) or text.startswith("}}", index):
            literal.append(char)
            index += 2
            continue
        if text.startswith("${var.", index):
            end = text.find("}", index)
            if end < 0:
                raise ValueError(f"unclosed ${{var. at character {index + 1}")
            name = text[index + len("${var.") : end].removesuffix("?")
            literal.append(show(var_value(name)))
            index = end + 1
            continue
        if char == "}":
            raise ValueError(f"single '}}' at character {index + 1} (write '}}}}' for a brace)")
        if char != "{":
            literal.append(char)
            index += 1
            continue
        end = _placeholder_end(text, index)
        if end < 0:
            raise ValueError(f"unclosed '{{' at character {index + 1} (write '{{{{' for a brace)")
        expression = text[index + 1 : end].strip()
        if not expression:
            raise ValueError(f"empty placeholder '{{}}' at character {index + 1}")
        path = compile_path(expression)
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(path)
        fields |= path.fields
        index = end + 1
    if literal:
        parts.append("".join(literal))
    return Message(text, tuple(_mark_expectation(parts)), frozenset(fields))


def _mark_expectation(parts: list[str | Path]) -> list[str | Path]:
    """The first ``; expected `` the author wrote starts the expectation, which
    :func:`~checker.policy.display.join_reasons` says once for messages that share it."""
    marked: list[str | Path] = []
    done = False
    for part in parts:
        if isinstance(part, str) and not done and "; expected " in part:
            part = part.replace("; expected ", EXPECTED, 1)
            done = True
        marked.append(part)
    return marked
