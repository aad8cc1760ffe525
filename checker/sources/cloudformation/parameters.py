"""Parameter values: ``--parameter NAME=VALUE``, parameters files, and each template's
``Parameters`` section (``Default``, types, ``NoEcho``, ``AllowedValues``).

Parameters files are what ``aws cloudformation deploy --parameter-overrides file://FILE``
accepts: a list of ``{"ParameterKey": ..., "ParameterValue": ...}`` (``create-stack``'s format,
where ``UsePreviousValue: true`` may stand for the value), a list of ``"NAME=VALUE"`` strings, or
an object with ``Parameters: {NAME: VALUE}`` (CodePipeline's template configuration file).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.errors import InputError, UsageError
from checker.files.reading import Located, type_name
from checker.sources.cloudformation.intrinsics import (
    FROM_SSM,
    NO_ECHO,
    NO_PARAMETER_VALUE,
    PREVIOUS_VALUE,
    Unresolved,
)
from checker.sources.cloudformation.template import (
    load_json_located,
    require_object,
    scalar_text,
)

MAX_PARAMETERS_FILE_BYTES = 1024 * 1024
SSM_TYPE_PREFIX = "AWS::SSM::Parameter::Value<"
LIST_TYPES = ("CommaDelimitedList", "List<")


@dataclass(frozen=True, slots=True)
class GivenValue:
    """A parameter value from outside the template, and where it was given (for messages)."""

    value: str | Unresolved
    origin: str


def parse_assignments(texts: Sequence[str]) -> dict[str, GivenValue]:
    """``--parameter NAME=VALUE`` options; a later one for the same name wins."""
    given: dict[str, GivenValue] = {}
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"--parameter {text!r}: expected NAME=VALUE")
        given[name.strip()] = GivenValue(value, f"--parameter {name.strip()}")
    return given


def load_parameters_file(name: str) -> dict[str, GivenValue]:
    """One ``--parameters-file``: every format ``aws cloudformation deploy`` accepts."""
    doc = load_json_located(name, kind="parameters file", limit=MAX_PARAMETERS_FILE_BYTES)
    data = doc.data
    if isinstance(data, dict):
        if "Parameters" not in data:
            raise _fail(doc, (), "expected a list of parameters or an object with Parameters")
        values = require_object(doc, ("Parameters",), "Parameters")
        return {
            key: GivenValue(
                _string(doc, ("Parameters", key), value), _origin(doc, ("Parameters", key))
            )
            for key, value in values.items()
        }
    if not isinstance(data, list):
        raise _fail(doc, (), f"expected a list of parameters, got {type_name(data)}")
    given: dict[str, GivenValue] = {}
    for index, item in enumerate(data):
        where = (index,)
        if isinstance(item, str):
            assigned, equals, text = item.partition("=")
            if not equals or not assigned:
                raise _fail(doc, where, "expected a NAME=VALUE string")
            given[assigned] = GivenValue(text, _origin(doc, where))
            continue
        if not isinstance(item, dict):
            raise _fail(
                doc, where, f"expected an object or a NAME=VALUE string, got {type_name(item)}"
            )
        unexpected = sorted(
            set(item) - {"ParameterKey", "ParameterValue", "UsePreviousValue", "ResolvedValue"}
        )
        if unexpected:
            raise _fail(
                doc,
                (index, unexpected[0]),
                f"unexpected key {unexpected[0]!r} (expected ParameterKey and ParameterValue)",
            )
        parameter = item.get("ParameterKey")
        if not isinstance(parameter, str) or not parameter:
            raise _fail(doc, (index, "ParameterKey"), "ParameterKey: expected a parameter name")
        if item.get("UsePreviousValue") is True and "ParameterValue" not in item:
            previous = Unresolved(PREVIOUS_VALUE, f"!Ref {parameter}")
            given[parameter] = GivenValue(previous, _origin(doc, where))
            continue
        if "ParameterValue" not in item:
            raise _fail(doc, where, f"parameter {parameter}: no ParameterValue")
        value = _string(doc, (index, "ParameterValue"), item["ParameterValue"])
        given[parameter] = GivenValue(value, _origin(doc, where))
    return given


def _string(doc: Located, path: tuple[str | int, ...], value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(doc, path, f"expected a string value, got {type_name(value)}")
    return value


def _origin(doc: Located, path: tuple[str | int, ...]) -> str:
    line, column = doc.where(path)
    return f"{doc.file}:{line}:{column}"


def _fail(doc: Located, path: tuple[str | int, ...], message: str) -> InputError:
    error = doc.error(InputError, path, message)
    assert isinstance(error, InputError)
    return error


def merge_given(*layers: Mapping[str, GivenValue]) -> dict[str, GivenValue]:
    """Later layers win: parameters files in order, then ``--parameter``."""
    merged: dict[str, GivenValue] = {}
    for layer in layers:
        merged.update(layer)
    return merged


def parameter_values(
    doc: Located, given: Mapping[str, GivenValue], *, hint: bool = True
) -> dict[str, Any]:
    """Each declared parameter's value as ``Ref`` returns it (a string or a list of strings), or
    an :class:`Unresolved` saying why the template alone does not fix it.

    ``hint``: whether ``--parameter`` could give the value (a top-level stack, not a nested one).
    """
    declared = require_object(doc, ("Parameters",), "Parameters")
    values: dict[str, Any] = {}
    for name, declaration in declared.items():
        path = ("Parameters", name)
        if not isinstance(declaration, dict):
            raise _fail(
                doc, path, f"parameter {name}: expected an object, got {type_name(declaration)}"
            )
        kind = declaration.get("Type")
        if not isinstance(kind, str):
            raise _fail(doc, (*path, "Type"), f"parameter {name}: Type must be a string")
        expression = f"!Ref {name}"
        if declaration.get("NoEcho") in (True, "true", "True", "TRUE"):
            values[name] = Unresolved(NO_ECHO, expression)  # never read, whatever its source
            continue
        if kind.startswith(SSM_TYPE_PREFIX):
            values[name] = Unresolved(FROM_SSM, expression)  # the value is the SSM name
            continue
        if name in given:
            supplied = given[name]
            if isinstance(supplied.value, Unresolved):
                values[name] = supplied.value
                continue
            value = _typed(kind, supplied.value)
            _check_allowed(doc, path, name, declaration, value, supplied.origin)
            values[name] = value
        elif "Default" in declaration:
            values[name] = _typed(
                kind, _default(doc, (*path, "Default"), name, declaration["Default"])
            )
        else:
            values[name] = Unresolved(
                NO_PARAMETER_VALUE,
                expression,
                f"give --parameter {name}=VALUE" if hint else None,
            )
    return values


def _default(doc: Located, path: tuple[str | int, ...], name: str, value: Any) -> Any:
    if isinstance(value, list):
        if not all(scalar_text(item) is not None for item in value):
            raise _fail(
                doc, path, f"parameter {name}: Default must be a string or a list of strings"
            )
        return ",".join(_text(item) for item in value)
    if isinstance(value, (dict, type(None))):
        raise _fail(
            doc, path, f"parameter {name}: Default must be a string, got {type_name(value)}"
        )
    return _text(value)


def _text(value: Any) -> str:
    text = scalar_text(value)
    return str(value) if text is None else text


def _typed(kind: str, text: str) -> Any:
    """``Ref`` of a list type is a list: CloudFormation splits on commas and trims each item."""
    if kind.startswith(LIST_TYPES):
        return [item.strip() for item in text.split(",")]
    return text


def _check_allowed(
    doc: Located,
    path: tuple[str, str],
    name: str,
    declaration: Mapping[str, Any],
    value: Any,
    origin: str,
) -> None:
    """A value CloudFormation would refuse (not in AllowedValues) is an error, not evaluated."""
    allowed = declaration.get("AllowedValues")
    if not isinstance(allowed, list):
        return
    choices = {_text(item) for item in allowed if scalar_text(item) is not None}
    items = value if isinstance(value, list) else [value]
    if not all(item in choices for item in items):
        raise _fail(
            doc,
            (*path, "AllowedValues"),
            f"parameter {name}: the value given by {origin} is not one of its AllowedValues",
        )
