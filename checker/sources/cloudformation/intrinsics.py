"""Resolving intrinsic functions to the values CloudFormation would deploy, where a template
alone decides them.

Literals, parameters with a value (a ``Default``, ``--parameter`` or a parameters file), pseudo
parameters the stack's environment fixes, conditions over those, and the pure functions over
resolvable inputs (``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``,
``Fn::If``, ``Fn::Base64``, ``Fn::Cidr``, ``Fn::Length``) are resolved. Everything else
(``Fn::GetAtt``, ``Ref`` to a resource, ``Fn::ImportValue``, ``Fn::GetAZs``, SSM parameter
types, dynamic references, macros) resolves to :class:`Unresolved`, which names the expression,
so a rule reading it is ``unknown`` with a message saying why, never guessed.

Functions are entries in one table (``FUNCTIONS``), each taking the resolver, its argument and
the argument's position. Nothing is executed; every error names the file, line and column.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from checker.errors import InputError
from checker.files.reading import MAX_DEPTH, Located, PathKey, type_name
from checker.sources.cloudformation.template import scalar_text
from checker.text import shorten

DEPLOY_TIME = "known only at deploy time"
NO_PARAMETER_VALUE = "a parameter without a value"
FROM_SSM = "resolved from SSM Parameter Store at deploy time"
DYNAMIC_REFERENCE = "resolved from a dynamic reference at deploy time"
NO_ECHO = "withheld: wfcheck never reads a NoEcho parameter"
PREVIOUS_VALUE = "the stack's previous value (UsePreviousValue)"
MACRO = "expanded by a macro at deploy time"
NOT_EVALUATED = "computed by a function wfcheck does not evaluate"
MAX_EXPRESSION = 100

CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")
_DYNAMIC = re.compile(r"\{\{resolve:[^}]*\}\}")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A value the template does not decide: why (``reason``), written how (``expression``),
    and what would decide it (``hint``)."""

    reason: str
    expression: str
    hint: str | None = None

    def render(self) -> str:
        """The words after "which is" in the engine's message."""
        detail = _shorten(self.expression)
        if self.hint:
            detail += f"; {self.hint}"
        return f"{self.reason} ({detail})"


