"""An evaluator of HCL expressions over python-hcl2's typed rule tree.

python-hcl2 parses; it does not evaluate (its ``serialize`` turns expressions back into
``${...}`` text). This module gives each expression the value Terraform would compute from the
sources alone, or an :class:`Unknown` naming what it depends on: another resource's attribute,
a data source, remote state, a module output, a function not implemented. Node kinds are
entries in one table (:data:`_NODES`), not branches of one function.

:class:`Trace` records, per evaluation, whether a sensitive value was read and where the values
came from (the ``tfvars`` or ``locals`` line), so findings can point there and sensitive values
are never shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.model import Location
from checker.sources.terraform.static.functions import FUNCTIONS
from checker.sources.terraform.static.values import (
    MAX_COLLECTION,
    EvalError,
    Unknown,
    any_unknown,
    first_unknown,
    iterate,
    to_bool,
    to_number,
    to_string,
    type_of,
)

MAX_TEXT = 80  # characters of an expression shown in a reason


@dataclass(frozen=True, slots=True)
class Variable:
    """One input variable's value as the module sees it, and where it was set."""

    value: Any
    sensitive: bool = False
    location: Location | None = None


@dataclass
class Trace:
    """What an evaluation read: a sensitive value, and the places its values were set."""

    sensitive: bool = False
    origins: list[Location] = field(default_factory=list)

    def merge(self, other: Trace) -> None:
        self.sensitive = self.sensitive or other.sensitive
        self.origins.extend(o for o in other.origins if o not in self.origins)


def rules(node: Any) -> list[Any]:
    """A node's child rules, without tokens, comments and the parser's empty slots."""
    from hcl2.rules.abstract import LarkRule
    from hcl2.rules.whitespace import NewLineOrCommentRule

    return [
        c
        for c in getattr(node, "children", ())
        if isinstance(c, LarkRule) and not isinstance(c, NewLineOrCommentRule)
    ]


def tokens(node: Any) -> list[str]:
    """The values of a node's own tokens (``...``, operators)."""
    from hcl2.rules.abstract import LarkToken

    return [str(c.value) for c in getattr(node, "children", ()) if isinstance(c, LarkToken)]


def line_of(node: Any) -> int:
    meta = getattr(node, "_meta", None)
    line = getattr(meta, "line", None)
    return line if isinstance(line, int) else 0


def text_of(node: Any) -> str:
    """An expression as written, shortened, for reasons (source text, never a value)."""
    try:
        text = str(node.serialize())
    except Exception:  # serialization is cosmetic here
        return "an expression"
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def name_of(node: Any) -> str:
    """An identifier or label as plain text: ``"main"`` -> ``main``."""
    text = str(node.serialize())
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1]
    return text


class Module:
    """What an expression in one module instance can refer to.

    ``variables`` are the input variables with the values the caller (or the root's variable
    files) gave; ``locals`` the ``locals`` definitions, evaluated lazily once; ``outputs``
    answers ``module.NAME...`` references (None: every module output is unknown).
    """

    def __init__(
        self,
        variables: Mapping[str, Variable],
        locals_: Mapping[str, tuple[Any, Location]],
        path_module: str,
        outputs: Callable[[str, Any, Trace], Any] | None = None,
    ) -> None:
        self.variables = variables
        self.locals = locals_
        self.path_module = path_module
        self.outputs = outputs
        self._local_values: dict[str, tuple[Any, Trace]] = {}
        self._evaluating: set[str] = set()

    def local(self, name: str, trace: Trace) -> Any:
        found = self._local_values.get(name)
        if found is None:
            definition = self.locals.get(name)
            if definition is None:
                return Unknown(f"local.{name} is not declared")
            if name in self._evaluating:
                return Unknown(f"local.{name} refers to itself")
            self._evaluating.add(name)
            own = Trace()
            try:
                value = Evaluator(self, own).evaluate(definition[0])
            finally:
                self._evaluating.discard(name)
            own.origins.insert(0, definition[1])
            found = self._local_values[name] = (value, own)
        trace.merge(found[1])
        return found[0]


