"""YAML documents: ``yaml.safe_load`` semantics (the C loader where available) with the line
and column of every value, bounded in size, nodes and depth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from checker.errors import InputError, WfcheckError

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader  # type: ignore[assignment]

from checker.files.reading import (
    KEY_MARK,
    MAX_DEPTH,
    MAX_YAML_BYTES,
    Located,
    PathKey,
    read_text,
)

MAX_YAML_NODES = 200_000
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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
                key_path: PathKey = (*child, KEY_MARK)
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
