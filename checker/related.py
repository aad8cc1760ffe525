"""The resources a workforce depends on, as one reserved member of its record: ``Related``.

A security review judges a workforce with its work teams, its Cognito user pool and app client,
and its VPC's security groups, subnets and endpoint. Sources put them, in the shapes the AWS APIs
return, under ``Related`` in the workforce document, so rules address them by path like any
field (``Related.Workteams[*].WorkerAccessConfiguration...``). Findings stay on the workforce.

:attr:`checker.model.Record.related` says, per kind, whether the source looked: a rule that reads
a kind the source never read is not evaluated (and said so once), one whose kind could not be
read is ``error``, never ``pass``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.model import Location

MEMBER = "Related"
"""The reserved member of a workforce document that holds its related resources."""

KINDS: dict[str, str] = {
    "workteams": "Workteams",
    "user-pool": "UserPool",
    "user-pool-client": "UserPoolClient",
    "security-groups": "SecurityGroups",
    "subnets": "Subnets",
    "vpc-endpoint": "VpcEndpoint",
}
"""``--related`` kind -> its member under ``Related`` (lists for the plural ones)."""

MEMBERS: dict[str, str] = {member: kind for kind, member in KINDS.items()}

IAM_ACTIONS: dict[str, tuple[str, ...]] = {
    "workteams": ("sagemaker:ListWorkteams",),
    "user-pool": ("cognito-idp:DescribeUserPool", "cognito-idp:GetUserPoolMfaConfig"),
    "user-pool-client": ("cognito-idp:DescribeUserPoolClient",),
    "security-groups": ("ec2:DescribeSecurityGroups",),
    "subnets": ("ec2:DescribeSubnets",),
    "vpc-endpoint": ("ec2:DescribeVpcEndpoints",),
}
"""The read-only actions each kind needs (``wfcheck iam-policy`` lists them)."""

_MEMBER_PATH = re.compile(rf"^{MEMBER}\.(\w+)")


def kinds_read(fields: Iterable[str]) -> frozenset[str]:
    """The kinds a rule reads, from the dotted fields it reads (``Related.UserPool.X``)."""
    kinds: set[str] = set()
    for path in fields:
        match = _MEMBER_PATH.match(path)
        if match and match[1] in MEMBERS:
            kinds.add(MEMBERS[match[1]])
        elif path == MEMBER or path.startswith(f"{MEMBER}["):
            kinds.update(KINDS)
    return frozenset(kinds)


def parse_kinds(text: str) -> frozenset[str]:
    """``--related all|none|KIND[,KIND]``; a ValueError names what is wrong."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    if words == ["all"]:
        return frozenset(KINDS)
    if words == ["none"]:
        return frozenset()
    unknown = [word for word in words if word not in KINDS]
    if unknown or not words:
        raise ValueError(
            f"unknown related kind {unknown[0]!r}" if unknown else "no related kind given"
        )
    return frozenset(words)


def not_read(kinds: Iterable[str], related: Mapping[str, str | None] | None) -> list[str]:
    """The kinds among ``kinds`` a record's source did not read (sorted)."""
    return sorted(kind for kind in kinds if related is None or kind not in related)


NOT_EVALUATED = "not evaluated: the input has no related "
"""How the skip message of a rule whose related kind the source did not read begins."""


def unevaluated_note(rule_id: str, records: int, kinds: Iterable[str]) -> str:
    """The one line that says so, in the report's notes and on stderr."""
    return (
        f"{rule_id} not evaluated on {records} workforce(s): the input has no related "
        f"{', '.join(sorted(kinds))} (scan live with --related, or a snapshot fetch wrote)"
    )


def read_all(error: str | None = None) -> dict[str, str | None]:
    """``Record.related`` for a source that read every kind (with one error for all)."""
    return dict.fromkeys(KINDS, error)


@dataclass
class Linked:
    """What the related resources an infrastructure-as-code source declares add to one
    workforce's record: the ``Related`` member, the paths it cannot decide (with the reason),
    where each related resource is written, and the kinds the source declares at all;
    ``identities``: the workforce's own fields not known yet that name a declared object, with
    that object's identity (``Record.identity_paths``)."""

    member: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    identities: dict[str, str] = field(default_factory=dict)
    locations: list[tuple[str, Location]] = field(default_factory=list)
    kinds: frozenset[str] = frozenset()

    def undecided(self, kind: str, reason: str) -> None:
        """The kind cannot be told: what was gathered for it goes, and its path is unknown."""
        path = f"{MEMBER}.{KINDS[kind]}"
        self.member.pop(KINDS[kind], None)
        self.locations = [(p, where) for p, where in self.locations if not p.startswith(path)]
        self.unknown[path] = f"not known: {reason}"

    def locate(self, path: str, location: Location | None) -> None:
        if location is not None:
            self.locations.append((path, location))


def identified(
    workforce: dict[str, Any], identities: Mapping[str, str], unknown: frozenset[str]
) -> frozenset[str]:
    """Fill each unknown ``Block.Field`` of the workforce that names a declared object with that
    object's identity (``Linked.identities``); the paths filled (``Record.identity_paths``)."""
    filled = set()
    for path, identity in identities.items():
        block, _, name = path.partition(".")
        if path in unknown and isinstance(workforce.get(block), Mapping):
            workforce[block] = {**workforce[block], name: identity}
            filled.add(path)
    return frozenset(filled)


def present(value: Mapping[str, Any]) -> dict[str, Any]:
    """Without the fields that are absent (None), as the APIs omit them."""
    return {key: item for key, item in value.items() if item is not None}
