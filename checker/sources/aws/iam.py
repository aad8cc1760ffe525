"""The least-privilege IAM policy a live scan needs, printed by ``wfcheck iam-policy``.

Kept as data in one place so the docs, the command and the code that calls AWS cannot drift:
every action listed here is one the live source calls, and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from checker.related import IAM_ACTIONS, KINDS

#: (Sid, actions, why) for the permissions in each account that is read.
READ_STATEMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("WfcheckListWorkforces", ("sagemaker:ListWorkforces",), "read every workforce"),
    (
        "WfcheckEnabledRegions",
        ("ec2:DescribeRegions",),
        "optional: --region all skips regions not enabled in the account",
    ),
)
#: Sid and why per service of the related resources' read actions (``--related``).
RELATED_STATEMENTS: dict[str, tuple[str, str]] = {
    "sagemaker": ("WfcheckRelatedWorkteams", "--related workteams"),
    "cognito-idp": ("WfcheckRelatedUserPools", "--related user-pool, user-pool-client"),
    "ec2": ("WfcheckRelatedNetwork", "--related security-groups, subnets, vpc-endpoint"),
}
#: For the identity that runs wfcheck when it assumes roles / lists an organization.
CALLER_STATEMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("WfcheckAssumeRole", ("sts:AssumeRole",), "--role-arn, --accounts, --org"),
    ("WfcheckListAccounts", ("organizations:ListAccounts",), "--org only"),
)


def related_statements(
    kinds: Iterable[str] = KINDS,
) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """The statements for the related kinds read (``--related``), one per service, actions in
    :data:`checker.related.IAM_ACTIONS` order; none for ``--related none``."""
    wanted = set(kinds)
    by_service: dict[str, list[str]] = {}
    for kind in KINDS:
        if kind in wanted:
            for action in IAM_ACTIONS[kind]:
                by_service.setdefault(action.split(":", 1)[0], []).append(action)
    return tuple(
        (RELATED_STATEMENTS[service][0], tuple(actions), RELATED_STATEMENTS[service][1])
        for service, actions in by_service.items()
    )


def policy_document(
    scope: str = "all", role_name: str | None = None, related: Iterable[str] = KINDS
) -> dict[str, Any]:
    """``scope``: ``read`` (the role in each scanned account), ``caller`` (who runs wfcheck), or
    ``all`` (both in one document, for a single-account setup). ``related``: the related kinds
    the scan reads (``--related``; default all)."""
    statements = []
    read = READ_STATEMENTS + related_statements(related)
    chosen = {"read": read, "caller": CALLER_STATEMENTS, "all": read + CALLER_STATEMENTS}[scope]
    for sid, actions, _why in chosen:
        resource = "*"
        if actions == ("sts:AssumeRole",) and role_name:
            resource = f"arn:aws:iam::*:role/{role_name.strip('/')}"
        statements.append(
            {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}
        )
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(
    scope: str = "all", role_name: str | None = None, related: Iterable[str] = KINDS
) -> str:
    return json.dumps(policy_document(scope, role_name, related), indent=2) + "\n"