class Evaluator:
    """Evaluates expressions of one module instance; ``names`` are the names in scope besides
    the module's (``each``, ``count``, ``for`` variables, a ``dynamic`` block's iterator)."""

    def __init__(
        self, module: Module, trace: Trace | None = None, names: Mapping[str, Any] | None = None
    ) -> None:
        self.module = module
        self.trace = trace if trace is not None else Trace()
        self.names: dict[str, Any] = dict(names or {})

    def with_names(self, extra: Mapping[str, Any]) -> Evaluator:
        return Evaluator(self.module, self.trace, {**self.names, **extra})

    def evaluate(self, node: Any) -> Any:
        """The expression's value; what Terraform would refuse becomes unknown with the
        reason, since the plan would not exist to compare with."""
        try:
            return self.value(node)
        except EvalError as exc:
            return Unknown(f"{text_of(node)}: {exc}")

    def value(self, node: Any) -> Any:
        handler = _NODES.get(type(node).__name__)
        if handler is None:
            return Unknown(f"{text_of(node)}: this kind of expression is not evaluated")
        return handler(self, node)

    # references ---------------------------------------------------------------------------

    def reference(self, node: Any) -> Any:
        """A traversal from a name: ``var.x[0].y``, ``local.z``, ``each.value``,
        ``aws_vpc.main.id``. Steps are applied to the root's value one at a time."""
        root, steps = _traversal(node)
        if root is None:
            base = self.value(rules(node)[0])
            return self._apply(base, steps, node)
        name = name_of(root)
        if name in self.names:
            return self._apply(self.names[name], steps, node)
        resolver = _ROOTS.get(name)
        if resolver is not None:
            return resolver(self, steps, node)
        return Unknown(
            f"{_reference_text(name, steps)}: another resource's attribute (known only to a plan)"
        )

    def _apply(self, value: Any, steps: list[Any], node: Any) -> Any:
        for step in steps:
            if isinstance(value, Unknown):
                return value
            value = self._step(value, step)
        return value

    def _step(self, value: Any, step: Any) -> Any:
        if isinstance(step, str):
            if isinstance(value, dict):
                if step not in value:
                    raise EvalError(f"no attribute {step!r}")
                return value[step]
            raise EvalError(f"a {type_of(value)} has no attribute {step!r}")
        key = self.value(step)
        if isinstance(key, Unknown):
            return key
        if isinstance(value, list):
            index = to_number(key)
            if not isinstance(index, int) and not float(index).is_integer():
                raise EvalError("a list index must be a whole number")
            if not 0 <= int(index) < len(value):
                raise EvalError("index out of range")
            return value[int(index)]
        if isinstance(value, dict):
            text = to_string(key)
            if text not in value:
                raise EvalError(f"no key {text!r}")
            return value[text]
        raise EvalError(f"a {type_of(value)} cannot be indexed")

    def _var(self, steps: list[Any], node: Any) -> Any:
        if not steps or not isinstance(steps[0], str):
            return Unknown(f"{text_of(node)}: not a variable reference")
        variable = self.module.variables.get(steps[0])
        if variable is None:
            return Unknown(f"var.{steps[0]} is not declared")
        if variable.sensitive:
            self.trace.sensitive = True
        if variable.location is not None and variable.location not in self.trace.origins:
            self.trace.origins.append(variable.location)
        return self._apply(variable.value, steps[1:], node)

    def _local(self, steps: list[Any], node: Any) -> Any:
        if not steps or not isinstance(steps[0], str):
            return Unknown(f"{text_of(node)}: not a local value reference")
        return self._apply(self.module.local(steps[0], self.trace), steps[1:], node)

    def _path(self, steps: list[Any], node: Any) -> Any:
        if steps and steps[0] == "module":
            return self.module.path_module
        if steps and steps[0] in ("root", "cwd"):
            return "."
        return Unknown(f"{text_of(node)}: not evaluated")

    def _terraform(self, steps: list[Any], node: Any) -> Any:
        if steps and steps[0] == "workspace":
            return "default"
        return Unknown(f"{text_of(node)}: not evaluated")

    def _module(self, steps: list[Any], node: Any) -> Any:
        if self.module.outputs is None or not steps or not isinstance(steps[0], str):
            return Unknown(f"{_reference_text('module', steps)}: a module output")
        return self.module.outputs(steps[0], steps[1:], self.trace)

    def _data(self, steps: list[Any], node: Any) -> Any:
        shown = _reference_text("data", steps)
        if len(steps) >= 1 and steps[0] == "terraform_remote_state":
            return Unknown(f"{shown}: remote state (read only by a plan)")
        return Unknown(f"{shown}: a data source (read only by a plan)")

    def _unknown_root(self, steps: list[Any], node: Any) -> Any:
        return Unknown(f"{text_of(node)}: not known before apply")

    def _unset_name(self, name: str) -> Callable[[Evaluator, list[Any], Any], Any]:
        return lambda self, steps, node: Unknown(f"{name} is used outside count or for_each")


