"""CIDR operators against a brute-force reference: enumerate the addresses of small networks.

Networks are drawn with long prefixes (at most 64 addresses), where set arithmetic over explicit
addresses is cheap and obviously right.
"""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.policy.conditions import guarded_check
from checker.policy.operators import OPERATORS, Context
from tests.policy.test_operators import NOW


def _addresses(text: str) -> set[int]:
    network = ipaddress.ip_network(text, strict=False)
    return {int(address) for address in network}


def _family_addresses(text: str) -> tuple[int, set[int]]:
    network = ipaddress.ip_network(text, strict=False)
    return network.version, _addresses(text)


@st.composite
def small_cidrs(draw: st.DrawFn) -> str:
    """Small IPv4 or IPv6 networks in a narrow space so overlaps are common."""
    if draw(st.booleans()):
        prefix = draw(st.integers(26, 32))
        address = ipaddress.IPv4Address(0x0A000000 + draw(st.integers(0, 511)))
    else:
        prefix = draw(st.integers(122, 128))
        address = ipaddress.IPv6Address(0x20010DB8 << 96 | draw(st.integers(0, 511)))
    return f"{address}/{prefix}"


CTX = Context(NOW)


def check(op: str, value: object, item: object) -> bool:
    """The operator's check as a leaf runs it: behind the type test its table entry declares."""
    operator = OPERATORS[op]
    parsed = operator.parse(value) if operator.parse else None
    return guarded_check(operator)(item, parsed, CTX) is None


@settings(max_examples=300, deadline=None)
@given(small_cidrs(), st.lists(small_cidrs(), min_size=1, max_size=4))
def test_cidr_within_matches_reference(item: str, allowed: list[str]) -> None:
    version, addresses = _family_addresses(item)
    expected = any(
        ipaddress.ip_network(a, strict=False).version == version and addresses <= _addresses(a)
        for a in allowed
    )
    assert check("cidr_within", allowed, item) is expected


@settings(max_examples=300, deadline=None)
@given(small_cidrs(), st.lists(small_cidrs(), min_size=1, max_size=4))
def test_cidr_disjoint_matches_reference(item: str, forbidden: list[str]) -> None:
    version, addresses = _family_addresses(item)
    expected = not any(
        ipaddress.ip_network(f, strict=False).version == version and addresses & _addresses(f)
        for f in forbidden
    )
    assert check("cidr_disjoint", forbidden, item) is expected


@settings(max_examples=300, deadline=None)
@given(st.lists(small_cidrs(), max_size=5))
def test_cidrs_no_overlap_matches_reference(cidrs: list[str]) -> None:
    sets = [_family_addresses(c) for c in cidrs]
    expected = all(
        a[0] != b[0] or not (a[1] & b[1]) for i, a in enumerate(sets) for b in sets[i + 1 :]
    )
    assert check("cidrs_no_overlap", None, cidrs) is expected


@settings(max_examples=300, deadline=None)
@given(small_cidrs())
def test_cidr_canonical_matches_reference(item: str) -> None:
    address, prefix = item.split("/")
    network = ipaddress.ip_network(item, strict=False)
    expected = int(ipaddress.ip_address(address)) == min(_addresses(item))
    assert check("cidr_canonical", None, item) is expected
    assert network.prefixlen == int(prefix)


@settings(max_examples=300, deadline=None)
@given(small_cidrs(), st.integers(0, 128))
def test_cidr_prefix_at_least_matches_reference(item: str, limit: int) -> None:
    version, addresses = _family_addresses(item)
    bits = 32 if version == 4 else 128
    limit = min(limit, bits)
    # a prefix of at least N means at most 2**(bits - N) addresses
    expected = len(addresses) <= 2 ** (bits - limit)
    family = "ipv4" if version == 4 else "ipv6"
    assert check("cidr_prefix_at_least", {family: limit}, item) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_garbage_never_passes_a_cidr_operator(text: str) -> None:
    try:
        ipaddress.ip_network(text, strict=False)
        parses = "/" in text and text.strip() == text
    except ValueError:
        parses = False
    if not parses:
        for op, value in [
            ("cidr_valid", None),
            ("cidr_canonical", None),
            ("cidr_prefix_at_least", {"ipv4": 0, "ipv6": 0}),
            ("cidr_within", ["0.0.0.0/0", "::/0"]),
            ("cidr_disjoint", []),
        ]:
            assert not check(op, value, text), (op, text)
