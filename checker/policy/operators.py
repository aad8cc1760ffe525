"""The operator table: each name maps to one small function, never to a branch in a big one.

An operator is ``each`` (applied to every item when the path yields a list, with ``match``
all/any/none) or ``whole`` (applied to the value as a whole: presence, counts, overlaps). Its
``parse`` turns the policy's literal into what ``check`` needs, once, when the policy loads, and
raises ``ValueError`` with a readable reason. ``check`` returns ``None`` when the value satisfies
the operator and otherwise the reason it does not. Values that do not parse never satisfy a
check: a malformed CIDR fails, it does not pass.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from checker.files.timestamps import parse_timestamp
from checker.policy.paths import Path, compile_path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may consult besides the value: the record and the evaluation time."""

    doc: Mapping[str, Any]
    now: datetime


EachCheck = Callable[[Any, Any, Context], "str | None"]
WholeCheck = Callable[[Any, Any, Context, str], "str | None"]


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    kind: Literal["each", "whole"]
    check: Callable[..., str | None]
    parse: Callable[[Any], Any] | None
    summary: str
    value_doc: str = ""

    @property
    def takes_value(self) -> bool:
        return self.parse is not None


_PLAIN = re.compile(r'^[^"\\\x00-\x1f\x7f-\U0010ffff]{0,200}$')


def show(value: Any) -> str:
    """A value as it appears in messages: JSON, so strings are quoted and escapes are visible."""
    if type(value) is str and _PLAIN.match(value):
        return f'"{value}"'
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    try:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


# --- value parsers (run once, at policy load) ---------------------------------------------------


def _any(value: Any) -> Any:
    return value


def _list(value: Any) -> tuple[Any, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expects a list, got {show(value)}")
    return tuple(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expects a number, got {show(value)}")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expects a non-negative integer, got {show(value)}")
    return value


def _regex(value: Any) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise ValueError(f"expects a regular expression string, got {show(value)}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None


def _networks(value: Any) -> tuple[Network, ...]:
    items = _list(value)
    networks = []
    for item in items:
        network, error = parse_cidr(item)
        if network is None:
            raise ValueError(f"{show(item)} {error}")
        networks.append(network)
    return tuple(networks)


def _prefixes(value: Any) -> tuple[int | None, int | None]:
    if not isinstance(value, dict) or not value or set(value) - {"ipv4", "ipv6"}:
        raise ValueError(f"expects {{ipv4: N, ipv6: M}} (either or both), got {show(value)}")
    limits = []
    for family, top in (("ipv4", 32), ("ipv6", 128)):
        limit = value.get(family)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= top
        ):
            raise ValueError(f"{family} prefix must be an integer 0-{top}, got {show(limit)}")
        limits.append(limit)
    return limits[0], limits[1]


def _urls(value: Any) -> frozenset[str]:
    normalized = set()
    for item in _list(value):
        url, error = normalize_url(item)
        if url is None:
            raise ValueError(f"{show(item)} {error}")
        normalized.add(url)
    return frozenset(normalized)


def _host_patterns(value: Any) -> tuple[str, ...]:
    patterns = []
    for item in _list(value):
        if not isinstance(item, str) or not item.strip("*.") or " " in item:
            raise ValueError(f"{show(item)} is not a host name or *.domain pattern")
        pattern = item.lower().rstrip(".")
        if "*" in pattern and not (pattern.startswith("*.") and "*" not in pattern[2:]):
            raise ValueError(f"{show(item)}: '*' is only allowed as a leading '*.' label")
        patterns.append(pattern)
    return tuple(patterns)


def _path(value: Any) -> Path:
    if not isinstance(value, str):
        raise ValueError(f"expects a path, got {show(value)}")
    return compile_path(value)


# --- parsing helpers shared with tests and sources ----------------------------------------------


_CIDR_SHAPE = re.compile(r"^[0-9A-Fa-f.:]+/[0-9]{1,3}$")


@lru_cache(maxsize=65536)
def _parse_cidr_text(text: str) -> tuple[Network | None, str]:
    if not _CIDR_SHAPE.match(text):
        return None, "is not a valid CIDR (expected address/prefix)"
    try:
        return ipaddress.ip_network(text, strict=False), ""
    except ValueError:
        return None, "is not a valid CIDR"


def parse_cidr(value: Any) -> tuple[Network | None, str]:
    """(network, "") or (None, reason). Host bits are allowed here; ``cidr_canonical`` checks."""
    if not isinstance(value, str):
        return None, "is not a CIDR string" if value is not None else "is absent"
    return _parse_cidr_text(value)


_DEFAULT_PORTS = {"https": 443, "http": 80}


@lru_cache(maxsize=16384)
def _normalize_url_text(text: str) -> tuple[str | None, str]:
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None, "is not a valid URL"
    if not parts.scheme or not parts.hostname or parts.username or parts.password:
        return None, "is not an absolute URL with a host"
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}", ""


