"""The operator table, one line per case: (operator, value, actual, holds)."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from checker.policy.conditions import Leaf
from checker.policy.display import join_reasons
from checker.policy.operators import OPERATORS, Context, Other, normalize_url, parse_cidr
from checker.policy.paths import compile_path
from tests.helpers import run_cli

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def leaf_for(op: str, value: Any, match: str = "all", path: str = "X") -> Leaf:
    """A leaf built as the loader builds it: a literal parsed, or another path compiled."""
    operator = OPERATORS[op]
    if operator.reads_path:
        parsed = compile_path(value)
    else:
        parsed = operator.parse(value) if operator.parse else None
    return Leaf(compile_path(path), operator, parsed, match)


def holds(op: str, value: Any, actual: Any, match: str = "all", doc: dict | None = None) -> bool:
    leaf = leaf_for(op, value, match)
    document = {"X": actual, **(doc or {})}
    verdict = leaf.holds(document, Context(NOW))
    explained = leaf.explain(document, Context(NOW))
    assert explained.holds == verdict, "holds() and explain() must agree"
    return verdict


CASES = [
    # presence
    ("exists", None, "x", True),
    ("exists", None, None, False),
    ("exists", None, [], True),
    ("absent", None, None, True),
    ("absent", None, "", False),
    ("not_empty", None, ["a"], True),
    ("not_empty", None, [], False),
    ("not_empty", None, "", False),
    ("not_empty", None, {}, False),
    ("not_empty", None, None, False),
    # equality and membership
    ("equals", "Active", "Active", True),
    ("equals", "Active", "active", False),
    ("equals", 1, True, False),
    ("equals", True, True, True),
    ("equals", "Active", None, False),
    ("not_equals", "Failed", "Active", True),
    ("not_equals", "Failed", "Failed", False),
    ("not_equals", "Failed", None, True),
    ("in", ["a", "b"], "b", True),
    ("in", ["a", "b"], "c", False),
    ("in", [1], True, False),
    ("not_in", ["a"], "b", True),
    ("not_in", ["a"], "a", False),
    ("contains", "openid", ["openid", "email"], True),
    ("contains", "openid", ["email"], False),
    ("contains", "open", "openid email", True),
    ("contains", "x", None, False),
    # regex
    ("matches", "^vpc-", "vpc-123", True),
    ("matches", "^vpc-", "subnet-1", False),
    ("matches", "^vpc-", None, False),
    ("matches", "^vpc-", 12, False),
    ("not_matches", "^vpc-", "subnet-1", True),
    ("not_matches", "^vpc-", "vpc-1", False),
    ("not_matches", "^vpc-", None, False),
    # counts
    ("count_at_least", 2, ["a", "b"], True),
    ("count_at_least", 2, ["a"], False),
    ("count_at_least", 1, None, False),
    ("count_at_least", 0, None, True),
    ("count_at_least", 1, 5, False),
    ("count_at_most", 10, list(range(10)), True),
    ("count_at_most", 10, list(range(11)), False),
    ("count_at_most", 1, None, True),
    # comparisons
    ("lt", 5, 4, True),
    ("lt", 5, 5, False),
    ("le", 5, 5, True),
    ("gt", 5, 6, True),
    ("gt", 5, True, False),
    ("ge", 5, 5.0, True),
    ("ge", 5, "6", False),
    ("ge", 5, None, False),
    # CIDR syntax
    ("cidr_valid", None, "10.0.0.0/8", True),
    ("cidr_valid", None, "2001:db8::/32", True),
    ("cidr_valid", None, "10.0.0.1/32", True),
    ("cidr_valid", None, "10.0.0.0", False),
    ("cidr_valid", None, "10.0.0.0/33", False),
    ("cidr_valid", None, "2001:db8::/129", False),
    ("cidr_valid", None, "10.0.0.0/255.0.0.0", False),
    ("cidr_valid", None, "010.0.0.0/8", False),
    ("cidr_valid", None, " 10.0.0.0/8", False),
    ("cidr_valid", None, "garbage", False),
    ("cidr_valid", None, "", False),
    ("cidr_valid", None, None, False),
    ("cidr_valid", None, 42, False),
    ("cidr_valid", None, "1.2.3.4/-1", False),
    ("cidr_canonical", None, "10.0.0.0/8", True),
    ("cidr_canonical", None, "10.1.2.3/8", False),
    ("cidr_canonical", None, "2001:db8::/32", True),
    ("cidr_canonical", None, "2001:db8::1/64", False),
    ("cidr_canonical", None, "10.1.2.3/32", True),
    ("cidr_canonical", None, "10.1.2.3/0", False),
    ("cidr_canonical", None, "nope", False),
    # CIDR prefix limits
    ("cidr_prefix_at_least", {"ipv4": 1, "ipv6": 1}, "0.0.0.0/0", False),
    ("cidr_prefix_at_least", {"ipv4": 1, "ipv6": 1}, "::/0", False),
    ("cidr_prefix_at_least", {"ipv4": 1, "ipv6": 1}, "10.1.2.3/0", False),
    ("cidr_prefix_at_least", {"ipv4": 1, "ipv6": 1}, "10.0.0.0/8", True),
    ("cidr_prefix_at_least", {"ipv4": 16, "ipv6": 48}, "10.0.0.0/8", False),
    ("cidr_prefix_at_least", {"ipv4": 16, "ipv6": 48}, "10.0.0.0/16", True),
    ("cidr_prefix_at_least", {"ipv4": 16, "ipv6": 48}, "2001:db8::/32", False),
    ("cidr_prefix_at_least", {"ipv4": 16, "ipv6": 48}, "2001:db8::/48", True),
    ("cidr_prefix_at_least", {"ipv6": 56}, "10.0.0.0/1", True),
    ("cidr_prefix_at_least", {"ipv4": 16}, "not-a-cidr", False),
    ("cidr_prefix_at_least", {"ipv4": 16}, None, False),
    # CIDR ranges
    ("cidr_within", ["10.0.0.0/8"], "10.1.0.0/16", True),
    ("cidr_within", ["10.0.0.0/8"], "10.0.0.0/8", True),
    ("cidr_within", ["10.0.0.0/8"], "10.0.0.0/7", False),
    ("cidr_within", ["10.0.0.0/8"], "11.0.0.0/16", False),
    ("cidr_within", ["10.0.0.0/8"], "10.1.2.3/16", True),
    ("cidr_within", ["10.0.0.0/8", "2001:db8::/32"], "2001:db8:1::/48", True),
    ("cidr_within", ["10.0.0.0/8"], "::ffff:10.0.0.0/104", False),
    ("cidr_within", ["10.0.0.0/8"], "bad", False),
    ("cidr_disjoint", ["10.0.0.0/8"], "192.168.0.0/16", True),
    ("cidr_disjoint", ["10.0.0.0/8"], "10.5.0.0/16", False),
    ("cidr_disjoint", ["10.0.0.0/16"], "10.0.0.0/8", False),
    ("cidr_disjoint", ["2001:db8::/32"], "2001:db9::/32", True),
    ("cidr_disjoint", ["10.0.0.0/8"], None, False),
    ("cidrs_no_overlap", None, ["10.0.0.0/16", "10.1.0.0/16"], True),
    ("cidrs_no_overlap", None, ["10.0.0.0/8", "10.1.0.0/16"], False),
    ("cidrs_no_overlap", None, ["10.0.0.0/16", "10.0.0.0/16"], False),
    ("cidrs_no_overlap", None, ["10.0.0.0/16", "10.0.0.1/16"], False),
    ("cidrs_no_overlap", None, ["10.0.0.0/8", "2001:db8::/32"], True),
    ("cidrs_no_overlap", None, ["::/0", "0.0.0.0/0"], True),
    ("cidrs_no_overlap", None, ["10.0.0.0/8", "junk"], False),
    ("cidrs_no_overlap", None, [], True),
    ("cidrs_no_overlap", None, None, True),
    # URLs
    ("url_https", None, "https://idp.example.com", True),
    ("url_https", None, "HTTPS://IDP.example.com/path", True),
    ("url_https", None, "http://idp.example.com", False),
    ("url_https", None, "idp.example.com", False),
    ("url_https", None, "https://", False),
    ("url_https", None, "https://user:pw@idp.example.com", False),
    ("url_https", None, None, False),
    ("url_in", ["https://idp.example.com/"], "https://IDP.Example.com", True),
    ("url_in", ["https://idp.example.com"], "https://idp.example.com:443/", True),
    ("url_in", ["https://idp.example.com"], "https://idp.example.com:8443", False),
    ("url_in", ["https://idp.example.com"], "http://idp.example.com", False),
    ("url_in", ["https://idp.example.com/tenant"], "https://idp.example.com/tenant/", True),
    ("url_in", ["https://idp.example.com/tenant"], "https://idp.example.com/other", False),
    ("url_in", ["https://idp.example.com"], "https://idp.example.com.evil.net", False),
    ("url_in", ["https://idp.example.com"], "not a url", False),
    ("url_host_in", ["idp.example.com"], "https://idp.example.com/x", True),
    ("url_host_in", ["idp.example.com"], "https://IDP.EXAMPLE.COM./x", True),
    ("url_host_in", ["*.example.com"], "https://a.b.example.com/x", True),
    ("url_host_in", ["*.example.com"], "https://example.com/x", False),
    ("url_host_in", ["*.example.com"], "https://evilexample.com/x", False),
    ("url_host_in", ["example.com"], "https://example.com.evil.net/", False),
    ("url_host_in", [], "https://example.com/", False),
    ("url_host_in", ["example.com"], None, False),
]


@pytest.mark.parametrize(("op", "value", "actual", "expected"), CASES)
def test_operator(op: str, value: Any, actual: Any, expected: bool) -> None:
    assert holds(op, value, actual) is expected


def test_every_operator_has_cases() -> None:
    covered = {case[0] for case in CASES} | {"url_same_host_as", "same_as", "age_hours_at_most"}
    assert covered == set(OPERATORS)


@pytest.mark.parametrize(
    ("actual", "doc", "expected"),
    [
        ("https://idp.example.com/token", {"I": "https://IDP.example.com"}, True),
        ("https://other.example.com/token", {"I": "https://idp.example.com"}, False),
        ("https://idp.example.com/token", {}, False),
        (None, {"I": "https://idp.example.com"}, False),
    ],
)
def test_url_same_host_as(actual: Any, doc: dict, expected: bool) -> None:
    assert holds("url_same_host_as", "I", actual, doc=doc) is expected


@pytest.mark.parametrize(
    ("actual", "doc", "expected"),
    [
        ("eu-west-1", {"R": "eu-west-1"}, True),
        ("eu-west-1", {"R": "us-east-1"}, False),
        ("eu-west-1", {}, False),
    ],
)
def test_same_as(actual: Any, doc: dict, expected: bool) -> None:
    assert holds("same_as", "R", actual, doc=doc) is expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (datetime(2026, 11, 24, 12, tzinfo=timezone.utc), True),
        (datetime(2026, 11, 23, 23, tzinfo=timezone.utc), False),
        ("2026-11-24T01:00:00Z", True),
        ("2026-11-24T01:00:00+02:00", False),  # 23:00Z the day before: 25 hours
        ("2026-11-24 01:00:00+00:00", True),
        (1764000000.0, False),  # 2025-11-24
        (NOW.timestamp() - 3600, True),
        ("yesterday", False),
        (None, False),
        (True, False),
    ],
)
def test_age_hours_at_most(actual: Any, expected: bool) -> None:
    assert holds("age_hours_at_most", 24, actual) is expected


@pytest.mark.parametrize(
    ("match", "actual", "expected"),
    [
        ("all", ["a", "a"], True),
        ("all", ["a", "b"], False),
        ("all", [], True),
        ("any", ["a", "b"], True),
        ("any", ["b", "c"], False),
        ("any", [], False),
        ("none", ["b", "c"], True),
        ("none", ["a", "c"], False),
        ("none", [], True),
    ],
)
def test_match_modes_on_lists(match: str, actual: list, expected: bool) -> None:
    assert holds("equals", "a", actual, match=match) is expected


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("matches", "(unclosed"),
        ("cidr_within", ["10.0.0.0/33"]),
        ("cidr_within", "10.0.0.0/8"),
        ("cidr_prefix_at_least", {"ipv4": 40}),
        ("cidr_prefix_at_least", {"ipv5": 1}),
        ("cidr_prefix_at_least", 16),
        ("url_in", ["idp.example.com"]),
        ("url_host_in", ["exa*mple.com"]),
        ("count_at_least", -1),
        ("count_at_most", "3"),
        ("lt", "five"),
        ("in", "abc"),
        ("age_hours_at_most", "24h"),
    ],
)
def test_literals_are_rejected_when_the_policy_loads(op: str, value: Any) -> None:
    parse = OPERATORS[op].parse
    assert parse is not None
    with pytest.raises(ValueError):
        parse(value)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("10.0.0.0/8", True),
        ("::/0", True),
        ("fe80::1%eth0/64", False),
        ("1.2.3/8", False),
        ("1.2.3.4/08", True),
        ("1.2.3.4/1234", False),
    ],
)
def test_parse_cidr(text: str, ok: bool) -> None:
    assert (parse_cidr(text)[0] is not None) is ok


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("HTTPS://Idp.Example.COM:443/a/", "https://idp.example.com/a"),
        ("http://idp.example.com:80", "http://idp.example.com"),
        ("https://idp.example.com:8443/", "https://idp.example.com:8443"),
        ("https://[2001:DB8::1]/x", "https://[2001:db8::1]/x"),
        ("https://idp.example.com/?a=1", "https://idp.example.com?a=1"),
        ("https://idp.example.com:99999", None),
        ("mailto:x@example.com", None),
    ],
)
def test_normalize_url(url: str, normalized: str | None) -> None:
    assert normalize_url(url)[0] == normalized


def test_fail_message_names_index_value_and_reason() -> None:
    leaf = leaf_for("cidr_prefix_at_least", {"ipv4": 16}, path="SourceIpConfig.Cidrs")
    doc = {"SourceIpConfig": {"Cidrs": ["10.0.0.0/16", "0.0.0.0/0"]}}
    explained = leaf.explain(doc, Context(NOW))
    assert join_reasons(explained.reasons) == (
        'SourceIpConfig.Cidrs[1] "0.0.0.0/0" admits every IPv4 address (prefix /0); '
        "expected /16 or narrower"
    )


def explain(op: str, value: Any, actual: Any, match: str = "all", doc: dict | None = None) -> str:
    """The failure message a leaf on path X gives, as a rule's message would say it."""
    leaf = leaf_for(op, value, match)
    document = {"X": actual, **(doc or {})}
    explained = leaf.explain(document, Context(NOW))
    assert not explained.holds
    return join_reasons(explained.reasons)


