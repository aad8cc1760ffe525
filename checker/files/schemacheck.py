"""JSON Schema checks for wfcheck's own YAML files, reported as ``file:line:column: message``.

Policies, waivers, baselines, policy tests and the config file ship their schemas as package
data (``checker/schemas/``, ``checker/policy/schema.json``), so editors can use them too; this
module, shared by all of them, turns the first problem into one located error with a
did-you-mean hint for unknown keys and misspelled values.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from checker.errors import WfcheckError
from checker.files.reading import Located, PathKey
from checker.text import suggest

if TYPE_CHECKING:  # jsonschema loads only when a document is checked: --version stays fast
    import jsonschema


FORMAT_CHECK_MODULES = (
    "fqdn",
    "idna",
    "isoduration",
    "jsonpointer",
    "rfc3339_validator",
    "rfc3986_validator",
    "rfc3987",
    "rfc3987_syntax",
    "uri_template",
    "webcolors",
)
"""The optional packages jsonschema's format module imports when it loads, if installed (they
come with Jupyter and jsonschema's ``format`` extras): rfc3987_syntax alone compiles a grammar
for about a second. wfcheck's schemas use no ``format``, so none of them is needed."""


def validator_for(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A Draft 2020-12 validator, jsonschema imported without its optional format checks (a
    scan takes the same time whatever else is installed)."""
    if "jsonschema" not in sys.modules:
        blocked = [name for name in FORMAT_CHECK_MODULES if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
        try:
            import jsonschema
        finally:
            for name in blocked:
                if sys.modules.get(name) is None:
                    del sys.modules[name]
    import jsonschema

    return jsonschema.Draft202012Validator(schema)


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


Context = Callable[[Located, PathKey], tuple[str, int]]
"""For a path, the message prefix (``rule WF031: ``) and how many leading path parts it names."""


def check_document(
    doc: Located, schema: dict[str, Any], error: type[WfcheckError], context: Context | None = None
) -> None:
    """Raise the first problem (by position in the file), or return when the document is valid."""
    validator = validator_for(schema)
    leaves = _leaves(validator.iter_errors(_plain(doc.data)))
    if not leaves:
        return
    # A misspelled key explains the "required" error it causes, so unknown keys come first.
    rank = {"additionalProperties": 0, "required": 2}
    best = min(rank.get(str(leaf.validator), 1) for leaf in leaves)
    problems = [
        _describe(doc, leaf, context) for leaf in leaves if rank.get(str(leaf.validator), 1) == best
    ]
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


def field_name(path: Sequence[str | int]) -> str:
    """``waivers[0].reason``: how a user would point at the value."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(
    doc: Located, problem: jsonschema.ValidationError, context: Context | None
) -> tuple[int, int, str, str | None]:
    """(line, column, message, hint) of one schema problem, in words a person reads."""
    path: PathKey = tuple(problem.absolute_path)
    prefix, named = context(doc, path) if context else ("", 0)
    name = field_name(path[named:])
    if problem.validator == "additionalProperties" and isinstance(problem.instance, dict):
        allowed = sorted(problem.schema.get("properties", {}))
        unknown = sorted(str(key) for key in problem.instance if key not in allowed)
        line, column = doc.where((*path, unknown[0], "<key>"))
        hint = suggest(unknown[0], allowed) or f"allowed keys: {', '.join(allowed)}"
        where = f"{name}: " if name else ""
        return line, column, f"{prefix}{where}unknown key {unknown[0]!r}", hint
    line, column = doc.where(path)
    message, advice = _explain(problem, name or "document")
    return line, column, prefix + message, advice


def _explain(problem: jsonschema.ValidationError, name: str) -> tuple[str, str | None]:
    """The message (after any prefix) and hint for a problem that is not an unknown key."""
    if problem.validator == "enum":
        choices = [str(choice) for choice in problem.validator_value]
        suggestion = suggest(str(problem.instance), choices)
        title = problem.schema.get("title") if isinstance(problem.schema, dict) else None
        if title:  # a long, documented list (operators): name the kind, not every choice
            return f"unknown {title} {problem.instance!r}", suggestion
        return f"{name}: {problem.instance!r} is not one of: {', '.join(choices)}", suggestion
    if (
        problem.validator == "type"
        and problem.validator_value == "string"
        and isinstance(problem.instance, (int, float))
    ):
        return f"{name}: expected a string, got {problem.instance!r}", (
            f'quote it: "{problem.instance}"'
        )
    described = _schema_description(problem)
    if described:
        return f"{name}: {described}", None
    return f"{name}: {problem.message}", None


def _schema_description(problem: jsonschema.ValidationError) -> str | None:
    """A schema's own words for a ``not``, ``propertyNames`` or ``pattern`` failure."""
    if problem.validator not in ("not", "propertyNames", "pattern"):
        return None
    if not isinstance(problem.schema, dict):
        return None
    described = problem.schema.get("description")
    if problem.validator == "not" and isinstance(problem.validator_value, dict):
        described = problem.validator_value.get("description", described)
    return str(described) if described else None