def _traversal(node: Any) -> tuple[Any, list[Any]]:
    """(root identifier, steps) of a ``GetAttr``/index chain; steps are attribute names
    (``str``) or index expressions (nodes). The root is None when the chain starts from an
    expression that is not a name (``(x)[0]``)."""
    from hcl2.rules.literal_rules import IdentifierRule

    steps: list[Any] = []
    current = node
    while True:
        kind = type(current).__name__
        parts = rules(current)
        if kind == "ExprTermRule" and len(parts) == 1 and not tokens(current):
            current = parts[0]
            continue
        if kind == "GetAttrExprTermRule":
            steps.insert(0, name_of(rules(parts[1])[0]))
            current = parts[0]
            continue
        if kind == "IndexExprTermRule":
            index = parts[1]
            if type(index).__name__ == "ShortIndexRule":  # x.0
                steps.insert(0, _ShortIndex(int(tokens(index)[-1].lstrip("."))))
            else:
                steps.insert(0, rules(index)[0])
            current = parts[0]
            continue
        if isinstance(current, IdentifierRule):
            return current, steps
        return None, steps


@dataclass(frozen=True, slots=True)
class _ShortIndex:
    index: int


def _reference_text(root: str, steps: list[Any]) -> str:
    text = root
    for step in steps:
        if isinstance(step, str):
            text += f".{step}"
        elif isinstance(step, _ShortIndex):
            text += f"[{step.index}]"
        else:
            text += f"[{text_of(step)}]"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


_ROOTS: dict[str, Callable[[Evaluator, list[Any], Any], Any]] = {
    "var": Evaluator._var,
    "local": Evaluator._local,
    "path": Evaluator._path,
    "terraform": Evaluator._terraform,
    "module": Evaluator._module,
    "data": Evaluator._data,
    "self": Evaluator._unknown_root,
    "each": lambda self, steps, node: Unknown("each is used outside for_each"),
    "count": lambda self, steps, node: Unknown("count.index is used outside count"),
}


# node kinds ---------------------------------------------------------------------------------


def _expr_term(self: Evaluator, node: Any) -> Any:
    parts = rules(node)
    if len(parts) == 1:
        return self.value(parts[0])
    return Unknown(f"{text_of(node)}: not evaluated")


def _literal(self: Evaluator, node: Any) -> Any:
    word = tokens(node)[0]
    return {"true": True, "false": False, "null": None}[word]


def _int(self: Evaluator, node: Any) -> Any:
    return int(str(node.children[0].value))


def _float(self: Evaluator, node: Any) -> Any:
    number = float(str(node.children[0].value))
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _identifier(self: Evaluator, node: Any) -> Any:
    return self.reference(node)


def _step_index(self: Evaluator, node: Any) -> Any:
    return self.reference(node)


