"""Reading user files safely: size limits, strict UTF-8, and where a value was written.

Every failure becomes an :class:`InputError` (or the error class the caller passes) naming the
file, line and column, so the CLI can print one line and exit 2 instead of a traceback. YAML and
JSON documents are read by :mod:`checker.files.yaml_documents` and
:mod:`checker.files.json_documents` on top of this.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, WfcheckError

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_JSON_BYTES = 256 * 1024 * 1024
"""The default input limit: about 450,000 records in a snapshot (a 100,000-record snapshot is
about 57 MB), read in a bounded buffer however large the file. It refuses garbage fast (a
regular file is measured before it is read) and caps what a mistaken input can cost."""
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
KEY_MARK = "<key>"
"""The last part of the path under which a key's own position is marked."""


def read_text(
    name: str,
    *,
    limit: int,
    error: type[WfcheckError] = InputError,
    kind: str = "file",
    hint_if_too_large: str | None = None,
) -> str:
    """Read a file (or ``-`` for stdin) as strict UTF-8, refusing anything over ``limit`` bytes."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            path = Path(name)
            if path.is_dir():
                raise error(f"is a directory, expected a {kind}", file=name)
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise error(f"cannot read {kind}: {exc.strerror or exc}", file=name) from None
    if len(data) > limit:
        raise error(
            f"{kind} is larger than {limit // (1024 * 1024)} MiB; refusing to load it",
            file=name,
            hint=hint_if_too_large,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=name, line=line, column=column
        ) from None
    return text.removeprefix("\ufeff")


@dataclass(frozen=True)
class Located:
    """Parsed YAML plus where each value was written, for file:line:column messages."""

    data: Any
    file: str
    marks: dict[PathKey, tuple[int, int]]

    def where(self, path: PathKey) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of its nearest written ancestor."""
        key = tuple(path)
        while key:
            if key in self.marks:
                return self.marks[key]
            key = key[:-1]
        return self.marks.get((), (1, 1))

    def error(
        self, error: type[WfcheckError], path: PathKey, message: str, hint: str | None = None
    ) -> WfcheckError:
        line, column = self.where(path)
        return error(message, file=self.file, line=line, column=column, hint=hint)


def iter_files(root: str, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files under ``root`` with one of ``suffixes``, sorted for deterministic order."""
    path = Path(root)
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and child.suffix in suffixes:
            yield child


def type_name(value: Any) -> str:
    """A JSON type name for messages: never the value, which may be a secret."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
