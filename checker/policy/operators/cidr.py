"""CIDR operators: syntax, host bits, prefix limits, allowed and forbidden ranges, overlaps.

A value that does not parse as a CIDR never satisfies a check: a malformed entry fails, it
never passes. Reasons say what was found and what was expected, in addresses a person can weigh
(``admits 16,777,216 addresses (prefix /8); expected /16 or narrower``).
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

from checker.policy.display import expected, show, show_literal
from checker.policy.operators.contract import Context, ItemReason, Verdict
from checker.policy.operators.values import parse_list

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_CIDR_SHAPE = re.compile(r"^[0-9A-Fa-f.:]+/[0-9]{1,3}$")
INVALID = "is not a valid CIDR (expected address/prefix, such as 203.0.113.0/24)"


@lru_cache(maxsize=65536)
def _parse_cidr_text(text: str) -> tuple[Network | None, str]:
    if not _CIDR_SHAPE.match(text):
        return None, INVALID
    try:
        return ipaddress.ip_network(text, strict=False), ""
    except ValueError:
        return None, INVALID


def parse_cidr(value: Any) -> tuple[Network | None, str]:
    """(network, "") or (None, reason). Host bits are allowed here; ``cidr_canonical`` checks."""
    if not isinstance(value, str):
        return None, "is not a string" if value is not None else "is absent"
    return _parse_cidr_text(value)


# --- literal parsers -----------------------------------------------------------------------------


def parse_networks(value: Any) -> tuple[Network, ...]:
    networks = []
    for item in parse_list(value):
        network, error = parse_cidr(item)
        if network is None:
            raise ValueError(f"{show(item)} {error}")
        networks.append(network)
    return tuple(networks)


def parse_prefixes(value: Any) -> tuple[int | None, int | None]:
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


# --- checks -------------------------------------------------------------------------------------


def _ranges(networks: tuple[Network, ...]) -> str:
    return show_literal(tuple(str(network) for network in networks))


def _size(network: Network) -> str:
    """How many addresses a network admits: exact for IPv4, a power of two for IPv6."""
    family = f"IPv{network.version}"
    if network.prefixlen == 0:
        return f"every {family} address"
    if network.version == 4:
        return f"{network.num_addresses:,} addresses"
    return f"2^{network.max_prefixlen - network.prefixlen} {family} addresses"


def cidr_valid(item: str, value: None, ctx: Context) -> str | None:
    return parse_cidr(item)[1] or None


def cidr_canonical(item: str, value: None, ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    if ipaddress.ip_address(item.split("/", 1)[0]) != network.network_address:
        return expected("has host bits set", str(network))
    return None


def cidr_prefix_at_least(
    item: str, value: tuple[int | None, int | None], ctx: Context
) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    limit = value[0] if network.version == 4 else value[1]
    if limit is None or network.prefixlen >= limit:
        return None
    found = f"admits {_size(network)} (prefix /{network.prefixlen})"
    if network.prefixlen == 0 and limit == 1:
        return found  # "every address" says what is wrong; "/1 or narrower" would not help
    return expected(found, f"/{limit} or narrower")


def cidr_within(item: str, value: tuple[Network, ...], ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    for allowed in value:
        if allowed.version == network.version and network.subnet_of(allowed):  # type: ignore[arg-type]
            return None
    return f"is outside the allowed ranges {_ranges(value)}"


def cidr_disjoint(item: str, value: tuple[Network, ...], ctx: Context) -> str | None:
    network, error = parse_cidr(item)
    if network is None:
        return error
    for forbidden in value:
        if forbidden.version == network.version and network.overlaps(forbidden):
            return f"overlaps {forbidden}, a range that is not allowed"
    return None


def cidrs_no_overlap(actual: list[Any] | None, value: None, ctx: Context) -> Verdict:
    """Items that do not parse, or repeat, lie inside or contain an earlier entry (the first
    one each overlaps is named)."""
    if actual is None:
        return None
    parsed: list[tuple[int, Network]] = []
    problems: list[ItemReason] = []
    for index, item in enumerate(actual):
        network, error = parse_cidr(item)
        if network is None:
            problems.append(ItemReason(index, item, error))
            continue
        for other_index, other in parsed:
            if other.version != network.version or not other.overlaps(network):
                continue
            if other == network:
                relation = "is the same network as"
            elif network.subnet_of(other):  # type: ignore[arg-type]
                relation = "lies inside"
            else:
                relation = "contains"
            other_text = show(actual[other_index])
            problems.append(
                ItemReason(index, item, f"{relation} item [{other_index}] {other_text}")
            )
            break  # the first earlier entry it overlaps says what to remove; more is noise
        parsed.append((index, network))
    return tuple(problems) or None
