"""Rule paths: JMESPath on the record, with a fast getter for plain dotted paths.

Most paths in a pack are ``A.B.C``; walking dicts directly is an order of magnitude faster than
``jmespath.search`` and matters at 100,000 records. Other common shapes (indexes, ``||``, calls
of our functions) compile to closures; anything else goes through JMESPath's interpreter. Both
call the functions of one table (``checker.policy.functions``), and every call is checked for
its name, argument count and literal argument types when the path is compiled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jmespath
import jmespath.exceptions
import jmespath.visitor

from checker.policy.functions import OPTIONS, PATH_FUNCTIONS, call, check_call

WHOLE_DOCUMENT = "@"
"""Marks a path that reads the record as a whole (``@`` at the top level)."""

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class PathError(ValueError):
    """A path that cannot be compiled; ``hint`` may suggest a fix (a function name)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Path:
    """A compiled path: ``get(doc)`` returns the value, ``fields`` the dotted fields it reads."""

    text: str
    get: Callable[[Any], Any]
    fields: frozenset[str]
    inspects: bool = False
    """Whether it looks inside values (a function call, an ordering comparison), rather than
    only selecting them and testing their presence or equality."""


def _dotted_getter(parts: tuple[str, ...]) -> Callable[[Any], Any]:
    if len(parts) == 1:
        (key,) = parts

        def get_one(doc: Any) -> Any:
            return doc.get(key) if isinstance(doc, dict) else None

        return get_one

    def get_many(doc: Any) -> Any:
        for key in parts:
            if not isinstance(doc, dict):
                return None
            doc = doc.get(key)
        return doc

    return get_many


def _falsy(value: Any) -> bool:
    """JMESPath truthiness: null, false, and empty strings, lists and objects are false."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value)


def _or_getter(getters: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def get_first(doc: Any) -> Any:
        value = None
        for get in getters:
            value = get(doc)
            if not _falsy(value):
                return value
        return value

    return get_first


def compile_path(text: str) -> Path:
    """Compile a path; raises :class:`PathError` saying what is wrong when it is invalid."""
    text = text.strip()
    if _DOTTED.match(text):
        parts = tuple(text.split("."))
        return Path(text, _dotted_getter(parts), frozenset({text}))
    alternatives = [part.strip() for part in text.split("||")]
    if len(alternatives) > 1 and all(_DOTTED.match(part) for part in alternatives):
        getters = [_dotted_getter(tuple(part.split("."))) for part in alternatives]
        return Path(text, _or_getter(getters), frozenset(alternatives))
    try:
        parsed = jmespath.compile(text)
    except jmespath.exceptions.JMESPathError as exc:
        reason = str(exc).splitlines()[0].removesuffix(":").removesuffix(", for expression")
        raise PathError(f"invalid JMESPath {text!r}: {reason}") from None  # one line

    tree = parsed.parsed
    for call_node in _calls(tree):
        problem = check_call(call_node["value"], call_node.get("children", []))
        if problem is not None:
            message, hint = problem
            raise PathError(f"path {text!r}: {message}", hint)
    fields = frozenset(_fields(tree))
    inspects = _inspects(tree)
    compiled = _compile_node(tree)
    if compiled is not None:
        native = compiled

        def run(doc: Any) -> Any:
            try:
                return native(doc)
            except jmespath.exceptions.JMESPathError:  # a wrong argument type, as interpreted
                return None

        return Path(text, run, fields, inspects)
    interpreter = jmespath.visitor.TreeInterpreter(OPTIONS)

    def search(doc: Any) -> Any:
        try:
            return interpreter.visit(tree, doc)
        except jmespath.exceptions.JMESPathError:
            return None

    return Path(text, search, fields, inspects)


_ORDERING = frozenset({"lt", "lte", "gt", "gte"})


def _inspects(node: dict[str, Any]) -> bool:
    if node.get("type") == "function_expression":
        return True
    if node.get("type") == "comparator" and node.get("value") in _ORDERING:
        return True
    return any(isinstance(child, dict) and _inspects(child) for child in node.get("children", []))


def _calls(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every function call in a parsed expression, outermost first."""
    if node.get("type") == "function_expression":
        yield node
    for child in node.get("children", []):
        if isinstance(child, dict):
            yield from _calls(child)