# --- the contract each table entry declares ------------------------------------------------------


def test_only_declared_operators_read_another_path() -> None:
    assert {name for name, op in OPERATORS.items() if op.reads_path} == {
        "same_as",
        "url_same_host_as",
    }


def test_presence_operators_are_declared_in_the_table() -> None:
    assert {name for name, op in OPERATORS.items() if op.presence} == {"exists", "absent"}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_each_entry_is_consistent(name: str) -> None:
    op = OPERATORS[name]
    assert op.name == name
    assert op.kind in ("each", "whole")
    assert (op.parse is not None) == (op.value == "literal")
    assert bool(op.value_doc) == op.takes_value
    assert not (op.reads_path and op.kind == "whole")


def test_a_check_is_never_given_the_record() -> None:
    """Context carries the time only; the record cannot reach a check except as declared."""
    assert [field.name for field in fields(Context)] == ["now"]
    seen: list[Any] = []

    def spy(item: Any, value: Any, ctx: Context) -> None:
        seen.append((item, value, ctx))

    operator = replace(OPERATORS["same_as"], check=spy)
    leaf = Leaf(compile_path("A"), operator, compile_path("B"), "all")
    leaf.holds({"A": "a", "B": "b", "C": "secret"}, Context(NOW))
    assert seen == [("a", Other("B", "b"), Context(NOW))]