class _NoValue:
    """``AWS::NoValue``: the property (or list item) is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


def find_unresolved(value: Any) -> Unresolved | None:
    """The first :class:`Unresolved` inside a resolved value, if any."""
    if isinstance(value, Unresolved):
        return value
    if isinstance(value, list):
        items: Any = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return None
    for item in items:
        found = find_unresolved(item)
        if found is not None:
            return found
    return None


class Resolver:
    """Resolves values of one template (one stack) against its parameters and environment.

    ``parameters`` maps every declared parameter to its value (a string or list) or an
    :class:`Unresolved`; ``pseudo`` does the same for ``AWS::Region`` and friends.
    """

    def __init__(
        self,
        doc: Located,
        *,
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, Any],
    ) -> None:
        self.doc = doc
        data = doc.data if isinstance(doc.data, dict) else {}
        resources = data.get("Resources")
        self.resources = frozenset(resources) if isinstance(resources, dict) else frozenset()
        conditions = data.get("Conditions")
        self.conditions: Mapping[str, Any] = conditions if isinstance(conditions, dict) else {}
        mappings = data.get("Mappings")
        self.mappings: Mapping[str, Any] = mappings if isinstance(mappings, dict) else {}
        if conditions is not None and not isinstance(conditions, dict):
            raise self.error(
                ("Conditions",), f"Conditions: expected an object, got {type_name(conditions)}"
            )
        if mappings is not None and not isinstance(mappings, dict):
            raise self.error(
                ("Mappings",), f"Mappings: expected an object, got {type_name(mappings)}"
            )
        self.parameters = parameters
        self.pseudo = pseudo
        self._decided: dict[str, bool | Unresolved] = {}
        self._deciding: set[str] = set()

    def error(self, path: PathKey, message: str) -> InputError:
        error = self.doc.error(InputError, path, message)
        assert isinstance(error, InputError)
        return error

    # --- values ---------------------------------------------------------------------------------

    def resolve(self, value: Any, path: PathKey, depth: int = 0) -> Any:
        """The deployed value: plain data, with :class:`Unresolved` where the template does not
        decide it and ``AWS::NoValue`` items removed (``NO_VALUE`` when the whole is removed)."""
        if depth > MAX_DEPTH:
            raise self.error(path, f"value nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            found = _DYNAMIC.search(value)
            if found:
                return Unresolved(DYNAMIC_REFERENCE, found.group())
            return value
        if isinstance(value, list):
            items = [self.resolve(item, (*path, i), depth + 1) for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, dict):
            function = intrinsic_name(value)
            if function is not None:
                return self.call(function, value[function], (*path, function), depth + 1)
            resolved = {
                key: self.resolve(item, (*path, key), depth + 1) for key, item in value.items()
            }
            return {key: item for key, item in resolved.items() if item is not NO_VALUE}
        return value

    def call(self, function: str, argument: Any, path: PathKey, depth: int) -> Any:
        handler = FUNCTIONS.get(function)
        if handler is None:
            if function in CONDITION_FUNCTIONS:
                raise self.error(
                    path, f"{function} is a condition function: it belongs in Conditions or Fn::If"
                )
            raise self.error(path, f"unknown intrinsic function {function}")
        return handler(self, argument, path, depth)

    def resolve_string(self, value: Any, path: PathKey, depth: int, what: str) -> Any:
        """A string argument (numbers are written as strings), or an Unresolved."""
        resolved = self.resolve(value, path, depth)
        if isinstance(resolved, Unresolved):
            return resolved
        text = scalar_text(resolved)
        if text is None:
            raise self.error(path, f"{what}: expected a string, got {type_name(resolved)}")
        return text

    def resolve_list(self, value: Any, path: PathKey, depth: int, what: str) -> Any:
        """A list argument (a literal list or a function returning one), or an Unresolved."""
        resolved = self.resolve(value, path, depth)
        if isinstance(resolved, Unresolved):
            return resolved
        if not isinstance(resolved, list):
            raise self.error(path, f"{what}: expected a list, got {type_name(resolved)}")
        return resolved

    def reference(self, name: str, path: PathKey, expression: str) -> Any:
        """What ``Ref name`` (or ``${name}`` in Fn::Sub) is."""
        if name in self.pseudo:
            return _expressed(self.pseudo[name], name, expression)
        if name in self.parameters:
            return _expressed(self.parameters[name], name, expression)
        if name in self.resources:
            return Unresolved(DEPLOY_TIME, expression)
        raise self.error(path, f"{expression}: no parameter or resource named {name!r}")

    # --- conditions -----------------------------------------------------------------------------

    def condition(self, name: Any, path: PathKey) -> bool | Unresolved:
        """Whether a named condition holds, or an Unresolved when the template does not say."""
        if not isinstance(name, str):
            raise self.error(path, f"a condition name must be a string, got {type_name(name)}")
        if name in self._decided:
            return self._decided[name]
        if name not in self.conditions:
            raise self.error(path, f"no condition named {name!r} in Conditions")
        if name in self._deciding:
            raise self.error(("Conditions", name), f"condition {name!r} depends on itself")
        self._deciding.add(name)
        try:
            decided = self.decide(self.conditions[name], ("Conditions", name), 0)
        finally:
            self._deciding.discard(name)
        self._decided[name] = decided
        return decided

    def decide(self, value: Any, path: PathKey, depth: int) -> bool | Unresolved:
        """A condition function's truth, three-valued."""
        if depth > MAX_DEPTH:
            raise self.error(path, f"condition nested deeper than {MAX_DEPTH} levels")
        function = intrinsic_name(value) if isinstance(value, dict) else None
        if function not in CONDITION_FUNCTIONS:
            raise self.error(
                path, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or a Condition"
            )
        argument = value[function]
        inner: PathKey = (*path, function)
        if function == "Condition":
            return self.condition(argument, inner)
        if function == "Fn::Equals":
            pair = _arguments(self, argument, inner, function, 2)
            left = self.resolve(pair[0], (*inner, 0), depth + 1)
            right = self.resolve(pair[1], (*inner, 1), depth + 1)
            for side in (left, right):
                unresolved = find_unresolved(side)
                if unresolved is not None:
                    return unresolved
            return bool(_comparable(left) == _comparable(right))
        if function == "Fn::Not":
            (only,) = _arguments(self, argument, inner, function, 1)
            decided = self.decide(only, (*inner, 0), depth + 1)
            return decided if isinstance(decided, Unresolved) else not decided
        if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
            raise self.error(inner, f"{function}: expected a list of 2 to 10 conditions")
        settles = function == "Fn::Or"  # the value of one part that settles the whole
        pending: Unresolved | None = None
        for index, part in enumerate(argument):
            decided = self.decide(part, (*inner, index), depth + 1)
            if isinstance(decided, Unresolved):
                pending = pending or decided
            elif decided is settles:
                return settles
        return pending if pending is not None else not settles