def _compile_node(node: dict[str, Any]) -> Callable[[Any], Any] | None:
    """A closure for the common subset of JMESPath (fields, indexes, ||, our functions).

    The interpreter re-dispatches on every node for every record; for these shapes a closure
    gives the same answers several times faster. Anything else returns None and is interpreted.
    """
    kind = node["type"]
    nodes = node.get("children", [])
    if kind == "index_expression" and len(nodes) == 2 and nodes[1]["type"] == "index":
        nodes = nodes[:1]
    children = [_compile_node(child) for child in nodes]
    if any(child is None for child in children):
        return None
    if kind == "field":
        return _dotted_getter((node["value"],))
    if kind == "literal":
        constant = node["value"]
        return lambda doc: constant
    if kind == "subexpression":  # jmespath may chain more than two parts in one node
        steps = tuple(children)

        def chain(doc: Any) -> Any:
            for step in steps:
                doc = step(doc)  # type: ignore[misc]
            return doc

        return chain if len(steps) != 2 else _pair(*steps)  # type: ignore[arg-type]
    if kind == "index_expression" and len(children) == 1:
        left = children[0]
        position = node["children"][1]["value"]

        def index(doc: Any) -> Any:
            value = left(doc)  # type: ignore[misc]
            if not isinstance(value, list):
                return None
            try:
                return value[position]
            except IndexError:
                return None

        return index
    if kind == "or_expression":
        return _or_getter(children)  # type: ignore[arg-type]
    if kind == "function_expression" and node["value"] in PATH_FUNCTIONS:
        name = node["value"]
        return lambda doc: call(name, [arg(doc) for arg in children])  # type: ignore[misc]
    return None


def _pair(left: Callable[[Any], Any], right: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda doc: right(left(doc))


_SEQUENCES = frozenset({"subexpression", "pipe"})
_ON_ITEMS = frozenset({"index_expression", "flatten", "projection", "value_projection",
                       "filter_projection"})  # fmt: skip


def _fields(node: dict[str, Any], prefix: str = "") -> set[str]:
    """The dotted field chains an expression reads, exactly: ``split(A.B, '_')[0]`` reads
    ``A.B`` and not ``A``.

    The unknown analysis and the memo keys rely on it: a rule whose fields do not reach an
    unknown value is decided, and a memo keyed on these fields never hands a record another
    record's outcome. Where the value read is not a plain chain (an item of a list, a
    projection), the chain up to the list stands for everything below it.
    """
    chain, reads = _reads(node, prefix)
    if chain is not None:
        reads.add(chain or WHOLE_DOCUMENT)
    return reads


def _reads(node: dict[str, Any], base: str | None) -> tuple[str | None, set[str]]:
    """(the chain the node's value is, when it is one; the chains read to compute it).

    ``base`` is the chain of the current value (``""`` is the record) or None when the current
    value is derived (a function result, a list item), whose reads are already counted.
    """
    kind = node.get("type")
    children = [child for child in node.get("children", []) if isinstance(child, dict)]
    if kind == "field":
        name = str(node["value"])
        return (f"{base}.{name}" if base else name) if base is not None else None, set()
    if kind in ("current", "identity"):
        return base, set()
    if kind in ("literal", "expref"):  # an expref reads items of another argument
        return None, set()
    if kind in _SEQUENCES:
        chain: str | None = base
        reads: set[str] = set()
        for child in children:
            chain, more = _reads(child, chain)
            reads |= more
        return chain, reads
    if kind in _ON_ITEMS:
        # the right side and filters read items of the head; JMESPath cannot reach the record
        # from inside a projection, so the head's chain covers them
        head, reads = _reads(children[0], base) if children else (base, set())
        if head is not None:
            reads.add(head or WHOLE_DOCUMENT)
        return None, reads
    reads = set()  # functions, comparisons, and/or/not, multi-selects: every operand is read
    for child in children:
        chain, more = _reads(child, base)
        reads |= more
        if chain is not None:
            reads.add(chain or WHOLE_DOCUMENT)
    return None, reads


def top_level_names(fields: frozenset[str]) -> tuple[str, ...] | None:
    """The record keys a set of fields starts from; None when it may read the whole record."""
    if not fields or WHOLE_DOCUMENT in fields:
        return None
    return tuple(sorted({field.split(".", 1)[0] for field in fields}))


def touches(fields: frozenset[str], unknown: frozenset[str]) -> str | None:
    """The first unknown path a set of read fields depends on, if any."""
    for field in sorted(fields):
        for gap in sorted(unknown):
            if field == gap or field.startswith(gap + ".") or gap.startswith(field + "."):
                return gap
    return None