def _tuple(self: Evaluator, node: Any) -> Any:
    return [self.value(item) for item in rules(node)]


def _object(self: Evaluator, node: Any) -> Any:
    out: dict[str, Any] = {}
    for element in rules(node):
        key_node, value_node = rules(element)[:2]
        key = _object_key(self, key_node)
        if isinstance(key, Unknown):
            return key
        out[key] = self.value(value_node)
    return out


def object_elements(evaluator: Evaluator, node: Any) -> list[tuple[str, Any]] | None:
    """An object literal's (key, value expression) pairs, so each value is evaluated alone
    (one sensitive or never-read element taints nothing else); None for any other expression
    or a key that is not known."""
    while type(node).__name__ == "ExprTermRule" and len(rules(node)) == 1:
        node = rules(node)[0]
    if type(node).__name__ != "ObjectRule":
        return None
    pairs = []
    for element in rules(node):
        key_node, value_node = rules(element)[:2]
        key = _object_key(evaluator, key_node)
        if not isinstance(key, str):
            return None
        pairs.append((key, value_node))
    return pairs


def _object_key(self: Evaluator, node: Any) -> Any:
    from hcl2.rules.literal_rules import IdentifierRule

    inner = rules(node)[0]
    if type(node).__name__ == "ObjectElemKeyRule" and isinstance(inner, IdentifierRule):
        return name_of(inner)
    key = self.value(inner)
    return key if isinstance(key, Unknown) else to_string(key)


def _conditional(self: Evaluator, node: Any) -> Any:
    condition, yes, no = rules(node)
    decided = self.value(condition)
    found = first_unknown(decided)
    if found is not None:
        return Unknown(f"the condition of {text_of(node)} is not known: {found.reason}")
    return self.value(yes if to_bool(decided) else no)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: to_number(a) + to_number(b),
    "-": lambda a, b: to_number(a) - to_number(b),
    "*": lambda a, b: to_number(a) * to_number(b),
    "/": lambda a, b: _divide(to_number(a), to_number(b)),
    "%": lambda a, b: _modulo(to_number(a), to_number(b)),
    "==": lambda a, b: a == b and type_of(a) == type_of(b),
    "!=": lambda a, b: not (a == b and type_of(a) == type_of(b)),
    "<": lambda a, b: to_number(a) < to_number(b),
    ">": lambda a, b: to_number(a) > to_number(b),
    "<=": lambda a, b: to_number(a) <= to_number(b),
    ">=": lambda a, b: to_number(a) >= to_number(b),
    "&&": lambda a, b: to_bool(a) and to_bool(b),
    "||": lambda a, b: to_bool(a) or to_bool(b),
}


def _divide(a: int | float, b: int | float) -> int | float:
    if b == 0:
        raise EvalError("division by zero")
    result = a / b
    return int(result) if result.is_integer() else result


def _modulo(a: int | float, b: int | float) -> int | float:
    if b == 0:
        raise EvalError("modulo by zero")
    return a % b


def _binary(self: Evaluator, node: Any) -> Any:
    left_node, term = rules(node)[:2]
    operator_node, right_node = rules(term)[:2]
    operator = tokens(operator_node)[0].strip()
    left = self.value(left_node)
    # a known false (&&) or true (||) decides the result, whatever the other side is
    decided = operator in ("&&", "||") and not isinstance(left, Unknown)
    if decided and to_bool(left) is (operator == "||"):
        return left
    right = self.value(right_node)
    found = any_unknown((left, right))
    if found is not None:
        return found
    return _OPERATORS[operator](left, right)


def _unary(self: Evaluator, node: Any) -> Any:
    operand = self.value(rules(node)[0])
    if isinstance(operand, Unknown):
        return operand
    return -to_number(operand) if tokens(node)[0].strip() == "-" else not to_bool(operand)