TYPED = [(name, op) for name, op in sorted(OPERATORS.items()) if op.accepts is not None]


@pytest.mark.parametrize(("name", "op"), TYPED, ids=[name for name, _ in TYPED])
def test_values_of_another_type_get_one_uniform_answer(name: str, op: Any) -> None:
    """The leaf answers for the types the operator does not accept; no check repeats it."""
    wrong = {"a string": 12, "a number": "12", "a timestamp": True}.get(op.accepts.noun, True)
    value = {"literal": SAMPLE_VALUES.get(name), "path": "Other", "none": None}[op.value]
    assert explain(name, value, wrong, doc={"Other": "https://x.example"}) == (
        f"X {json.dumps(wrong)} is not {op.accepts.noun}"
    )
    if not op.checks_absent:
        assert explain(name, value, None, doc={"Other": "https://x.example"}) == "X is absent"


SAMPLE_VALUES: dict[str, Any] = {
    "contains": "a",
    "count_at_least": 1,
    "count_at_most": 1,
    "matches": "x",
    "not_matches": "x",
    "lt": 1,
    "le": 1,
    "gt": 1,
    "ge": 1,
    "cidr_prefix_at_least": {"ipv4": 8},
    "cidr_within": ["10.0.0.0/8"],
    "cidr_disjoint": ["10.0.0.0/8"],
    "url_in": ["https://x.example"],
    "url_host_in": ["x.example"],
    "age_hours_at_most": 1,
}


