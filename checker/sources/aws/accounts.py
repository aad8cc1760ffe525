"""Which accounts a live scan reads, and the credentials it reads each one with.

Three ways to name accounts: one ``--role-arn``; an accounts file (``accounts:`` YAML, validated
against a schema with file:line errors before any AWS call); or ``--org --role-name`` listing
the active accounts of an AWS Organization. Roles are assumed through STS with refreshable
credentials, so a run longer than the session lifetime keeps working.

boto3/botocore are imported inside functions only: offline commands (and ``wfcheck validate
accounts.yaml``) never load them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from checker.errors import InputError
from checker.files.reading import Located
from checker.files.yaml_documents import load_yaml
from checker.sources.aws.options import ACCOUNT_ID, REGION, account_of_role

SESSION_NAME = "wfcheck"
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}|\{account_id\}):role/[\w+=,.@/{}-]+$")
ROLE_NAME = re.compile(r"^[\w+=,.@/{}-]{1,128}$")

_REGIONS_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": REGION.pattern},
        },
        {"const": "all"},
    ]
}
_ROLE_FIELDS: dict[str, Any] = {
    "role_arn": {"type": "string", "pattern": ROLE_ARN.pattern},
    "role_name": {"type": "string", "pattern": ROLE_NAME.pattern},
    "external_id": {
        "type": "string",
        "minLength": 2,
        "maxLength": 1224,
        "pattern": r"^[\w+=,.@:/-]+$",
    },
    "regions": _REGIONS_SCHEMA,
}
ACCOUNTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["accounts"],
    "additionalProperties": False,
    "properties": {
        "defaults": {"type": "object", "additionalProperties": False, "properties": _ROLE_FIELDS},
        "accounts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": False,
                "not": {"required": ["role_arn", "role_name"]},
                "properties": {
                    "id": {"type": "string", "pattern": ACCOUNT_ID.pattern},
                    "name": {"type": "string", "maxLength": 128},
                    **_ROLE_FIELDS,
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class AccountTarget:
    """One account to read: None ``account_id`` and ``role_arn`` mean the caller's credentials.

    ``regions`` is None to use the command line's regions, ``("all",)`` for every enabled region.
    ``state`` is the Organizations state; anything but ACTIVE is skipped, not read.
    """

    account_id: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    regions: tuple[str, ...] | None = None
    name: str | None = None
    state: str = "ACTIVE"

    @property
    def label(self) -> str:
        return self.account_id or "default credentials"


def role_arn_for(account_id: str, role_name: str, partition: str = "aws") -> str:
    """The ARN of role ``role_name`` (it may carry a path, ``team/auditor``) in an account."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def partition_of_arn(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 1 and parts[1] else "aws"


def _fill(template: str, account_id: str) -> str:
    return template.replace("{account_id}", account_id)


def _normalize_ids(doc: Located) -> None:
    """An unquoted id is a YAML int; accept it when it is still 12 digits, as written."""
    accounts = doc.data.get("accounts") if isinstance(doc.data, dict) else None
    for index, entry in enumerate(accounts if isinstance(accounts, list) else []):
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("id"), int)
            and not isinstance(entry["id"], bool)
        ):
            text = str(entry["id"])
            if not ACCOUNT_ID.match(text):
                raise doc.error(
                    InputError,
                    ("accounts", index, "id"),
                    f"account id {text} is not 12 digits",
                    'quote account ids, e.g. id: "012345678901"',
                )
            entry["id"] = text