def _function(self: Evaluator, node: Any) -> Any:
    name = "::".join(name_of(identifier) for identifier in node.identifiers)
    arguments = node.arguments
    argument_nodes = rules(arguments) if arguments is not None else []
    expand = arguments is not None and "..." in tokens(arguments)
    special = _SPECIAL.get(name)
    if special is not None:
        return special(self, argument_nodes, node)
    implementation = FUNCTIONS.get(name)
    if implementation is None:
        return Unknown(f"{name}(): a function wfcheck does not evaluate")
    args = [self.value(argument) for argument in argument_nodes]
    found = any_unknown(args)
    if found is not None:
        return found
    if expand:
        if not args or not isinstance(args[-1], list):
            raise EvalError(f"{name}(): ... expands a list")
        args = args[:-1] + list(args[-1])
    return implementation(args)


def _try(self: Evaluator, arguments: list[Any], node: Any) -> Any:
    for argument in arguments:
        try:
            value = self.value(argument)
        except EvalError:
            continue
        return value  # an unknown first argument makes try unknown, as in Terraform
    raise EvalError("try(): no argument could be evaluated")


def _can(self: Evaluator, arguments: list[Any], node: Any) -> Any:
    if len(arguments) != 1:
        raise EvalError("can() takes one argument")
    try:
        value = self.value(arguments[0])
    except EvalError:
        return False
    found = first_unknown(value)
    return found if found is not None else True


def _sensitive(self: Evaluator, arguments: list[Any], node: Any) -> Any:
    if len(arguments) != 1:
        raise EvalError("sensitive() takes one argument")
    self.trace.sensitive = True
    return self.value(arguments[0])


def _nonsensitive(self: Evaluator, arguments: list[Any], node: Any) -> Any:
    if len(arguments) != 1:
        raise EvalError("nonsensitive() takes one argument")
    return self.value(arguments[0])


_SPECIAL: dict[str, Callable[[Evaluator, list[Any], Any], Any]] = {
    "try": _try,
    "can": _can,
    "sensitive": _sensitive,
    "nonsensitive": _nonsensitive,
}


def _for(self: Evaluator, node: Any) -> Any:
    parts = rules(node)
    intro = parts[0]
    names = [name_of(n) for n in rules(intro)[:-1]]
    collection = self.value(rules(intro)[-1])
    found = first_unknown(collection) if not isinstance(collection, (list, dict)) else None
    if isinstance(collection, Unknown) or found is not None:
        return collection if isinstance(collection, Unknown) else found
    pairs = iterate(collection)
    if len(pairs) > MAX_COLLECTION:
        raise EvalError(f"for: more than {MAX_COLLECTION} elements")
    is_object = type(node).__name__ == "ForObjectExprRule"
    condition = parts[-1] if type(parts[-1]).__name__ == "ForCondRule" else None
    grouping = "..." in tokens(node)
    results: list[Any] = []
    grouped: dict[str, Any] = {}
    for key, value in pairs:
        bound = {names[-1]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
        scope = self.with_names(bound)
        if condition is not None:
            keep = scope.value(rules(condition)[0])
            if isinstance(keep, Unknown):
                return Unknown(f"the if of {text_of(node)} is not known: {keep.reason}")
            if not to_bool(keep):
                continue
        if not is_object:
            results.append(scope.value(parts[1]))
            continue
        item_key = scope.value(parts[1])
        if isinstance(item_key, Unknown):
            return item_key
        item_key = to_string(item_key)
        item = scope.value(parts[2])
        if grouping:
            grouped.setdefault(item_key, []).append(item)
        elif item_key in grouped:
            raise EvalError(f"for: duplicate key {item_key!r} (use ... to group)")
        else:
            grouped[item_key] = item
    return grouped if is_object else results


def _splat(self: Evaluator, node: Any) -> Any:
    base_node, splat = rules(node)[:2]
    base = self.value(base_node)
    if isinstance(base, Unknown):
        return base
    items = base if isinstance(base, list) else ([] if base is None else [base])
    steps: list[Any] = []
    for part in rules(splat):
        kind = type(part).__name__
        if kind == "GetAttrRule":
            steps.append(name_of(rules(part)[0]))
        else:
            steps.append(rules(part)[0])
    return [self._apply(item, steps, node) for item in items]


_ESCAPES = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt"\\])|\$\$\{|%%\{')


def unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found == "$${":
            return "${"
        if found == "%%{":
            return "%{"
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}[code]

    return _ESCAPES.sub(replace, text)