# --- what failures say: what was found, and what was expected ------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "actual", "message"),
    [
        ("equals", "Active", "Failed", 'X "Failed" is not "Active"'),
        ("equals", "Active", None, 'X is not "Active"'),
        ("not_equals", "Failed", "Failed", 'X "Failed" is not allowed'),
        ("in", ["a", "b"], "c", 'X "c" is not one of ["a", "b"]'),
        ("matches", "^vpc-", "subnet-1", 'X "subnet-1" does not match /^vpc-/'),
        ("lt", 5, 7, "X 7 is not less than 5"),
        ("not_empty", None, [], "X is empty"),
        ("not_empty", None, None, "X is absent"),
        ("absent", None, "x", "X is present; expected it to be absent"),
        ("count_at_least", 2, ["a"], "X has 1 item; expected at least 2"),
        ("count_at_most", 1, ["a", "b"], "X has 2 items; expected at most 1"),
        (
            "cidr_valid",
            None,
            "10.0.0.0",
            'X "10.0.0.0" is not a valid CIDR (expected address/prefix, such as 203.0.113.0/24)',
        ),
        (
            "cidr_canonical",
            None,
            "10.1.2.3/16",
            'X "10.1.2.3/16" has host bits set; expected 10.1.0.0/16',
        ),
        (
            "cidr_prefix_at_least",
            {"ipv4": 1, "ipv6": 1},
            "0.0.0.0/0",
            'X "0.0.0.0/0" admits every IPv4 address (prefix /0)',
        ),
        (
            "cidr_prefix_at_least",
            {"ipv4": 1, "ipv6": 1},
            "::/0",
            'X "::/0" admits every IPv6 address (prefix /0)',
        ),
        (
            "cidr_prefix_at_least",
            {"ipv4": 16},
            "10.0.0.0/8",
            'X "10.0.0.0/8" admits 16,777,216 addresses (prefix /8); expected /16 or narrower',
        ),
        (
            "cidr_prefix_at_least",
            {"ipv6": 48},
            "2001:db8::/32",
            'X "2001:db8::/32" admits 2^96 IPv6 addresses (prefix /32); expected /48 or narrower',
        ),
        (
            "cidr_within",
            ["10.0.0.0/8"],
            "11.0.0.0/16",
            'X "11.0.0.0/16" is outside the allowed ranges ["10.0.0.0/8"]',
        ),
        (
            "cidr_disjoint",
            ["10.0.0.0/8"],
            "10.5.0.0/16",
            'X "10.5.0.0/16" overlaps 10.0.0.0/8, a range that is not allowed',
        ),
        (
            "cidrs_no_overlap",
            None,
            ["10.0.0.0/16", "10.0.0.1/16"],
            'X[1] "10.0.0.1/16" is the same network as item [0] "10.0.0.0/16"',
        ),
        (
            "cidrs_no_overlap",
            None,
            ["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"],
            'X[1] "10.1.0.0/16" and [2] "10.2.0.0/16": each lies inside item [0] "10.0.0.0/8"',
        ),
        (
            "cidrs_no_overlap",
            None,
            ["10.1.0.0/16", "10.0.0.0/8"],
            'X[1] "10.0.0.0/8" contains item [0] "10.1.0.0/16"',
        ),
        (
            "url_https",
            None,
            "http://idp.example.com/t",
            'X "http://idp.example.com/t" uses http; expected https',
        ),
        (
            "url_host_in",
            ["a.example"],
            "https://b.example/x",
            'X "https://b.example/x" is on host "b.example", which is not one of ["a.example"]',
        ),
        (
            "age_hours_at_most",
            24,
            "2026-11-20T00:00:00Z",
            'X "2026-11-20T00:00:00Z" is 120.0 hours old; expected at most 24',
        ),
        ("age_hours_at_most", 24, "yesterday", 'X "yesterday" is not a timestamp'),
    ],
)
def test_failure_messages(op: str, value: Any, actual: Any, message: str) -> None:
    assert explain(op, value, actual) == message


