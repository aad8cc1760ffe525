"""JSON Schema checks for wfcheck's own YAML files, reported as ``file:line:column: message``.

Policy tests and the config file ship their schema as package data (``checker/schemas/``), so
editors can use it too; this module turns the first problem into one located error with a
did-you-mean hint for unknown keys and misspelled values.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from checker.errors import WfcheckError
from checker.loading import Located, PathKey


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """``did you mean 'x'?`` for the closest choice, or None."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema shipped in ``checker/schemas/``."""
    text = (resources.files("checker") / "schemas" / name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _plain(value: Any) -> Any:
    """YAML timestamps as ISO text, so a schema can say ``type: string`` for them."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def check_document(doc: Located, schema: dict[str, Any], error: type[WfcheckError]) -> None:
    """Raise the first problem (by position in the file), or return when the document is valid."""
    validator = jsonschema.Draft202012Validator(schema)
    leaves = _leaves(validator.iter_errors(_plain(doc.data)))
    if not leaves:
        return
    # A misspelled key explains the "required" error it causes, so unknown keys come first.
    rank = {"additionalProperties": 0, "required": 2}
    best = min(rank.get(str(leaf.validator), 1) for leaf in leaves)
    problems = [_describe(doc, leaf) for leaf in leaves if rank.get(str(leaf.validator), 1) == best]
    line, column, message, hint = min(problems, key=lambda problem: problem[:2])
    raise error(message, file=doc.file, line=line, column=column, hint=hint)


def _leaves(errors: Iterable[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    found: list[jsonschema.ValidationError] = []
    for problem in errors:
        if problem.context and problem.validator in ("anyOf", "oneOf"):
            # The alternative that got furthest into the value says best what is wrong.
            inner = _leaves(problem.context)
            deepest = max(len(leaf.absolute_path) for leaf in inner)
            found.extend(leaf for leaf in inner if len(leaf.absolute_path) == deepest)
        else:
            found.append(problem)
    return found


def _field(path: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in path) or "document"


def _describe(
    doc: Located, problem: jsonschema.ValidationError
) -> tuple[int, int, str, str | None]:
    path: PathKey = tuple(problem.absolute_path)
    name = _field(path)
    if problem.validator == "additionalProperties" and isinstance(problem.instance, dict):
        allowed = sorted(problem.schema.get("properties", {}))
        unknown = sorted(str(key) for key in problem.instance if key not in allowed)
        line, column = doc.where((*path, unknown[0], "<key>"))
        where = f" in {name}" if path else ""
        hint = suggest(unknown[0], allowed) or f"allowed keys: {', '.join(allowed)}"
        return line, column, f"unknown key {unknown[0]!r}{where}", hint
    line, column = doc.where(path)
    if problem.validator == "enum":
        choices = [str(choice) for choice in problem.validator_value]
        return (
            line,
            column,
            f"{name}: {problem.instance!r} is not one of: {', '.join(choices)}",
            suggest(str(problem.instance), choices),
        )
    if problem.validator in ("not", "propertyNames", "pattern") and isinstance(
        problem.schema, dict
    ):
        described = problem.schema.get("description")
        if problem.validator == "not" and isinstance(problem.validator_value, dict):
            described = problem.validator_value.get("description", described)
        if described:
            return line, column, f"{name}: {described}", None
    return line, column, f"{name}: {problem.message}", None