def _string(self: Evaluator, node: Any) -> Any:
    return _template(self, rules(node), node)


def _template(self: Evaluator, parts: list[Any], node: Any) -> Any:
    out: list[str] = []
    for part in parts:
        kind = type(part).__name__
        if kind == "StringPartRule":
            inner = rules(part)
            if not inner:
                out.append(unescape("".join(tokens(part))))
                continue
            part = inner[0]
            kind = type(part).__name__
        if kind == "InterpolationRule":
            value = self.value(rules(part)[0])
            if isinstance(value, Unknown):
                return value
            out.append(to_string(value))
        elif kind == "TemplateIfRule":
            value = _template_if(self, part)
            if isinstance(value, Unknown):
                return value
            out.append(value)
        else:
            return Unknown(f"{text_of(node)}: a template directive wfcheck does not evaluate")
    return "".join(out)


def _template_if(self: Evaluator, node: Any) -> Any:
    parts = rules(node)
    condition = self.value(rules(parts[0])[0])
    if isinstance(condition, Unknown):
        return condition
    body: list[Any] = []
    other: list[Any] = []
    target = body
    for part in parts[1:]:
        kind = type(part).__name__
        if kind == "TemplateElseRule":
            target = other
        elif kind != "TemplateEndifRule":
            target.append(part)
    return _template(self, body if to_bool(condition) else other, node)


def _heredoc(self: Evaluator, node: Any) -> Any:
    raw = tokens(node)[0]
    lines = raw.split("\n")
    body = lines[1:-2] if lines and lines[-1] == "" else lines[1:-1]
    if type(node).__name__ == "HeredocTrimTemplateRule":
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    text = "\n".join(body) + ("\n" if body else "")
    if re.search(r"(?<![$%])[$%]\{", text):
        return Unknown("a heredoc template with interpolation (not evaluated)")
    return text.replace("$${", "${").replace("%%{", "%{")


def _template_string(self: Evaluator, node: Any) -> Any:
    return Unknown(f"{text_of(node)}: not evaluated")


_NODES: dict[str, Callable[[Evaluator, Any], Any]] = {
    "ExprTermRule": _expr_term,
    "LiteralValueRule": _literal,
    "IntLitRule": _int,
    "FloatLitRule": _float,
    "IdentifierRule": _identifier,
    "GetAttrExprTermRule": _step_index,
    "IndexExprTermRule": _step_index,
    "TupleRule": _tuple,
    "ObjectRule": _object,
    "ConditionalRule": _conditional,
    "BinaryOpRule": _binary,
    "UnaryOpRule": _unary,
    "FunctionCallRule": _function,
    "ForTupleExprRule": _for,
    "ForObjectExprRule": _for,
    "FullSplatExprTermRule": _splat,
    "AttrSplatExprTermRule": _splat,
    "StringRule": _string,
    "HeredocTemplateRule": _heredoc,
    "HeredocTrimTemplateRule": _heredoc,
    "TemplateStringRule": _template_string,
}


def parse_expression(text: str) -> Any:
    """One HCL expression from a string (``--tf-var`` values): the node, or raises."""
    import hcl2

    tree = hcl2.parses(f"v = {text}\n", discard_comments=True)
    attributes = rules(tree.body)
    if len(attributes) != 1:
        raise EvalError("not a single expression")
    return attributes[0].expression


def literal(value: Any) -> str:
    """A value as JSON, for tests and debugging only (never for messages)."""
    return json.dumps(value, sort_keys=True)