def intrinsic_name(value: Mapping[str, Any]) -> str | None:
    """The function a one-key object calls (``Ref``, ``Fn::X``, ``Condition``), if it is one."""
    if len(value) != 1:
        return None
    (key,) = value
    if key in ("Ref", "Condition") or (isinstance(key, str) and key.startswith("Fn::")):
        return key
    return None


def _expressed(value: Any, name: str, expression: str) -> Any:
    """A parameter's Unresolved named the way this reference writes it (``${Name}`` in a
    Fn::Sub); one that came from elsewhere (a parent stack) keeps the expression there."""
    if isinstance(value, Unresolved) and value.expression == f"!Ref {name}":
        return replace(value, expression=expression)
    return value


def _comparable(value: Any) -> Any:
    """Fn::Equals compares the strings CloudFormation would see."""
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    text = scalar_text(value)
    return value if text is None else text


def _arguments(
    resolver: Resolver, argument: Any, path: PathKey, function: str, *sizes: int
) -> list[Any]:
    if not isinstance(argument, list) or len(argument) not in sizes:
        expected = " or ".join(str(size) for size in sizes)
        raise resolver.error(path, f"{function}: expected a list of {expected} arguments")
    return argument


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return shorten(text, MAX_EXPRESSION)


def short_form(value: Any, depth: int = 0) -> str:
    """A compact YAML-like rendering of template text (``!Sub ${Env}-vpc``) for messages."""
    if depth > 6:
        return "..."
    if isinstance(value, dict):
        function = intrinsic_name(value)
        if function is not None:
            tag = "!" + function.removeprefix("Fn::")
            argument = value[function]
            if function == "Fn::GetAtt" and isinstance(argument, list):
                return f"{tag} " + ".".join(short_form(part, depth + 1) for part in argument)
            return f"{tag} {short_form(argument, depth + 1)}"
        inner = ", ".join(f"{key}: {short_form(item, depth + 1)}" for key, item in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(short_form(item, depth + 1) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return "''"
    return str(value)


# --- the functions ------------------------------------------------------------------------------

Handler = Callable[[Resolver, Any, PathKey, int], Any]


def _ref(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    if not isinstance(argument, str):
        raise resolver.error(path, f"Ref: expected a name, got {type_name(argument)}")
    return resolver.reference(argument, path, f"!Ref {argument}")


def _get_att(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    if isinstance(argument, str) and "." in argument:
        resource = argument.split(".", 1)[0]
    elif isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
        resource = argument[0]
    else:
        raise resolver.error(
            path, "Fn::GetAtt: expected [LogicalId, Attribute] or LogicalId.Attribute"
        )
    if resource not in resolver.resources:
        raise resolver.error(path, f"Fn::GetAtt: no resource named {resource!r}")
    return Unresolved(DEPLOY_TIME, short_form({"Fn::GetAtt": argument}))


def _deploy_time(function: str) -> Handler:
    def handler(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
        return Unresolved(DEPLOY_TIME, short_form({function: argument}))

    return handler


def _transform(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    name = argument.get("Name") if isinstance(argument, dict) else None
    return Unresolved(MACRO, f"Fn::Transform {short_form(name)}")


def _not_evaluated(function: str) -> Handler:
    def handler(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
        return Unresolved(NOT_EVALUATED, short_form({function: argument}))

    return handler


def _sub(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    if isinstance(argument, str):
        text, variables, text_path = argument, {}, path
    elif (
        isinstance(argument, list)
        and len(argument) == 2
        and isinstance(argument[0], str)
        and isinstance(argument[1], dict)
    ):
        text, variables, text_path = argument[0], argument[1], (*path, 0)
    else:
        raise resolver.error(path, "Fn::Sub: expected a string or [string, {variables}]")
    parts: list[str] = []
    position = 0
    for match in _SUB_VARIABLE.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
            continue
        expression = "${" + name + "}"
        if name in variables:
            value = resolver.resolve_string(
                variables[name], (*path, 1, name), depth + 1, f"Fn::Sub variable {name}"
            )
        elif "." in name and name.split(".", 1)[0] in resolver.resources:
            value = Unresolved(DEPLOY_TIME, expression)
        elif name in resolver.pseudo or name in resolver.parameters or name in resolver.resources:
            value = resolver.reference(name, text_path, expression)
        else:
            raise resolver.error(
                text_path, f"Fn::Sub: {expression} names no parameter, resource or variable"
            )
        if isinstance(value, Unresolved):
            return value
        if value is NO_VALUE:
            raise resolver.error(text_path, f"Fn::Sub: {expression} is AWS::NoValue")
        if isinstance(value, list):
            raise resolver.error(text_path, f"Fn::Sub: {expression} is a list, not a string")
        parts.append(value if isinstance(value, str) else _comparable(value))
    parts.append(text[position:])
    result = "".join(parts)
    dynamic = _DYNAMIC.search(result)  # CloudFormation substitutes first, then resolves
    return Unresolved(DYNAMIC_REFERENCE, dynamic.group()) if dynamic else result


def _if(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    name, when_true, when_false = _arguments(resolver, argument, path, "Fn::If", 3)
    decided = resolver.condition(name, (*path, 0))
    if isinstance(decided, Unresolved):
        # both branches the same: the condition does not matter
        first = resolver.resolve(when_true, (*path, 1), depth + 1)
        second = resolver.resolve(when_false, (*path, 2), depth + 1)
        if first == second and find_unresolved(first) is None:
            return first
        return replace(decided, expression=f"{decided.expression}, in condition {name}")
    if decided:
        return resolver.resolve(when_true, (*path, 1), depth + 1)
    return resolver.resolve(when_false, (*path, 2), depth + 1)


def _join(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    delimiter, items = _arguments(resolver, argument, path, "Fn::Join", 2)
    if not isinstance(delimiter, str):
        raise resolver.error((*path, 0), "Fn::Join: the delimiter must be a string")
    values = resolver.resolve_list(items, (*path, 1), depth + 1, "Fn::Join")
    if isinstance(values, Unresolved):
        return values
    strings = []
    for index, item in enumerate(values):
        if isinstance(item, Unresolved):
            return item
        if isinstance(item, (list, dict)):
            raise resolver.error(
                (*path, 1, index), f"Fn::Join: expected strings, got {type_name(item)}"
            )
        strings.append(item if isinstance(item, str) else _comparable(item))
    return delimiter.join(strings)


def _select(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    index_value, items = _arguments(resolver, argument, path, "Fn::Select", 2)
    index = resolver.resolve(index_value, (*path, 0), depth + 1)
    if isinstance(index, Unresolved):
        return index
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise resolver.error((*path, 0), "Fn::Select: the index must be a whole number")
    values = resolver.resolve_list(items, (*path, 1), depth + 1, "Fn::Select")
    if isinstance(values, Unresolved):
        return values
    if index >= len(values):
        raise resolver.error(
            (*path, 0), f"Fn::Select: index {index} is out of range for a list of {len(values)}"
        )
    return values[index]


def _split(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    delimiter, source = _arguments(resolver, argument, path, "Fn::Split", 2)
    if not isinstance(delimiter, str) or not delimiter:
        raise resolver.error((*path, 0), "Fn::Split: the delimiter must be a non-empty string")
    text = resolver.resolve_string(source, (*path, 1), depth + 1, "Fn::Split")
    if isinstance(text, Unresolved):
        return text
    return text.split(delimiter)


def _find_in_map(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    if not isinstance(argument, list) or len(argument) not in (3, 4):
        raise resolver.error(path, "Fn::FindInMap: expected [MapName, TopLevelKey, SecondLevelKey]")
    default: Any = None
    has_default = len(argument) == 4
    if has_default:
        option = argument[3]
        if not isinstance(option, dict) or set(option) != {"DefaultValue"}:
            raise resolver.error(
                (*path, 3), "Fn::FindInMap: the fourth argument is {DefaultValue: ...}"
            )
        default = option["DefaultValue"]
    keys = []
    for index in range(3):
        key = resolver.resolve_string(argument[index], (*path, index), depth + 1, "Fn::FindInMap")
        if isinstance(key, Unresolved):
            return key
        keys.append(key)
    found: Any = resolver.mappings
    for index, key in enumerate(keys):
        found = found.get(key) if isinstance(found, dict) else None
        if found is None:
            if has_default:
                return resolver.resolve(default, (*path, 3, "DefaultValue"), depth + 1)
            missing = "/".join(keys[: index + 1])
            raise resolver.error((*path, index), f"Fn::FindInMap: {missing} is not in Mappings")
    return resolver.resolve(found, ("Mappings", *keys), depth + 1)


def _base64(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    text = resolver.resolve_string(argument, path, depth + 1, "Fn::Base64")
    if isinstance(text, Unresolved):
        return text
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _cidr(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    block, count, bits = _arguments(resolver, argument, path, "Fn::Cidr", 3)
    values = []
    for index, item in enumerate((block, count, bits)):
        value = resolver.resolve_string(item, (*path, index), depth + 1, "Fn::Cidr")
        if isinstance(value, Unresolved):
            return value
        values.append(value)
    try:
        network = ipaddress.ip_network(values[0], strict=False)
    except ValueError:
        raise resolver.error((*path, 0), "Fn::Cidr: the IP block is not a CIDR") from None
    if not (values[1].isdigit() and values[2].isdigit()):
        raise resolver.error(path, "Fn::Cidr: the count and the bits must be whole numbers")
    wanted, host_bits = int(values[1]), int(values[2])
    prefix = network.max_prefixlen - host_bits
    if not 1 <= wanted <= 256 or host_bits < 1 or prefix < network.prefixlen:
        raise resolver.error(
            path, f"Fn::Cidr: cannot cut {wanted} subnet(s) of {host_bits} host bits from the block"
        )
    subnets = []
    for subnet in network.subnets(new_prefix=prefix):
        subnets.append(str(subnet))
        if len(subnets) == wanted:
            return subnets
    raise resolver.error(path, f"Fn::Cidr: the block holds fewer than {wanted} such subnets")


def _length(resolver: Resolver, argument: Any, path: PathKey, depth: int) -> Any:
    values = resolver.resolve_list(argument, path, depth + 1, "Fn::Length")
    return values if isinstance(values, Unresolved) else len(values)


FUNCTIONS: dict[str, Handler] = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::If": _if,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::FindInMap": _find_in_map,
    "Fn::Base64": _base64,
    "Fn::Cidr": _cidr,
    "Fn::Length": _length,
    "Fn::ImportValue": _deploy_time("Fn::ImportValue"),
    "Fn::GetAZs": _deploy_time("Fn::GetAZs"),
    "Fn::Transform": _transform,
    "Fn::ToJsonString": _not_evaluated("Fn::ToJsonString"),
}