def normalize_url(value: Any) -> tuple[str | None, str]:
    """Scheme and host lower-cased, default port and trailing slash dropped; or (None, reason)."""
    if not isinstance(value, str):
        return None, "is not a URL string" if value is not None else "is absent"
    return _normalize_url_text(value)


def url_host(value: Any) -> str | None:
    url, _ = normalize_url(value)
    if url is None:
        return None
    host = urlsplit(url).hostname
    return host.lower().rstrip(".") if host else None


def host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


# --- each-item checks -----------------------------------------------------------------------------


def _equal(left: Any, right: Any) -> bool:
    """Equality that keeps booleans apart from numbers (``True == 1`` in Python)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return bool(left == right)


def _equals(item: Any, value: Any, ctx: Context) -> str | None:
    return None if _equal(item, value) else f"is not {show(value)}"


def _not_equals(item: Any, value: Any, ctx: Context) -> str | None:
    return f"equals {show(value)}" if _equal(item, value) else None


def _in(item: Any, value: tuple[Any, ...], ctx: Context) -> str | None:
    return None if any(_equal(item, v) for v in value) else f"is not one of {show(list(value))}"


def _not_in(item: Any, value: tuple[Any, ...], ctx: Context) -> str | None:
    return f"is one of {show(list(value))}" if any(_equal(item, v) for v in value) else None


def _matches(item: Any, value: re.Pattern[str], ctx: Context) -> str | None:
    if not isinstance(item, str):
        return "is not a string"
    return None if value.search(item) else f"does not match /{value.pattern}/"


def _not_matches(item: Any, value: re.Pattern[str], ctx: Context) -> str | None:
    if not isinstance(item, str):
        return "is not a string"
    return f"matches /{value.pattern}/" if value.search(item) else None


def _compare(symbol: str, test: Callable[[float, float], bool]) -> EachCheck:
    def check(item: Any, value: float, ctx: Context) -> str | None:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            return "is not a number"
        return None if test(item, value) else f"is not {symbol} {show(value)}"

    return check


def _cidr_valid(item: Any, value: None, ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    return None if network is not None else error


def _cidr_canonical(item: Any, value: None, ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    address = item.split("/", 1)[0]
    if ipaddress.ip_address(address) != network.network_address:
        return f"has host bits set (network is {network})"
    return None


def _cidr_prefix_at_least(
    item: Any, value: tuple[int | None, int | None], ctx: Context
) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    limit = value[0] if network.version == 4 else value[1]
    if limit is None or network.prefixlen >= limit:
        return None
    return f"is /{network.prefixlen}; broader than /{limit}"


def _cidr_within(item: Any, value: tuple[Network, ...], ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    for allowed in value:
        if allowed.version == network.version and network.subnet_of(allowed):  # type: ignore[arg-type]
            return None
    return f"is not inside any of {show([str(n) for n in value])}"


def _cidr_disjoint(item: Any, value: tuple[Network, ...], ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    for forbidden in value:
        if forbidden.version == network.version and network.overlaps(forbidden):
            return f"overlaps forbidden range {forbidden}"
    return None


def _url_https(item: Any, value: None, ctx: Context) -> str | None:
    url, error = normalize_url(item)
    if url is None:
        return error
    return None if url.startswith("https://") else "is not https"


def _url_in(item: Any, value: frozenset[str], ctx: Context) -> str | None:
    url, error = normalize_url(item)
    if url is None:
        return error
    return None if url in value else f"is not one of {show(sorted(value))}"


def _url_host_in(item: Any, value: tuple[str, ...], ctx: Context) -> str | None:
    host = url_host(item)
    if host is None:
        return normalize_url(item)[1] or "has no host"
    if any(host_matches(host, pattern) for pattern in value):
        return None
    return f"host {show(host)} is not one of {show(list(value))}"


def _url_same_host_as(item: Any, value: Path, ctx: Context) -> str | None:
    host = url_host(item)
    if host is None:
        return normalize_url(item)[1] or "has no host"
    other = value.get(ctx.doc)
    other_host = url_host(other)
    if other_host is None:
        return f"cannot be compared: {value.text} {show(other)} has no URL host"
    return (
        None
        if host == other_host
        else f"host {show(host)} is not {value.text}'s host {show(other_host)}"
    )


def _same_as(item: Any, value: Path, ctx: Context) -> str | None:
    other = value.get(ctx.doc)
    if other is None:
        return f"cannot be compared: {value.text} is absent"
    return None if item == other else f"is not {value.text} {show(other)}"


def _age_hours_at_most(item: Any, value: float, ctx: Context) -> str | None:
    moment = parse_timestamp(item)
    if moment is None:
        return "is absent" if item is None else "is not a timestamp"
    hours = (ctx.now - moment).total_seconds() / 3600
    if hours <= value:
        return None
    return f"is {hours:.1f} hours old; more than {value:g}"


# --- whole-value checks ---------------------------------------------------------------------------


def _empty(actual: Any) -> bool:
    return actual is None or (isinstance(actual, (str, list, dict, tuple)) and len(actual) == 0)


def _exists(actual: Any, value: None, ctx: Context, label: str) -> str | None:
    return f"{label} is absent" if actual is None else None


def _absent(actual: Any, value: None, ctx: Context, label: str) -> str | None:
    return None if actual is None else f"{label} is present: {show(actual)}"


def _not_empty(actual: Any, value: None, ctx: Context, label: str) -> str | None:
    if actual is None:
        return f"{label} is absent"
    return f"{label} {show(actual)} is empty" if _empty(actual) else None


def _contains(actual: Any, value: Any, ctx: Context, label: str) -> str | None:
    if isinstance(actual, list):
        return None if value in actual else f"{label} {show(actual)} does not contain {show(value)}"
    if isinstance(actual, str) and isinstance(value, str):
        return None if value in actual else f"{label} {show(actual)} does not contain {show(value)}"
    return f"{label} is absent" if actual is None else f"{label} {show(actual)} is not a list"


def _length(actual: Any) -> int | None:
    if actual is None:
        return 0
    return len(actual) if isinstance(actual, (list, dict, str)) else None


def _count_at_least(actual: Any, value: int, ctx: Context, label: str) -> str | None:
    size = _length(actual)
    if size is None:
        return f"{label} {show(actual)} cannot be counted"
    return None if size >= value else f"{label} has {size} item(s); fewer than {value}"


def _count_at_most(actual: Any, value: int, ctx: Context, label: str) -> str | None:
    size = _length(actual)
    if size is None:
        return f"{label} {show(actual)} cannot be counted"
    return None if size <= value else f"{label} has {size} item(s); more than {value}"


def _cidrs_no_overlap(actual: Any, value: None, ctx: Context, label: str) -> str | None:
    if actual is None:
        return None
    if not isinstance(actual, list):
        return f"{label} {show(actual)} is not a list"
    parsed: list[tuple[int, Network]] = []
    problems = []
    for index, item in enumerate(actual):
        network, error = parse_cidr(item)
        if network is None:
            problems.append(f"{label}[{index}] {show(item)} {error}")
            continue
        for other_index, other in parsed:
            if other.version != network.version or not other.overlaps(network):
                continue
            verb = "duplicates" if other == network else "overlaps"
            problems.append(
                f"{label}[{index}] {show(item)} {verb} {label}[{other_index}] "
                f"{show(actual[other_index])}"
            )
        parsed.append((index, network))
    return "; ".join(problems) or None


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("exists", "whole", _exists, None, "the path yields a value (not null/absent)"),
        Operator("absent", "whole", _absent, None, "the path yields nothing (absent or null)"),
        Operator(
            "not_empty", "whole", _not_empty, None, "present and not an empty string, list or map"
        ),
        Operator(
            "contains",
            "whole",
            _contains,
            _any,
            "the list (or string) contains the value",
            "any literal",
        ),
        Operator(
            "count_at_least",
            "whole",
            _count_at_least,
            _count,
            "the list has at least N items (absent counts as 0)",
            "integer",
        ),
        Operator(
            "count_at_most",
            "whole",
            _count_at_most,
            _count,
            "the list has at most N items",
            "integer",
        ),
        Operator(
            "cidrs_no_overlap",
            "whole",
            _cidrs_no_overlap,
            None,
            "no two CIDRs in the list overlap or repeat; every item parses",
        ),
        Operator("equals", "each", _equals, _any, "equal to the value", "any literal"),
        Operator("not_equals", "each", _not_equals, _any, "not equal to the value", "any literal"),
        Operator("in", "each", _in, _list, "one of the listed values", "list"),
        Operator("not_in", "each", _not_in, _list, "none of the listed values", "list"),
        Operator(
            "matches",
            "each",
            _matches,
            _regex,
            "a string the regex finds a match in (re.search; anchor with ^ and $)",
            "regex",
        ),
        Operator(
            "not_matches",
            "each",
            _not_matches,
            _regex,
            "a string the regex does not match",
            "regex",
        ),
        Operator(
            "lt", "each", _compare("<", lambda a, b: a < b), _number, "a number < value", "number"
        ),
        Operator(
            "le",
            "each",
            _compare("<=", lambda a, b: a <= b),
            _number,
            "a number <= value",
            "number",
        ),
        Operator(
            "gt", "each", _compare(">", lambda a, b: a > b), _number, "a number > value", "number"
        ),
        Operator(
            "ge",
            "each",
            _compare(">=", lambda a, b: a >= b),
            _number,
            "a number >= value",
            "number",
        ),
        Operator("cidr_valid", "each", _cidr_valid, None, "an IPv4 or IPv6 CIDR (address/prefix)"),
        Operator("cidr_canonical", "each", _cidr_canonical, None, "a CIDR with no host bits set"),
        Operator(
            "cidr_prefix_at_least",
            "each",
            _cidr_prefix_at_least,
            _prefixes,
            "a CIDR whose prefix length is at least the limit for its family",
            "{ipv4: N, ipv6: M}",
        ),
        Operator(
            "cidr_within",
            "each",
            _cidr_within,
            _networks,
            "a CIDR inside one of the listed ranges (same family)",
            "list of CIDRs",
        ),
        Operator(
            "cidr_disjoint",
            "each",
            _cidr_disjoint,
            _networks,
            "a CIDR overlapping none of the listed ranges",
            "list of CIDRs",
        ),
        Operator("url_https", "each", _url_https, None, "an absolute https URL"),
        Operator(
            "url_in",
            "each",
            _url_in,
            _urls,
            "a URL equal to one listed, after normalizing "
            "scheme/host case, default port and trailing slash",
            "list of URLs",
        ),
        Operator(
            "url_host_in",
            "each",
            _url_host_in,
            _host_patterns,
            "a URL whose host is listed; *.example.com matches subdomains",
            "list of hosts",
        ),
        Operator(
            "url_same_host_as",
            "each",
            _url_same_host_as,
            _path,
            "a URL with the same host as the URL at another path",
            "path",
        ),
        Operator("same_as", "each", _same_as, _path, "equal to the value at another path", "path"),
        Operator(
            "age_hours_at_most",
            "each",
            _age_hours_at_most,
            _number,
            "a timestamp at most N hours before now (--now)",
            "number of hours",
        ),
    )
}


def operator_names() -> Sequence[str]:
    return sorted(OPERATORS)
