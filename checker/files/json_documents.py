"""JSON documents: whole (:func:`load_json`, :func:`parse_json`) or streamed a piece at a time
(:class:`JsonStream`), with a duplicate key refused and every error at its line and column."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from checker.errors import InputError, WfcheckError
from checker.files.reading import KEY_MARK, MAX_JSON_BYTES, PathKey, read_text
from checker.text import shorten


class _DuplicateKey(Exception):
    """Raised from inside the JSON decoder; :func:`parse_json` locates the key afterwards."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses a key written twice in one object.

    The last value would win silently, so a reviewer reading the file (``0.0.0.0/0`` first, a
    narrow range second) would see something else than the gate evaluated.
    """
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKey
    return result


def parse_json(text: str, name: str, error: type[WfcheckError] = InputError) -> Any:
    """Parse JSON text; a syntax error or a duplicate key is an error at its line and column."""
    try:
        return json.loads(text, object_pairs_hook=_unique_object)
    except json.JSONDecodeError as exc:
        raise error(
            f"invalid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise error("JSON nested too deeply", file=name) from None
    except _DuplicateKey:
        # The decoder only says a key repeats; walking the text says which one, and where.
        with JsonStream(name, limit=len(text) * 4 + 4, error=error, text=text) as stream:
            stream.walk()
        raise error("invalid JSON: a key is written twice in one object", file=name) from None


def load_json(
    name: str,
    *,
    error: type[WfcheckError] = InputError,
    kind: str = "file",
    limit: int = MAX_JSON_BYTES,
) -> Any:
    """Parse a JSON file, reporting the line and column of a syntax error or a duplicate key."""
    text = read_text(
        name,
        limit=limit,
        error=error,
        kind=kind,
        hint_if_too_large="raise the limit with --max-input-mb",
    )
    return parse_json(text, name, error)


CHUNK_BYTES = 1 << 20
"""Bytes read at a time by :class:`JsonStream`."""
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JsonStream:
    """One JSON document read from a file (or ``-``) a piece at a time, with one bounded text
    buffer: arrays can be walked element by element (:meth:`items`) and objects key by key
    (:meth:`members`), every other value is decoded whole (:meth:`value`).

    The same guarantees as :func:`load_json`: strict UTF-8, the size limit (a regular file is
    measured before anything is read; stdin is counted as it is read), a duplicate key in any
    object is an error, and every error names the line and column.
    """

    def __init__(
        self,
        name: str,
        *,
        limit: int,
        error: type[WfcheckError] = InputError,
        kind: str = "file",
        hint_if_too_large: str | None = None,
        text: str | None = None,
    ) -> None:
        """``text``: read that instead of the file ``name`` (text already in memory)."""
        self.name = name
        self.limit = limit
        self.error = error
        self.kind = kind
        self.hint = hint_if_too_large
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._json = json.JSONDecoder(object_pairs_hook=_unique_object)
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._read = 0  # bytes read so far
        self._lines = 0  # line breaks in the text dropped from the buffer
        self._column = 0  # characters after the last dropped line break
        self._byte_lines = 0  # line breaks in the bytes decoded so far (for decode errors)
        self._byte_line_start = 0  # offset of the byte after the last of them
        self._fresh = True
        self.last = 0  # where the value last returned by value() starts
        self._cursor = (0, 0, -1)  # an offset, the line breaks before it, the last one's offset
        if text is not None:
            self._handle: BinaryIO = io.BytesIO(text.encode("utf-8"))
            return
        try:
            if name == "-":
                self._handle = sys.stdin.buffer
            else:
                path = Path(name)
                if path.is_dir():
                    raise error(f"is a directory, expected a {kind}", file=name)
                self._handle = path.open("rb")
                size = os.fstat(self._handle.fileno()).st_size
                if size > limit and stat.S_ISREG(os.fstat(self._handle.fileno()).st_mode):
                    self._handle.close()
                    raise self._too_large()
        except OSError as exc:
            raise error(f"cannot read {kind}: {exc.strerror or exc}", file=name) from None

    def __enter__(self) -> JsonStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not sys.stdin.buffer:
            self._handle.close()

    # --- reading ----------------------------------------------------------------------------

    def _too_large(self) -> WfcheckError:
        return self.error(
            f"{self.kind} is larger than {self.limit // (1024 * 1024)} MiB; refusing to load it",
            file=self.name,
            hint=self.hint,
        )

    def _fill(self) -> bool:
        """Read more text into the buffer; False at the end of the file."""
        if self._eof:
            return False
        try:
            data = self._handle.read(max(CHUNK_BYTES, len(self._buf)))
        except OSError as exc:
            raise self.error(
                f"cannot read {self.kind}: {exc.strerror or exc}", file=self.name
            ) from None
        self._read += len(data)
        if self._read > self.limit:
            raise self._too_large()
        self._eof = not data
        try:
            text = self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError as exc:
            line = self._byte_lines + data.count(b"\n", 0, exc.start) + 1
            last = data.rfind(b"\n", 0, exc.start)
            start = last + 1 if last >= 0 else self._byte_line_start - (self._read - len(data))
            raise self.error(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                file=self.name,
                line=line,
                column=exc.start - start + 1,
            ) from None
        self._byte_lines += data.count(b"\n")
        last = data.rfind(b"\n")
        if last >= 0:
            self._byte_line_start = self._read - len(data) + last + 1
        if self._fresh and text:
            text = text.removeprefix("\ufeff")
            self._fresh = False
        self._buf += text
        return bool(data)

    def _drop(self) -> None:
        """Forget the text already read, keeping line and column counts."""
        dropped = self._buf[: self._pos]
        breaks = dropped.count("\n")
        if breaks:
            self._lines += breaks
            self._column = len(dropped) - dropped.rfind("\n") - 1
        else:
            self._column += len(dropped)
        self._buf = self._buf[self._pos :]
        self._pos = 0
        self.last = 0
        self._cursor = (0, 0, -1)

    def _skip(self) -> str:
        """Skip whitespace; the next character, or "" at the end of the document."""
        while True:
            end = _WHITESPACE.match(self._buf, self._pos)
            self._pos = end.end() if end else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def where(self, offset: int | None = None) -> tuple[int, int]:
        """Line and column of a buffer offset (by default the next unread character).

        Offsets asked in increasing order (a document walked start to end) count only the text
        since the last one, so marking every value of a file stays linear in its size."""
        pos = self._pos if offset is None else offset
        start, breaks, last = self._cursor
        if pos < start:
            start, breaks, last = 0, 0, -1
        more = self._buf.count("\n", start, pos)
        if more:
            breaks += more
            last = self._buf.rfind("\n", start, pos)
        self._cursor = (pos, breaks, last)
        if breaks:
            return self._lines + breaks + 1, pos - last
        return self._lines + 1, self._column + pos + 1

    def fail(self, message: str, offset: int | None = None) -> WfcheckError:
        """An error at ``offset`` (default: the next unread character)."""
        line, column = self.where(offset)
        return self.error(message, file=self.name, line=line, column=column)

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end)."""
        return self._skip()

    def value(self) -> Any:
        """The next value, decoded whole (duplicate keys refused)."""
        if self._pos > CHUNK_BYTES:  # only here: no offset into the buffer is held
            self._drop()
        self._skip()
        start = self._pos
        while True:
            try:
                value, end = self._json.raw_decode(self._buf, start)
            except json.JSONDecodeError as exc:
                maybe_cut = exc.pos >= len(self._buf) - 8 or exc.msg.startswith("Unterminated")
                if maybe_cut and self._fill():
                    continue
                raise self.fail(f"invalid JSON: {exc.msg}", exc.pos) from None
            except RecursionError:
                raise self.fail("JSON nested too deeply", start) from None
            except _DuplicateKey:
                break
            if end >= len(self._buf) and self._fill():  # a number may go on in the next read
                continue
            self._pos = end
            self.last = start
            return value
        # A key repeats somewhere inside: walked again member by member, it fails there.
        self._pos = start
        self.walk()
        raise self.fail("invalid JSON: a key is written twice in one object", start)

    def _expect(self, char: str, what: str) -> None:
        if self._skip() != char:
            raise self.fail(f"invalid JSON: Expecting {what}")
        self._pos += 1

    def items(self) -> Iterator[Any]:
        """The elements of the array that comes next, one at a time."""
        return self._elements(self.value)

    def _elements(self, read: Callable[[], Any]) -> Iterator[Any]:
        self._expect("[", "'['")
        if self._skip() == "]":
            self._pos += 1
            return
        while True:
            yield read()
            following = self._skip()
            self._pos += 1
            if following == "]":
                return
            if following != ",":
                raise self.fail("invalid JSON: Expecting ',' delimiter", self._pos - 1)

    def members(self) -> Iterator[str]:
        """The keys of the object that comes next; after each, the caller reads its value
        (:meth:`value` or :meth:`items`). A key written twice is an error at the second."""
        self._expect("{", "'{'")
        seen: set[str] = set()
        if self._skip() == "}":
            self._pos += 1
            return
        while True:
            if self._skip() != '"':
                raise self.fail("invalid JSON: Expecting property name enclosed in double quotes")
            key = self.value()
            if key in seen:
                shown = shorten(key, 80)
                raise self.fail(
                    f"invalid JSON: duplicate key {json.dumps(shown)}: only one value per key "
                    "is allowed",
                    self.last,
                )
            seen.add(key)
            self._expect(":", "':' delimiter")
            yield key
            following = self._skip()
            self._pos += 1
            if following == "}":
                return
            if following != ",":
                raise self.fail("invalid JSON: Expecting ',' delimiter", self._pos - 1)

    def walk(self) -> None:
        """Read the next value member by member (what raw decoding only reports as wrong, such
        as which key repeats, fails at its own position)."""
        char = self._skip()
        if char == "{":
            for _ in self.members():
                self.walk()
        elif char == "[":
            for _ in self._elements(self.walk):
                pass
        else:
            self.value()

    def located(self) -> tuple[Any, dict[PathKey, tuple[int, int]]]:
        """The whole document and the (line, column) of every value and every key (at
        ``(*path, key, KEY_MARK)``)."""
        marks: dict[PathKey, tuple[int, int]] = {}
        value = self._located((), marks)
        self.end()
        return value, marks

    def _located(self, path: PathKey, marks: dict[PathKey, tuple[int, int]]) -> Any:
        char = self._skip()
        marks.setdefault(path, self.where())
        if char == "{":
            found: dict[str, Any] = {}
            for key in self.members():
                key_path: PathKey = (*path, key, KEY_MARK)
                marks[key_path] = self.where(self.last)
                found[key] = self._located((*path, key), marks)
            return found
        if char == "[":
            items: list[Any] = []
            for item in self._elements(lambda: self._located((*path, len(items)), marks)):
                items.append(item)
            return items
        return self.value()

    def end(self) -> None:
        """Only whitespace may follow the document."""
        if self._skip():
            raise self.fail("invalid JSON: Extra data")
