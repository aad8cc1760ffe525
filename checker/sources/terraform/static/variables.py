"""Input variable values, in Terraform's order of precedence, converted to their types.

Terraform reads, later winning: the ``default``; ``TF_VAR_name`` environment variables;
``terraform.tfvars``; ``terraform.tfvars.json``; ``*.auto.tfvars`` and ``*.auto.tfvars.json``
in lexical order; then ``-var-file`` and ``-var`` in command-line order. wfcheck's
``--tf-var-file`` files apply in order, then ``--tf-var`` (a later flag wins). A variable
without any value is unknown, named once in the notes: never filled with a placeholder.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.model import Location
from checker.sources.terraform.static.expressions import (
    Evaluator,
    Module,
    Variable,
    line_of,
    name_of,
    parse_expression,
    rules,
)
from checker.sources.terraform.static.modules import Declared, parse, read_text
from checker.sources.terraform.static.types import ANY, PRIMITIVES, Type, convert, parse_type
from checker.sources.terraform.static.values import EvalError, Unknown, first_unknown

LITERALS = Module({}, {}, ".")  # tfvars may use functions but refer to nothing


@dataclass(frozen=True, slots=True)
class Given:
    """One value given for a variable and where: a tfvars line, or a flag (no location)."""

    value: Any
    location: Location | None
    raw: str | None = None  # --tf-var / TF_VAR_ text, parsed by the variable's type


def root_values(
    root: Path,
    display: Any,
    var_files: Sequence[str],
    cli_vars: Sequence[str],
    environ: Mapping[str, str],
) -> dict[str, Given]:
    """Every value given to the root module's variables, the last one winning."""
    given: dict[str, Given] = {}
    for key, text in sorted(environ.items()):
        if key.startswith("TF_VAR_") and len(key) > 7:
            given[key[7:]] = Given(None, None, text)
    automatic = [root / "terraform.tfvars", root / "terraform.tfvars.json"]
    with contextlib.suppress(OSError):
        automatic += sorted(
            p
            for p in root.iterdir()
            if p.is_file() and p.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
        )
    for path in automatic:
        if path.is_file():
            given.update(_file_values(path, display(path)))
    for name in var_files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"--tf-var-file {name}: not a file")
        given.update(_file_values(path, name))
    for item in cli_vars:
        name, _, text = item.partition("=")
        given[name.strip()] = Given(None, None, text)
    return given


def _file_values(path: Path, shown: str) -> dict[str, Given]:
    text = read_text(path, shown)
    if path.name.endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise InputError("not valid JSON", file=shown, line=line) from None
        if not isinstance(data, dict):
            raise InputError("expected an object of variable values", file=shown)
        return {str(k): Given(v, Location(shown, 1)) for k, v in data.items()}
    tree = parse(text, shown)
    found: dict[str, Given] = {}
    for node in rules(tree.body):
        if type(node).__name__ != "AttributeRule":
            raise InputError(
                "a variable file holds only NAME = VALUE lines", file=shown, line=line_of(node)
            )
        value = Evaluator(LITERALS).evaluate(node.expression)
        found[name_of(node.identifier)] = Given(value, Location(shown, line_of(node) or 1))
    return found


def declared_type(found: Declared, module: Module) -> Type:
    node = found.attributes.get("type")
    if node is None:
        return ANY
    try:
        return parse_type(node, module)
    except EvalError as exc:
        raise InputError(
            f"variable type: {exc}", file=found.location.file, line=found.location.line
        ) from None


def resolve(
    name: str,
    found: Declared,
    given: Given | None,
    unset_reason: str,
) -> Variable:
    """One variable's value as the module sees it: given, else its default, else unknown."""
    module = LITERALS
    wanted = declared_type(found, module)
    sensitive_node = found.attributes.get("sensitive")
    sensitive = sensitive_node is not None and Evaluator(module).evaluate(sensitive_node) is True
    location: Location | None = None
    if given is not None:
        value = given.value
        location = given.location
        if given.raw is not None:
            value = _from_text(given.raw, wanted, name)
        sensitive = sensitive or False
    elif "default" in found.attributes:
        value = Evaluator(module).evaluate(found.attributes["default"])
        location = found.location
    else:
        return Variable(Unknown(unset_reason), sensitive, None)
    if value is None and "nullable" in found.attributes:
        nullable = Evaluator(module).evaluate(found.attributes["nullable"])
        if nullable is False and "default" in found.attributes:
            value = Evaluator(module).evaluate(found.attributes["default"])
    try:
        value = convert(value, wanted)
    except EvalError as exc:
        where = given.location if given is not None and given.location else found.location
        raise InputError(
            f"var.{name}: {exc}", file=where.file, line=where.line, hint="its type constraint"
        ) from None
    return Variable(value, sensitive, location)


def _from_text(text: str, wanted: Type, name: str) -> Any:
    """A ``--tf-var``/``TF_VAR_`` value: the raw string for a primitive (or untyped)
    variable, else an HCL expression, as Terraform reads it."""
    if wanted.kind in PRIMITIVES or wanted.kind == "any":
        return text
    try:
        node = parse_expression(text)
    except Exception:
        raise UsageError(f"var.{name}: the value given is not an HCL expression") from None
    value = Evaluator(LITERALS).evaluate(node)
    if first_unknown(value) is not None:
        raise UsageError(f"var.{name}: the value given refers to something (give a literal)")
    return value
