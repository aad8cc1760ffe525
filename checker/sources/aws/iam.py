"""The least-privilege IAM policy a live scan needs, printed by ``wfcheck iam-policy``.

Kept as data in one place so the docs, the command and the code that calls AWS cannot drift:
every action listed here is one the live source calls, and nothing else.
"""

from __future__ import annotations

import json
from typing import Any

#: (Sid, actions, why) for the permissions in each account that is read.
READ_STATEMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("WfcheckListWorkforces", ("sagemaker:ListWorkforces",), "read every workforce"),
    (
        "WfcheckEnabledRegions",
        ("ec2:DescribeRegions",),
        "optional: --region all skips regions not enabled in the account",
    ),
)
#: For the identity that runs wfcheck when it assumes roles / lists an organization.
CALLER_STATEMENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("WfcheckAssumeRole", ("sts:AssumeRole",), "--role-arn, --accounts, --org"),
    ("WfcheckListAccounts", ("organizations:ListAccounts",), "--org only"),
)


def policy_document(scope: str = "all", role_name: str | None = None) -> dict[str, Any]:
    """``scope``: ``read`` (the role in each scanned account), ``caller`` (who runs wfcheck), or
    ``all`` (both in one document, for a single-account setup)."""
    statements = []
    chosen = {
        "read": READ_STATEMENTS,
        "caller": CALLER_STATEMENTS,
        "all": READ_STATEMENTS + CALLER_STATEMENTS,
    }[scope]
    for sid, actions, _why in chosen:
        resource = "*"
        if actions == ("sts:AssumeRole",) and role_name:
            resource = f"arn:aws:iam::*:role/{role_name.strip('/')}"
        statements.append(
            {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}
        )
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(scope: str = "all", role_name: str | None = None) -> str:
    return json.dumps(policy_document(scope, role_name), indent=2) + "\n"