def test_items_failing_the_same_way_are_named_in_one_sentence() -> None:
    message = explain("cidr_within", ["10.0.0.0/8"], ["1.0.0.0/8", "10.1.0.0/16", "2.0.0.0/8"])
    assert message == (
        'X[0] "1.0.0.0/8" and [2] "2.0.0.0/8": each is outside the allowed ranges ["10.0.0.0/8"]'
    )


def test_a_shared_expectation_is_said_once() -> None:
    message = explain("cidr_prefix_at_least", {"ipv4": 16}, ["10.0.0.0/8", "0.0.0.0/0"])
    assert message == (
        'X[0] "10.0.0.0/8" admits 16,777,216 addresses (prefix /8); '
        'X[1] "0.0.0.0/0" admits every IPv4 address (prefix /0); expected /16 or narrower'
    )
    assert message.count("expected") == 1


@pytest.mark.parametrize(
    ("op", "other", "actual", "message"),
    [
        ("same_as", "eu-west-1", "us-east-1", 'X "us-east-1" differs from R "eu-west-1"'),
        ("same_as", None, "us-east-1", 'X "us-east-1" cannot be compared: R is absent'),
        (
            "url_same_host_as",
            "https://idp.example.com",
            "https://evil.example/t",
            'X "https://evil.example/t" is on host "evil.example"; expected R\'s host '
            '"idp.example.com"',
        ),
        (
            "url_same_host_as",
            "not a url",
            "https://idp.example.com/t",
            'X "https://idp.example.com/t" cannot be compared: R "not a url" is not a URL with a '
            "host",
        ),
    ],
)
def test_path_operators_name_the_other_path(op: str, other: Any, actual: Any, message: str) -> None:
    assert explain(op, "R", actual, doc={"R": other}) == message


