"""The operator table: each name maps to one entry that says everything about the operator.

An entry says what the operator may read and how:

- ``kind``: ``each`` applies the check to every item when the path yields a list (with
  ``match`` all/any/none), ``whole`` to the value as a whole (presence, counts, overlaps);
- ``value``: ``none`` (no value), ``literal`` (parsed once by ``parse`` when the policy loads,
  which raises ``ValueError`` with a readable reason) or ``path`` (the value at another path of
  the record, resolved by the leaf before the check runs and passed as
  :class:`~checker.policy.operators.contract.Other`). These are the only record values a check
  sees, so the fields a rule reads, and the memo keys built from them, are always complete;
- ``accepts``: the value types the check is written for. The leaf answers ``is absent`` and
  ``is not a string`` (or a number, a list...) for anything else, uniformly, unless
  ``checks_absent`` lets the check decide what an absent value means (counts treat it as 0);
- ``presence``: whether it only tests that a value is there (``exists``/``absent``), which
  decides it even when only values inside the block are unknown;
- ``by_identity``: whether it looks at a value only for presence, count or equality, so a
  value a source knows only as the object it names (``Record.identity_paths``: the id of a
  pool the plan creates) decides it: equal to the same object's, to nothing else.

The families live in ``values``, ``cidr``, ``url`` and ``time``; adding an operator is one
function there and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from checker.policy.display import show
from checker.policy.operators import cidr, time, url, values
from checker.policy.operators.cidr import parse_cidr
from checker.policy.operators.contract import (
    COUNTABLE,
    LIST,
    LIST_OR_STRING,
    NUMBER,
    STRING,
    TIMESTAMP,
    Check,
    Context,
    ItemReason,
    Other,
    ValueType,
    Verdict,
)
from checker.policy.operators.url import host_matches, normalize_url, url_host

__all__ = [
    "OPERATORS",
    "Context",
    "ItemReason",
    "Operator",
    "Other",
    "ValueType",
    "Verdict",
    "host_matches",
    "normalize_url",
    "parse_cidr",
    "show",
    "url_host",
]


@dataclass(frozen=True, slots=True)
class Operator:
    """One operator and its contract (see the module docstring)."""

    name: str
    kind: Literal["each", "whole"]
    check: Check
    summary: str
    value: Literal["none", "literal", "path"] = "none"
    parse: Callable[[Any], Any] | None = None
    value_doc: str = ""
    accepts: ValueType | None = None
    checks_absent: bool = False
    presence: bool = False
    by_identity: bool = False

    @property
    def takes_value(self) -> bool:
        return self.value != "none"

    @property
    def reads_path(self) -> bool:
        """Whether its value names another path of the record, read before the check runs."""
        return self.value == "path"


def _literal(
    name: str,
    kind: Literal["each", "whole"],
    check: Check,
    parse: Callable[[Any], Any],
    value_doc: str,
    summary: str,
    accepts: ValueType | None = None,
    checks_absent: bool = False,
    by_identity: bool = False,
) -> Operator:
    return Operator(
        name,
        kind,
        check,
        summary,
        "literal",
        parse,
        value_doc,
        accepts,
        checks_absent,
        by_identity=by_identity,
    )


def _plain(
    name: str,
    kind: Literal["each", "whole"],
    check: Check,
    summary: str,
    accepts: ValueType | None = None,
    checks_absent: bool = False,
    presence: bool = False,
    by_identity: bool = False,
) -> Operator:
    return Operator(
        name, kind, check, summary, "none", None, "", accepts, checks_absent, presence, by_identity
    )


def _path(
    name: str, check: Check, summary: str, accepts: ValueType | None, by_identity: bool = False
) -> Operator:
    return Operator(
        name, "each", check, summary, "path", None, "path", accepts, by_identity=by_identity
    )


_TABLE: tuple[Operator, ...] = (
    # presence and size of the whole value
    _plain(
        "exists",
        "whole",
        values.exists,
        "the path yields a value (not null/absent)",
        presence=True,
        by_identity=True,
    ),
    _plain(
        "absent",
        "whole",
        values.absent,
        "the path yields nothing (absent or null)",
        presence=True,
        by_identity=True,
    ),
    _plain(
        "not_empty",
        "whole",
        values.not_empty,
        "present and not an empty string, list or map",
        by_identity=True,
    ),
    _literal(
        "contains",
        "whole",
        values.contains,
        values.parse_any,
        "any literal",
        "the list (or string) contains the value",
        accepts=LIST_OR_STRING,
    ),
    _literal(
        "count_at_least",
        "whole",
        values.count_at_least,
        values.parse_count,
        "integer",
        "the list has at least N items (absent counts as 0)",
        accepts=COUNTABLE,
        checks_absent=True,
        by_identity=True,
    ),
    _literal(
        "count_at_most",
        "whole",
        values.count_at_most,
        values.parse_count,
        "integer",
        "the list has at most N items",
        accepts=COUNTABLE,
        checks_absent=True,
        by_identity=True,
    ),
    # equality and membership
    _literal(
        "equals",
        "each",
        values.equals,
        values.parse_any,
        "any literal",
        "equal to the value",
        by_identity=True,
    ),
    _literal(
        "not_equals",
        "each",
        values.not_equals,
        values.parse_any,
        "any literal",
        "not equal to the value",
        by_identity=True,
    ),
    _literal(
        "in",
        "each",
        values.is_in,
        values.parse_list,
        "list",
        "one of the listed values",
        by_identity=True,
    ),
    _literal(
        "not_in",
        "each",
        values.not_in,
        values.parse_list,
        "list",
        "none of the listed values",
        by_identity=True,
    ),
    _path(
        "same_as",
        values.equals_other,
        "equal to the value at another path",
        None,
        by_identity=True,
    ),
    # regular expressions (RE2: linear time)
    _literal(
        "matches",
        "each",
        values.matches,
        values.parse_regex,
        "regex (RE2)",
        "a string the regex finds a match in (search; anchor with ^ and $)",
        accepts=STRING,
    ),
    _literal(
        "not_matches",
        "each",
        values.not_matches,
        values.parse_regex,
        "regex (RE2)",
        "a string the regex does not match",
        accepts=STRING,
    ),
    # numbers
    _literal(
        "lt",
        "each",
        values.compare("is not less than", lambda a, b: a < b),
        values.parse_number,
        "number",
        "a number < value",
        accepts=NUMBER,
    ),
    _literal(
        "le",
        "each",
        values.compare("is more than", lambda a, b: a <= b),
        values.parse_number,
        "number",
        "a number <= value",
        accepts=NUMBER,
    ),
    _literal(
        "gt",
        "each",
        values.compare("is not more than", lambda a, b: a > b),
        values.parse_number,
        "number",
        "a number > value",
        accepts=NUMBER,
    ),
    _literal(
        "ge",
        "each",
        values.compare("is less than", lambda a, b: a >= b),
        values.parse_number,
        "number",
        "a number >= value",
        accepts=NUMBER,
    ),
    # CIDRs
    _plain("cidr_valid", "each", cidr.cidr_valid, "an IPv4 or IPv6 CIDR (address/prefix)", STRING),
    _plain("cidr_canonical", "each", cidr.cidr_canonical, "a CIDR with no host bits set", STRING),
    _literal(
        "cidr_prefix_at_least",
        "each",
        cidr.cidr_prefix_at_least,
        cidr.parse_prefixes,
        "{ipv4: N, ipv6: M}",
        "a CIDR whose prefix length is at least the limit for its family",
        accepts=STRING,
    ),
    _literal(
        "cidr_within",
        "each",
        cidr.cidr_within,
        cidr.parse_networks,
        "list of CIDRs",
        "a CIDR inside one of the listed ranges (same family)",
        accepts=STRING,
    ),
    _literal(
        "cidr_disjoint",
        "each",
        cidr.cidr_disjoint,
        cidr.parse_networks,
        "list of CIDRs",
        "a CIDR overlapping none of the listed ranges",
        accepts=STRING,
    ),
    _plain(
        "cidrs_no_overlap",
        "whole",
        cidr.cidrs_no_overlap,
        "no two CIDRs in the list overlap or repeat; every item parses",
        accepts=LIST,
        checks_absent=True,
    ),
    # URLs
    _plain("url_https", "each", url.url_https, "an absolute https URL", STRING),
    _literal(
        "url_in",
        "each",
        url.url_in,
        url.parse_urls,
        "list of URLs",
        "a URL equal to one listed, after normalizing "
        "scheme/host case, default port and trailing slash",
        accepts=STRING,
    ),
    _literal(
        "url_host_in",
        "each",
        url.url_host_in,
        url.parse_host_patterns,
        "list of hosts",
        "a URL whose host is listed; *.example.com matches subdomains",
        accepts=STRING,
    ),
    _path(
        "url_same_host_as",
        url.url_same_host_as,
        "a URL with the same host as the URL at another path",
        STRING,
    ),
    # time
    _literal(
        "age_hours_at_most",
        "each",
        time.age_hours_at_most,
        values.parse_number,
        "number of hours",
        "a timestamp at most N hours before now (--now)",
        accepts=TIMESTAMP,
    ),
)

OPERATORS: dict[str, Operator] = {operator.name: operator for operator in _TABLE}
