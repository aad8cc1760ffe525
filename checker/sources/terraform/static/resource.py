"""One workforce instance's body -> the values a plan's ``after`` would hold,
with Terraform's markers beside them, so :class:`checker.sources.terraform.mapping.Mapper` maps
it to the API shape exactly as it maps a plan.

Unknown values become ``after_unknown``-style markers and their reasons; values read through a
sensitive variable or ``sensitive()`` become ``after_sensitive`` markers. The OIDC
``client_secret`` is never evaluated (the mapping's allow-list does not hold it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.model import Location
from checker.sources.terraform.mapping import (
    AWS_WORKFORCE,
    BLOCKS,
    LIST_ATTRIBUTES,
    MAP_ATTRIBUTES,
    WorkforceType,
)
from checker.sources.terraform.static.expressions import (
    Evaluator,
    Trace,
    object_elements,
    rules,
    text_of,
)
from checker.sources.terraform.static.modules import Declared
from checker.sources.terraform.static.values import (
    EvalError,
    Unknown,
    first_unknown,
    iterate,
    to_string,
)

BLOCK_LEAVES = {block: dict(leaves) for block, _, leaves in BLOCKS}
API_BLOCK = {block: name for block, name, _ in BLOCKS}


@dataclass
class Shaped:
    """The provider-shape values and markers of one instance, keyed like a plan."""

    values: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, Any] = field(default_factory=dict)
    sensitive: dict[str, Any] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # API path -> why unknown
    locations: dict[str, Location] = field(default_factory=dict)  # API path -> where set
    written: set[str] = field(default_factory=set)  # blocks the configuration writes


def shape(resource: Declared, evaluator: Evaluator, kind: WorkforceType = AWS_WORKFORCE) -> Shaped:
    out = Shaped()
    top = dict(kind.top_level)
    for attribute in kind.computed:
        out.unknown[attribute] = True
    for attribute, node in resource.attributes.items():
        if attribute in top or (attribute == "region" and not kind.nested_objects):
            trace = Trace()
            value = Evaluator(evaluator.module, trace, evaluator.names).evaluate(node)
            path = top.get(attribute, "_region")
            _leaf(out, out.values, out.unknown, out.sensitive, attribute, path, value, trace)
            _locate(out, path, trace, resource, node)
        elif attribute in BLOCK_LEAVES and kind.nested_objects:
            _nested(out, attribute, node, evaluator, resource)
    if kind.nested_objects:
        return out
    for kind_name, labels, body, where in resource.blocks:
        if kind_name in BLOCK_LEAVES:
            out.written.add(kind_name)
            _block(out, kind_name, body, evaluator, where)
        elif kind_name == "dynamic" and labels and labels[0] in BLOCK_LEAVES:
            out.written.add(labels[0])
            _dynamic(out, labels[0], body, evaluator, where)
    return out


def _nested(out: Shaped, block: str, node: Any, evaluator: Evaluator, resource: Declared) -> None:
    """An ``awscc`` nested attribute (``source_ip_config = { cidrs = [...] }``): one object.

    An object literal's elements are evaluated one by one (``client_secret`` never); any other
    expression is evaluated whole, and what it reads taints every element.
    """
    leaves, name = BLOCK_LEAVES[block], API_BLOCK[block]
    item: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    elements = object_elements(evaluator, node)
    if elements is None:
        trace = Trace()
        value = Evaluator(evaluator.module, trace, evaluator.names).evaluate(node)
        if value is None:
            return  # null: the attribute is not set
        if isinstance(value, Unknown) or not isinstance(value, dict):
            out.written.add(block)
            out.unknown[block] = True
            why = value.reason if isinstance(value, Unknown) else f"{block}: an object is required"
            out.reasons[name] = f"not known from the .tf sources: {why}"
            return
        for attribute, element in value.items():
            if attribute in leaves:
                path = f"{name}.{leaves[attribute]}"
                _leaf(out, item, unknown, sensitive, attribute, path, element, trace)
                _locate(out, path, trace, resource, node)
    else:
        for attribute, element in elements:
            if attribute not in leaves:
                continue  # client_secret and unmapped attributes: never evaluated
            trace = Trace()
            value = Evaluator(evaluator.module, trace, evaluator.names).evaluate(element)
            path = f"{name}.{leaves[attribute]}"
            _leaf(out, item, unknown, sensitive, attribute, path, value, trace)
            _locate(out, path, trace, resource, element)
    out.written.add(block)
    out.values[block] = item
    out.unknown[block] = unknown
    out.sensitive[block] = sensitive


def _block(
    out: Shaped,
    kind: str,
    body: Any,
    evaluator: Evaluator,
    where: Location,
    tainted: bool = False,
) -> None:
    """One block's attributes; ``tainted``: a dynamic block's for_each read a sensitive
    value, so everything its iterator gives is sensitive too."""
    item: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    leaves = BLOCK_LEAVES[kind]
    for node in rules(body):
        if type(node).__name__ != "AttributeRule":
            continue
        attribute = str(node.identifier.serialize())
        if attribute not in leaves:
            continue  # client_secret and unmapped attributes: never evaluated
        trace = Trace(sensitive=tainted)
        value = Evaluator(evaluator.module, trace, evaluator.names).evaluate(node.expression)
        path = f"{API_BLOCK[kind]}.{leaves[attribute]}"
        _leaf(out, item, unknown, sensitive, attribute, path, value, trace)
        _locate(out, path, trace, None, node, where)
    out.values.setdefault(kind, []).append(item)
    out.unknown.setdefault(kind, []).append(unknown)
    out.sensitive.setdefault(kind, []).append(sensitive)


def _dynamic(out: Shaped, kind: str, body: Any, evaluator: Evaluator, where: Location) -> None:
    attributes = {
        str(n.identifier.serialize()): n.expression
        for n in rules(body)
        if type(n).__name__ == "AttributeRule"
    }
    contents = [
        n for n in rules(body) if type(n).__name__ == "BlockRule" and _block_type(n) == "content"
    ]
    iterator = kind
    if "iterator" in attributes:
        iterator = text_of(attributes["iterator"])
    for_each = attributes.get("for_each")
    if for_each is None or not contents:
        out.unknown[kind] = True
        out.reasons[API_BLOCK[kind]] = f"the dynamic {kind} block has no for_each or content"
        return
    trace = Trace()
    collection = Evaluator(evaluator.module, trace, evaluator.names).evaluate(for_each)
    found = collection if isinstance(collection, Unknown) else None
    if found is None and not isinstance(collection, (list, dict)):
        found = Unknown(f"the for_each of dynamic {kind} is not a collection")
    if found is not None:
        out.unknown[kind] = True
        out.reasons[API_BLOCK[kind]] = (
            f"the for_each of dynamic {kind!r} is not known: {found.reason}"
        )
        return
    try:
        pairs = iterate(collection)
    except EvalError as exc:
        out.unknown[kind] = True
        out.reasons[API_BLOCK[kind]] = f"the for_each of dynamic {kind!r}: {exc}"
        return
    for key, value in pairs:
        scope = evaluator.with_names({iterator: {"key": key, "value": value}})
        _block(out, kind, contents[0].body, scope, where, tainted=trace.sensitive)


def _block_type(node: Any) -> str:
    return str(rules(node)[0].serialize())


def _leaf(
    out: Shaped,
    values: dict[str, Any],
    unknown: dict[str, Any],
    sensitive: dict[str, Any],
    attribute: str,
    path: str,
    value: Any,
    trace: Trace,
) -> None:
    value = _provider_type(attribute, value)
    found = first_unknown(value)
    if found is not None:
        unknown[attribute] = True
        out.reasons[path] = f"not known from the .tf sources: {found.reason}"
        return
    values[attribute] = value
    if trace.sensitive:
        sensitive[attribute] = True


def _provider_type(attribute: str, value: Any) -> Any:
    """The value as the provider's schema converts it (numbers in a list of strings become
    strings); what it refuses becomes unknown, since Terraform would not plan it."""
    if isinstance(value, Unknown) or value is None:
        return value
    try:
        if attribute in LIST_ATTRIBUTES:
            if not isinstance(value, list):
                return Unknown(f"{attribute}: a list is required")
            return [item if isinstance(item, Unknown) else to_string(item) for item in value]
        if attribute in MAP_ATTRIBUTES:
            if not isinstance(value, dict):
                return Unknown(f"{attribute}: a map is required")
            return {k: v if isinstance(v, Unknown) else to_string(v) for k, v in value.items()}
        if isinstance(value, (list, dict)):
            return Unknown(f"{attribute}: a string is required")
        return to_string(value)
    except EvalError as exc:
        return Unknown(f"{attribute}: {exc}")


def _locate(
    out: Shaped,
    path: str,
    trace: Trace,
    resource: Declared | None,
    node: Any,
    block: Location | None = None,
) -> None:
    """Where the value at ``path`` is decided: the tfvars or locals line it came from when one
    place set it, else the attribute's own line."""
    from checker.sources.terraform.static.expressions import line_of

    if len(trace.origins) == 1:
        out.locations[path] = trace.origins[0]
        return
    file = block.file if block is not None else (resource.location.file if resource else None)
    line = line_of(node)
    if file is not None and line:
        out.locations[path] = Location(file, line)