# --- regular expressions run on RE2 --------------------------------------------------------------


def test_regexes_are_compiled_for_re2() -> None:
    for name in ("matches", "not_matches"):
        pattern = OPERATORS[name].parse("(a+)+$")
        assert type(pattern).__module__.split(".")[0] == "re2", type(pattern)


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        (r"(a)\1", "backreferences and lookaround are not supported"),
        ("(?=a)b", "backreferences and lookaround are not supported"),
        ("(?!a)b", "backreferences and lookaround are not supported"),
        ("(?<=a)b", "backreferences and lookaround are not supported"),
        ("(unclosed", "missing )"),
        ("a{1001}", "invalid repetition size"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_at_load(pattern: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="invalid regular expression") as info:
        OPERATORS["matches"].parse(pattern)
    assert fragment in str(info.value)


def test_a_catastrophic_pattern_runs_on_re2() -> None:
    """``(a+)+$`` backtracks exponentially in Python's engine (24 characters take seconds);
    RE2 runs in time linear in the value by construction, so policy patterns compile to RE2
    and answer on 100,000 characters."""
    compiled = OPERATORS["matches"].parse("(a+)+$")
    assert type(compiled).__module__.split(".")[0] == "re2", type(compiled)
    value = "a" * 100_000 + "!"
    assert holds("not_matches", "(a+)+$", value)
    assert not holds("matches", "(a+)+$", value)


def test_a_redos_pattern_against_a_long_value_does_not_stall_a_scan(tmp_path: Path) -> None:
    """Issue 9: ``(a+)+$`` against 100,000 characters ran for minutes; through RE2 (above) the
    whole scan answers (about 0.5 s with interpreter start-up)."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nrules:\n  - id: R1\n    title: t\n    severity: low\n"
        "    assert: {path: WorkforceName, op: not_matches, value: '(a+)+$'}\n"
    )
    records = tmp_path / "in.json"
    records.write_text(json.dumps({"Workforces": [{"WorkforceName": "a" * 100_000 + "!"}]}))
    result = run_cli("scan", "--policy", str(policy), "--input", str(records), "--format", "json")
    assert result.code == 0, result.err
    assert [r["status"] for r in json.loads(result.out)["results"]] == ["pass"]