def _schema_error(doc: Located) -> None:
    from checker.files.schemacheck import validator_for

    validator = validator_for(ACCOUNTS_SCHEMA)
    errors = sorted(
        validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    if not errors:
        return
    error = errors[0]
    path = tuple(error.absolute_path)
    label = ".".join(str(p) for p in path) or "accounts file"
    if error.validator == "not":
        message = "give role_arn or role_name, not both"
    elif error.validator == "additionalProperties":
        message = error.message.replace("Additional properties are not allowed ", "unknown field ")
    elif error.validator == "oneOf" and path and path[-1] == "regions":
        message = "regions must be a list of region names (e.g. [us-east-1]) or 'all'"
    elif error.validator == "pattern":
        message = f"{error.instance!r} is not a valid {path[-1] if path else 'value'}"
    else:
        message = error.message
    raise doc.error(InputError, path, f"{label}: {message}")


def load_accounts_file(path: str) -> list[AccountTarget]:
    """The accounts a file names, each with a role ARN; any problem is one file:line error."""
    doc = load_yaml(path, kind="accounts file")
    if not isinstance(doc.data, dict):
        raise doc.error(InputError, (), "expected a mapping with an 'accounts:' list")
    _normalize_ids(doc)
    _schema_error(doc)
    defaults: Mapping[str, Any] = doc.data.get("defaults") or {}
    targets: list[AccountTarget] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(doc.data["accounts"]):
        account_id = entry["id"]
        if account_id in seen:
            raise doc.error(
                InputError,
                ("accounts", index, "id"),
                f"account {account_id} is listed twice (first at accounts[{seen[account_id]}])",
            )
        seen[account_id] = index
        role_arn = entry.get("role_arn")
        role_name = entry.get("role_name")
        if role_arn is None and role_name is None:
            role_arn, role_name = defaults.get("role_arn"), defaults.get("role_name")
        if role_arn is None and role_name is None:
            raise doc.error(
                InputError,
                ("accounts", index),
                f"account {account_id}: no role_arn or role_name",
                "set one on the account or under defaults:",
            )
        arn = (
            _fill(role_arn, account_id)
            if role_arn
            else role_arn_for(account_id, _fill(str(role_name), account_id))
        )
        where = ("accounts", index, "role_arn" if entry.get("role_arn") else "role_name")
        if "{" in arn or "}" in arn:
            raise doc.error(
                InputError,
                where,
                f"unknown placeholder in {arn!r}",
                "the only placeholder is {account_id}",
            )
        if account_of_role(arn) != account_id:
            raise doc.error(InputError, where, f"role {arn} is not in account {account_id}")
        regions = entry.get("regions", defaults.get("regions"))
        targets.append(
            AccountTarget(
                account_id=account_id,
                role_arn=arn,
                external_id=entry.get("external_id", defaults.get("external_id")),
                regions=("all",) if regions == "all" else tuple(regions) if regions else None,
                name=entry.get("name"),
            )
        )
    return targets


def organization_accounts(
    client: Any, role_name: str, external_id: str | None, partition: str
) -> list[AccountTarget]:
    """Every account Organizations ``ListAccounts`` returns (all pages), sorted by id."""
    targets = []
    for page in client.get_paginator("list_accounts").paginate():
        for account in page.get("Accounts") or []:
            account_id = str(account.get("Id", ""))
            if not ACCOUNT_ID.match(account_id):
                continue
            state = str(account.get("State") or account.get("Status") or "ACTIVE").upper()
            targets.append(
                AccountTarget(
                    account_id=account_id,
                    role_arn=role_arn_for(account_id, role_name, partition),
                    external_id=external_id,
                    name=account.get("Name"),
                    state=state,
                )
            )
    return sorted(targets, key=lambda target: target.account_id or "")


def assume_role_credentials(
    sts_client: Any, role_arn: str, external_id: str | None, session_name: str = SESSION_NAME
) -> Any:
    """Refreshable credentials for ``role_arn``: botocore re-assumes the role before expiry.

    The first AssumeRole happens here (so a denied role fails its account up front); later ones
    happen inside whichever request finds the credentials about to expire.
    """
    from botocore.credentials import RefreshableCredentials

    def fetch() -> dict[str, Any]:
        params = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id:
            params["ExternalId"] = external_id
        creds = sts_client.assume_role(**params)["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    first = fetch()
    return RefreshableCredentials(
        access_key=first["access_key"],
        secret_key=first["secret_key"],
        token=first["token"],
        expiry_time=_aware(datetime.fromisoformat(first["expiry_time"])),
        refresh_using=fetch,
        method="assume-role",
        time_fetcher=_utc_now,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _utc_now() -> datetime:
    """The clock the credentials' expiry is checked against before every request signed:
    botocore's default builds dateutil's local time zone each time (a tenth of a live
    run's CPU); the expiry is an aware time, so UTC compares the same."""
    return datetime.now(timezone.utc)


def describe_targets(targets: Sequence[AccountTarget]) -> list[dict[str, Any]]:
    """Targets as the snapshot records them (no external ids: they are shared secrets)."""
    return [
        {
            key: value
            for key, value in (
                ("account", target.account_id),
                ("name", target.name),
                ("role_arn", target.role_arn),
                ("regions", list(target.regions) if target.regions else None),
            )
            if value is not None
        }
        for target in targets
    ]


def validate_accounts_file(path: str) -> None:
    """``wfcheck validate``: the accounts file kind (top-level ``accounts:``)."""
    load_accounts_file(path)
