"""Reading user files safely: size limits, strict UTF-8, safe YAML with line numbers, JSON.

Every failure becomes an :class:`InputError` (or the error class the caller passes) naming the
file, line and column, so the CLI can print one line and exit 2 instead of a traceback.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.errors import InputError, WfcheckError

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_YAML_BYTES = 4 * 1024 * 1024
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_YAML_NODES = 200_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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


def load_yaml(
    name: str,
    *,
    error: type[WfcheckError] = InputError,
    kind: str = "file",
    local_tags: Mapping[str, str] | None = None,
) -> Located:
    """Parse YAML with the safe loader only, keeping each value's position.

    Aliases are expanded under a node budget and nesting is capped, so an alias bomb or a deeply
    nested document ends as one error line instead of exhausting memory or the stack.

    ``local_tags`` maps ``!Tag`` names a format defines (CloudFormation's ``!Ref``) to the key
    they stand for: ``!Ref X`` becomes the plain data ``{"Ref": "X"}``, never a constructed
    object. With it, any other ``!`` tag is an error at its position.
    """
    text = read_text(name, limit=MAX_YAML_BYTES, error=error, kind=kind)
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(
            f"invalid YAML: {problem}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=name) from None
    except RecursionError:
        raise error(f"YAML nested deeper than {MAX_DEPTH} levels", file=name) from None
    marks: dict[PathKey, tuple[int, int]] = {}
    if node is None:
        return Located(None, name, {(): (1, 1)})
    builder = _Builder(name, marks, error, local_tags)
    data = builder.build(node, (), 0)
    return Located(data, name, marks)


class _Builder:
    """Turns composed YAML nodes into plain values with the safe constructor's scalar rules."""

    def __init__(
        self,
        name: str,
        marks: dict[PathKey, tuple[int, int]],
        error: type[WfcheckError],
        local_tags: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.marks = marks
        self.error = error
        self.local_tags = local_tags
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, message: str) -> WfcheckError:
        return self.error(
            message,
            file=self.name,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
        )

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_YAML_NODES:
            raise self.fail(
                node, f"document expands to more than {MAX_YAML_NODES} values (an alias bomb?)"
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested deeper than {MAX_DEPTH} levels")
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if self.local_tags is not None and node.tag.startswith("!"):
            return self.build_local_tag(node, path, depth)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise self.fail(node, f"invalid YAML: unsupported tag {node.tag!r}")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "YAML merge keys (<<) are not supported")
                key = self.build(key_node, (*path, "<key>"), depth + 1)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise self.fail(key_node, "mapping keys must be scalars")
                if key in result:
                    raise self.fail(key_node, f"duplicate key {key!r}")
                child: PathKey = (*path, key if isinstance(key, (str, int)) else str(key))
                result[key] = self.build(value_node, child, depth + 1)
                self.marks[child] = (
                    value_node.start_mark.line + 1,
                    value_node.start_mark.column + 1,
                )
                key_path: PathKey = (*child, "<key>")
                self.marks[key_path] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
            ]
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise self.fail(node, f"invalid YAML value: {exc.problem}") from None
        except ValueError as exc:  # a timestamp-shaped scalar that is no date: 2026-02-30
            raise self.fail(node, f"invalid YAML value: {exc}") from None

    def build_local_tag(self, node: yaml.Node, path: PathKey, depth: int) -> dict[str, Any]:
        """``!Tag content`` -> ``{key: content}``; a tagged scalar's content is its text."""
        assert self.local_tags is not None
        key = self.local_tags.get(node.tag)
        if key is None:
            raise self.fail(node, f"invalid YAML: unknown tag {node.tag!r}")
        inner: PathKey = (*path, key)
        self.marks[inner] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return {key: node.value}
        plain_class = type(node)
        plain_tag = _PLAIN_TAGS[0] if isinstance(node, yaml.MappingNode) else _PLAIN_TAGS[1]
        plain = plain_class(plain_tag, node.value, node.start_mark, node.end_mark)
        return {key: self.build(plain, inner, depth + 1)}


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


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _first_duplicate(text: str) -> tuple[str, int] | None:
    """(key, offset) of the first key written twice in one object (the error path only)."""
    stack: list[set[str] | None] = []  # a set of keys per open object, None per open array
    expect_key = False
    for token in _JSON_TOKEN.finditer(text):
        value = token.group()
        if value == "{":
            stack.append(set())
            expect_key = True
        elif value == "[":
            stack.append(None)
            expect_key = False
        elif value in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif value == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif value == ":":
            expect_key = False
        elif expect_key and stack and stack[-1] is not None:
            key = json.loads(value)
            if key in stack[-1]:
                return key, token.start()
            stack[-1].add(key)
            expect_key = False
    return None


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
        found = _first_duplicate(text)
        if found is None:  # pragma: no cover - the decoder and the scanner disagree
            raise error("invalid JSON: a key is written twice in one object", file=name) from None
        key, offset = found
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        shown = key if len(key) <= 80 else key[:77] + "..."
        raise error(
            f"invalid JSON: duplicate key {json.dumps(shown)}: only one value per key is allowed",
            file=name,
            line=line,
            column=column,
        ) from None


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


def iter_files(root: str, suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files under ``root`` with one of ``suffixes``, sorted for deterministic order."""
    path = Path(root)
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if child.is_file() and child.suffix in suffixes:
            yield child
