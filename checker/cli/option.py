"""One command-line option, declared once with everything the program needs to know about it.

An :class:`Option` says how argparse reads it (flags, metavar, help), how its text becomes a
value (``convert``, ``choices``), how a config file names it (``key``), whether its value is a
path (resolved relative to the config file), and whether a config file found by discovery may
set it (``trusted``: options that send credentials or data elsewhere, choose whose credentials
are used, or write files). The parser, the config file, ``wfcheck config`` and the README read
these declarations; nothing reverse-engineers argparse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from checker.text import suggest

Kind = Literal["flag", "value", "list"]


class OptionValueError(ValueError):
    """A value an option does not accept; the message says what was expected."""


@dataclass(frozen=True)
class Option:
    """A command-line option (or a positional argument when ``flags`` holds no dash)."""

    flags: tuple[str, ...]
    help: str
    kind: Kind = "value"
    metavar: str | None = None
    convert: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    default: Any = None
    key: str | None = ""
    """Config-file key; ``""`` derives it from the long flag, None: not settable in a file."""
    path: bool = False
    trusted: bool = False
    hidden: bool = False
    dest_name: str | None = None

    @property
    def dest(self) -> str:
        if self.dest_name:
            return self.dest_name
        long = max(self.flags, key=len)
        return long.lstrip("-").replace("-", "_")

    @property
    def positional(self) -> bool:
        return not self.flags[0].startswith("-")

    @property
    def long_flag(self) -> str:
        return max(self.flags, key=len)

    @property
    def config_key(self) -> str | None:
        if self.key is None or self.positional:
            return None
        return self.key or self.dest

    def with_(self, **changes: Any) -> Option:
        """The same option with some fields changed (a command's own help or choices)."""
        return replace(self, **changes)

    def parse(self, text: str) -> Any:
        """One item of the option's value from text, as given on the command line."""
        if self.choices is not None:
            return choose(text, self.choices)
        if self.convert is not None:
            return self.convert(text)
        return text

    def shown_default(self) -> Any:
        if self.kind == "list":
            return list(self.default or ())
        if self.kind == "flag":
            return bool(self.default)
        return self.default


def choose(text: str, choices: Sequence[str]) -> str:
    """The choice ``text`` names, compared case-insensitively (``--format JSON``)."""
    by_lower = {choice.lower(): choice for choice in choices}
    found = by_lower.get(text.strip().lower())
    if found is None:
        hint = suggest(text.lower(), list(by_lower))
        raise OptionValueError(
            f"{text!r} is not one of: {', '.join(choices)}" + (f" ({hint})" if hint else "")
        )
    return found


def whole_number(minimum: int = 0, maximum: int | None = None) -> Callable[[str], int]:
    """A converter for integers in a range, with a message a person understands."""

    def convert(text: str) -> int:
        try:
            value = int(str(text).strip())
        except ValueError:
            raise OptionValueError(f"expected a whole number, got {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            limit = f"{minimum}-{maximum}" if maximum is not None else f"at least {minimum}"
            raise OptionValueError(f"expected {limit}, got {value}")
        return value

    return convert


def seconds(text: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise OptionValueError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= 900:
        raise OptionValueError(f"expected more than 0 and at most 900 seconds, got {text}")
    return value


def http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionValueError(f"expected an http(s):// URL, got {text!r}")
    return text


def name_equals_value(text: str) -> str:
    name, sep, _ = text.partition("=")
    if not sep or not name.strip():
        raise OptionValueError(f"expected NAME=VALUE, got {text!r}")
    return text
