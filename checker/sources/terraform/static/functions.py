"""Terraform's built-in functions that workforce values are written with, one table entry each.

Each function takes evaluated arguments (no :class:`Unknown` inside: the evaluator answers
unknown before calling) and returns a value or raises :class:`EvalError` where Terraform would
fail. ``try``, ``can`` and ``sensitive`` need the evaluator and live there. A function missing
from :data:`FUNCTIONS` makes its call unknown, naming it: never guessed.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

from checker.sources.terraform.static.values import (
    MAX_COLLECTION,
    EvalError,
    set_of,
    to_number,
    to_string,
    type_of,
)

Function = Callable[[list[Any]], Any]


def _arity(args: list[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(args) <= high:
        raise EvalError(f"expected {low if low == high else f'{low} to {high}'} arguments")


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    raise EvalError(f"expected a list, got a {type_of(value)}")


def _map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise EvalError(f"expected a map, got a {type_of(value)}")


def _concat(args: list[Any]) -> Any:
    out: list[Any] = []
    for arg in args:
        out.extend(_list(arg))
    return out


def _flatten(args: list[Any]) -> Any:
    _arity(args, 1)
    out: list[Any] = []

    def walk(items: list[Any], depth: int) -> None:
        if depth > 64:
            raise EvalError("lists nested too deeply")
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append(item)

    walk(_list(args[0]), 0)
    return out


def _distinct(args: list[Any]) -> Any:
    _arity(args, 1)
    out: list[Any] = []
    for item in _list(args[0]):
        if item not in out:
            out.append(item)
    return out


def _compact(args: list[Any]) -> Any:
    _arity(args, 1)
    return [item for item in _list(args[0]) if item is not None and item != ""]


def _lookup(args: list[Any]) -> Any:
    _arity(args, 2, 3)
    found = _map(args[0])
    key = to_string(args[1])
    if key in found:
        return found[key]
    if len(args) == 3:
        return args[2]
    raise EvalError("lookup: the key is not in the map and no default is given")


def _merge(args: list[Any]) -> Any:
    out: dict[str, Any] = {}
    for arg in args:
        if arg is not None:
            out.update(_map(arg))
    return out


def _coalesce(args: list[Any]) -> Any:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce: no non-null, non-empty argument")


def _coalescelist(args: list[Any]) -> Any:
    for arg in args:
        if _list(arg):
            return arg
    raise EvalError("coalescelist: no non-empty list")


def _format(args: list[Any]) -> Any:
    if not args:
        raise EvalError("format needs a format string")
    spec, values = to_string(args[0]), list(args[1:])
    out: list[str] = []
    position = 0
    pattern = re.compile(r"%(?:(%)|([-+ #0]*)(\d*)(?:\.(\d+))?([vsdfqtxXobeEgG]))")
    last = 0
    for match in pattern.finditer(spec):
        out.append(spec[last : match.start()])
        last = match.end()
        if match.group(1):
            out.append("%")
            continue
        if position >= len(values):
            raise EvalError("format: not enough arguments")
        value = values[position]
        position += 1
        verb = match.group(5)
        flags, width, precision = match.group(2), match.group(3), match.group(4)
        text = _format_one(verb, value, precision)
        if width:
            if "-" in flags:
                text = text.ljust(int(width))
            else:
                text = text.rjust(int(width), "0" if "0" in flags else " ")
        out.append(text)
    out.append(spec[last:])
    return "".join(out)


def _format_one(verb: str, value: Any, precision: str | None) -> str:
    if verb in ("v", "s"):
        return to_string(value) if not isinstance(value, (list, dict)) else json.dumps(value)
    if verb == "q":
        return json.dumps(to_string(value))
    if verb == "t":
        return "true" if value is True else "false"
    number = to_number(value)
    if verb == "d":
        return str(int(number))
    if verb in ("x", "X", "o", "b"):
        text = format(int(number), {"x": "x", "X": "X", "o": "o", "b": "b"}[verb])
        return text
    return format(float(number), f".{precision or 6}{verb}")


def _join(args: list[Any]) -> Any:
    if len(args) < 2:
        raise EvalError("join needs a separator and at least one list")
    separator = to_string(args[0])
    items = [item for arg in args[1:] for item in _list(arg)]
    return separator.join(to_string(item) for item in items)


def _split(args: list[Any]) -> Any:
    _arity(args, 2)
    separator, text = to_string(args[0]), to_string(args[1])
    if text == "":
        return [""]
    return text.split(separator) if separator else list(text)


def _replace(args: list[Any]) -> Any:
    _arity(args, 3)
    text, search, new = (to_string(arg) for arg in args)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        try:
            pattern = re.compile(search[1:-1])
        except re.error:
            raise EvalError("replace: an invalid regular expression") from None
        return pattern.sub(re.sub(r"\$\{?(\d+)\}?", r"\\\1", new), text)
    return text.replace(search, new)


def _trimsuffix(args: list[Any]) -> Any:
    _arity(args, 2)
    text, suffix = to_string(args[0]), to_string(args[1])
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _trimprefix(args: list[Any]) -> Any:
    _arity(args, 2)
    text, prefix = to_string(args[0]), to_string(args[1])
    return text[len(prefix) :] if text.startswith(prefix) else text


def _length(args: list[Any]) -> Any:
    _arity(args, 1)
    value = args[0]
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise EvalError(f"length of a {type_of(value)}")


def _contains(args: list[Any]) -> Any:
    _arity(args, 2)
    return args[1] in _list(args[0])


def _element(args: list[Any]) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    if not items:
        raise EvalError("element of an empty list")
    return items[int(to_number(args[1])) % len(items)]


def _network(prefix: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(to_string(prefix), strict=False)
    except ValueError:
        raise EvalError("not a CIDR prefix") from None


def _cidrsubnet(args: list[Any]) -> Any:
    _arity(args, 3)
    network = _network(args[0])
    newbits, netnum = int(to_number(args[1])), int(to_number(args[2]))
    length = network.prefixlen + newbits
    if newbits < 0 or length > network.max_prefixlen or not 0 <= netnum < 2**newbits:
        raise EvalError("cidrsubnet: the new prefix does not fit the network")
    base = int(network.network_address) + (netnum << (network.max_prefixlen - length))
    return str(ipaddress.ip_network((base, length)))


def _cidrhost(args: list[Any]) -> Any:
    _arity(args, 2)
    network = _network(args[0])
    hostnum = int(to_number(args[1]))
    size = network.num_addresses
    if not -size <= hostnum < size:
        raise EvalError("cidrhost: the host number does not fit the network")
    base = int(network.network_address) + (hostnum % size)
    return str(ipaddress.ip_address(base) if network.version == 4 else ipaddress.IPv6Address(base))


def _cidrnetmask(args: list[Any]) -> Any:
    _arity(args, 1)
    network = _network(args[0])
    if network.version != 4:
        raise EvalError("cidrnetmask: IPv4 only")
    return str(network.netmask)


def _tostring(args: list[Any]) -> Any:
    _arity(args, 1)
    return None if args[0] is None else to_string(args[0])


def _tonumber(args: list[Any]) -> Any:
    _arity(args, 1)
    return None if args[0] is None else to_number(args[0])


def _tobool(args: list[Any]) -> Any:
    _arity(args, 1)
    value = args[0]
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"tobool of a {type_of(value)}")


def _toset(args: list[Any]) -> Any:
    _arity(args, 1)
    return set_of(_list(args[0]))


def _tolist(args: list[Any]) -> Any:
    _arity(args, 1)
    return list(_list(args[0]))


def _tomap(args: list[Any]) -> Any:
    _arity(args, 1)
    return dict(_map(args[0]))


def _keys(args: list[Any]) -> Any:
    _arity(args, 1)
    return sorted(_map(args[0]))


def _values(args: list[Any]) -> Any:
    _arity(args, 1)
    found = _map(args[0])
    return [found[key] for key in sorted(found)]


def _range(args: list[Any]) -> Any:
    _arity(args, 1, 3)
    numbers = [int(to_number(arg)) for arg in args]
    if len(numbers) == 1:
        numbers = [0, numbers[0]]
    result = range(*numbers)
    if len(result) > MAX_COLLECTION:
        raise EvalError(f"range: more than {MAX_COLLECTION} elements")
    return list(result)


def _zipmap(args: list[Any]) -> Any:
    _arity(args, 2)
    keys, values = _list(args[0]), _list(args[1])
    if len(keys) != len(values):
        raise EvalError("zipmap: the lists differ in length")
    return {to_string(key): value for key, value in zip(keys, values, strict=True)}


def _one(args: list[Any]) -> Any:
    _arity(args, 1)
    items = _list(args[0])
    if len(items) > 1:
        raise EvalError("one: more than one element")
    return items[0] if items else None


def _jsonencode(args: list[Any]) -> Any:
    _arity(args, 1)
    return json.dumps(args[0], separators=(",", ":"))


def _jsondecode(args: list[Any]) -> Any:
    _arity(args, 1)
    try:
        return json.loads(to_string(args[0]))
    except ValueError:
        raise EvalError("jsondecode: not JSON") from None


def _setunion(args: list[Any]) -> Any:
    return set_of(item for arg in args for item in _list(arg))


def _slice(args: list[Any]) -> Any:
    _arity(args, 3)
    items = _list(args[0])
    start, end = int(to_number(args[1])), int(to_number(args[2]))
    if not 0 <= start <= end <= len(items):
        raise EvalError("slice: indexes out of range")
    return items[start:end]


def _string(method: Callable[[str], str]) -> Function:
    def call(args: list[Any]) -> Any:
        _arity(args, 1)
        return method(to_string(args[0]))

    return call


def _strings(args: list[Any], name: str) -> list[str]:
    return [to_string(arg) for arg in args]


def _startswith(args: list[Any]) -> Any:
    _arity(args, 2)
    text, prefix = _strings(args, "startswith")
    return text.startswith(prefix)


def _endswith(args: list[Any]) -> Any:
    _arity(args, 2)
    text, suffix = _strings(args, "endswith")
    return text.endswith(suffix)


def _min(args: list[Any]) -> Any:
    if not args:
        raise EvalError("min needs an argument")
    return min(to_number(arg) for arg in args)


def _max(args: list[Any]) -> Any:
    if not args:
        raise EvalError("max needs an argument")
    return max(to_number(arg) for arg in args)


def _reverse(args: list[Any]) -> Any:
    _arity(args, 1)
    return list(reversed(_list(args[0])))


def _sort(args: list[Any]) -> Any:
    _arity(args, 1)
    return sorted(to_string(item) for item in _list(args[0]))


def _index(args: list[Any]) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    if args[1] not in items:
        raise EvalError("index: the value is not in the list")
    return items.index(args[1])


def _substr(args: list[Any]) -> Any:
    _arity(args, 3)
    text = to_string(args[0])
    offset, length = int(to_number(args[1])), int(to_number(args[2]))
    if offset < 0:
        offset += len(text)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _trimspace(args: list[Any]) -> Any:
    _arity(args, 1)
    return to_string(args[0]).strip()


FUNCTIONS: dict[str, Function] = {
    "concat": _concat,
    "flatten": _flatten,
    "distinct": _distinct,
    "compact": _compact,
    "lookup": _lookup,
    "merge": _merge,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "format": _format,
    "join": _join,
    "split": _split,
    "replace": _replace,
    "trimsuffix": _trimsuffix,
    "trimprefix": _trimprefix,
    "trimspace": _trimspace,
    "length": _length,
    "contains": _contains,
    "element": _element,
    "cidrsubnet": _cidrsubnet,
    "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "toset": _toset,
    "tolist": _tolist,
    "tomap": _tomap,
    "keys": _keys,
    "values": _values,
    "range": _range,
    "zipmap": _zipmap,
    "one": _one,
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "setunion": _setunion,
    "slice": _slice,
    "lower": _string(str.lower),
    "upper": _string(str.upper),
    "title": _string(str.title),
    "chomp": _string(lambda text: text.rstrip("\r\n")),
    "startswith": _startswith,
    "endswith": _endswith,
    "min": _min,
    "max": _max,
    "reverse": _reverse,
    "sort": _sort,
    "index": _index,
    "substr": _substr,
}
"""Function name -> implementation; Terraform's ``provider::`` functions are never here."""
