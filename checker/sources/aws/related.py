"""Reading a workforce's related resources in its own account and region (``--related``).

Within the unit that listed the workforce, on the same thread, clients, retries and timeouts:
one call per kind, ids batched (EC2 by filter, so an id that no longer exists is simply not
returned rather than failing the whole call), and nothing for a kind the workforce does not
use (no EC2 calls without a VPC config, no Cognito calls for an OIDC workforce). A kind whose
call fails (denied, throttled after botocore's retries, a body that is not the operation's
shape) is recorded with the IAM action that failed and the error: the rules that need it are
``error``, and the unit gets one error entry per failure (exit 3). Values are kept as JSON
values (timestamps as ISO-8601 text) so a snapshot reads back exactly what the live scan saw;
app client secrets are never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry
from checker.related import KINDS
from checker.sources.aws.errors import MalformedResponse, describe_failure
from checker.sources.aws.plan import SOURCE_NAME

SECRET_FIELDS = frozenset({"ClientSecret"})
"""Fields of related resources that hold secrets: dropped when read, never stored or shown."""

ClientFor = Callable[[str], Any]
"""``client_for(service)``: the unit's client of a service (created on first use)."""


class RelatedCallFailed(Exception):
    """One related-resource call failed: ``action`` is its IAM action
    (``cognito-idp:DescribeUserPool``), ``cause`` what botocore raised."""

    def __init__(self, action: str, cause: Exception) -> None:
        super().__init__(f"{action}: {cause}")
        self.action = action
        self.cause = cause


def _call(action: str, call: Callable[[], Any]) -> Any:
    """``call()``, any failure named by its IAM action."""
    try:
        return call()
    except RelatedCallFailed:
        raise
    except Exception as exc:
        raise RelatedCallFailed(action, exc) from exc


class RelatedRead:
    """What reading one workforce's related resources gave: the ``Related`` member, the
    ``Record.related`` states, and one error entry per kind that failed."""

    def __init__(self) -> None:
        self.member: dict[str, Any] = {}
        self.state: dict[str, str | None] = {}
        self.errors: list[ErrorEntry] = []


def read_related(
    workforce: Mapping[str, Any],
    kinds: frozenset[str],
    client_for: ClientFor,
    account: str | None,
    region: str,
    workteams: list[dict[str, Any]] | RelatedCallFailed,
) -> RelatedRead:
    """The related resources of ``kinds`` of one workforce. ``workteams`` is the unit's
    ListWorkteams result (one listing serves the unit), or how reading it failed."""
    read = RelatedRead()
    cognito = workforce.get("CognitoConfig")
    vpc = workforce.get("WorkforceVpcConfig")
    cognito = cognito if isinstance(cognito, Mapping) else {}
    vpc = vpc if isinstance(vpc, Mapping) else {}
    readers: dict[str, Callable[[], Any]] = {
        "workteams": lambda: _own_teams(workteams, workforce),
        "user-pool": lambda: _user_pool(client_for, cognito),
        "user-pool-client": lambda: _user_pool_client(client_for, cognito),
        "security-groups": lambda: _ec2_list(
            client_for, "describe_security_groups", "group-id", vpc.get("SecurityGroupIds")
        ),
        "subnets": lambda: _ec2_list(
            client_for, "describe_subnets", "subnet-id", vpc.get("Subnets")
        ),
        "vpc-endpoint": lambda: _vpc_endpoint(client_for, vpc.get("VpcEndpointId")),
    }
    for kind in KINDS:
        if kind not in kinds:
            continue
        try:
            value = readers[kind]()
        except RelatedCallFailed as failed:
            if _not_found(failed.cause):  # a deleted pool or client: read, and absent
                read.state[kind] = None
                continue
            code, message = describe_failure(failed.cause)
            read.state[kind] = f"{failed.action} failed: {code}: {message}"
            # ListWorkteams is one call for the unit: its entry is the same for every workforce
            subject = kind if kind == "workteams" else f"{kind} of {workforce.get('WorkforceName')}"
            text = f"{failed.action} ({subject}): {message}"
            read.errors.append(ErrorEntry(SOURCE_NAME, text, code, account, region))
            continue
        read.state[kind] = None
        if value is not None:
            read.member[KINDS[kind]] = _plain(value)
    return read


def _not_found(exc: Exception) -> bool:
    """Cognito's answer for a pool or client that does not exist (EC2 is read by filter)."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code")
    return bool(code == "ResourceNotFoundException")


def list_workteams(client_for: ClientFor) -> list[dict[str, Any]]:
    """Every work team of the account x region (ListWorkteams, every page); a failure is a
    :class:`RelatedCallFailed`."""
    return list(_call("sagemaker:ListWorkteams", lambda: _every_workteam(client_for)))


def _every_workteam(client_for: ClientFor) -> list[dict[str, Any]]:
    teams: list[dict[str, Any]] = []
    for page in client_for("sagemaker").get_paginator("list_workteams").paginate():
        batch = page.get("Workteams")
        if not isinstance(batch, list):
            raise MalformedResponse("ListWorkteams response has no Workteams list")
        teams.extend(item for item in batch if isinstance(item, dict))
    return teams


def _own_teams(
    workteams: list[dict[str, Any]] | RelatedCallFailed, workforce: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The work teams of this workforce: those naming its ARN (a team without a WorkforceArn
    can only be the region's one private workforce's)."""
    if isinstance(workteams, RelatedCallFailed):
        raise workteams
    arn = workforce.get("WorkforceArn")
    return [team for team in workteams if team.get("WorkforceArn") in (None, arn)]


def _user_pool(client_for: ClientFor, cognito: Mapping[str, Any]) -> dict[str, Any] | None:
    pool_id = cognito.get("UserPool")
    if not isinstance(pool_id, str) or not pool_id:
        return None
    client = client_for("cognito-idp")
    answer = _call(
        "cognito-idp:DescribeUserPool", lambda: client.describe_user_pool(UserPoolId=pool_id)
    )
    pool = _member(answer, "UserPool", "cognito-idp:DescribeUserPool")
    mfa = dict(
        _call(
            "cognito-idp:GetUserPoolMfaConfig",
            lambda: client.get_user_pool_mfa_config(UserPoolId=pool_id),
        )
    )
    mfa.pop("ResponseMetadata", None)
    if "MfaConfiguration" not in mfa:  # always answered (OFF, ON, OPTIONAL): the body was not
        raise RelatedCallFailed(
            "cognito-idp:GetUserPoolMfaConfig",
            MalformedResponse("GetUserPoolMfaConfig response has no MfaConfiguration"),
        )
    pool["MfaConfig"] = mfa
    return pool


def _member(answer: Any, member: str, action: str) -> dict[str, Any]:
    """The object ``member`` of a Cognito answer. botocore turns a 200 whose body is not JSON
    into an empty answer, which must not read as a pool without settings."""
    found = answer.get(member) if isinstance(answer, Mapping) else None
    if not isinstance(found, Mapping):
        operation = action.split(":", 1)[1]
        raise RelatedCallFailed(
            action, MalformedResponse(f"{operation} response has no {member} object")
        )
    return dict(found)


def _user_pool_client(client_for: ClientFor, cognito: Mapping[str, Any]) -> dict[str, Any] | None:
    pool_id, client_id = cognito.get("UserPool"), cognito.get("ClientId")
    if not isinstance(pool_id, str) or not isinstance(client_id, str) or not pool_id:
        return None
    action = "cognito-idp:DescribeUserPoolClient"
    answer = _call(
        action,
        lambda: client_for("cognito-idp").describe_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id
        ),
    )
    found = _member(answer, "UserPoolClient", action)
    return {key: value for key, value in found.items() if key not in SECRET_FIELDS}


def _ec2_list(
    client_for: ClientFor, operation: str, filter_name: str, ids: Any
) -> list[dict[str, Any]]:
    """The resources with these ids, in the order the workforce names them."""
    wanted = [item for item in ids or () if isinstance(item, str)]
    if not wanted:
        return []
    key = {
        "describe_security_groups": ("SecurityGroups", "GroupId", "ec2:DescribeSecurityGroups"),
        "describe_subnets": ("Subnets", "SubnetId", "ec2:DescribeSubnets"),
    }[operation]

    def every_page() -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        paginator = client_for("ec2").get_paginator(operation)
        for page in paginator.paginate(Filters=[{"Name": filter_name, "Values": wanted}]):
            for item in page.get(key[0]) or ():
                if isinstance(item, dict):
                    found[str(item.get(key[1]))] = item
        return found

    found = _call(key[2], every_page)
    return [found[item] for item in dict.fromkeys(wanted) if item in found]


def _vpc_endpoint(client_for: ClientFor, endpoint_id: Any) -> dict[str, Any] | None:
    if not isinstance(endpoint_id, str) or not endpoint_id:
        return None

    def every_page() -> dict[str, Any] | None:
        paginator = client_for("ec2").get_paginator("describe_vpc_endpoints")
        filters = [{"Name": "vpc-endpoint-id", "Values": [endpoint_id]}]
        for page in paginator.paginate(Filters=filters):
            for item in page.get("VpcEndpoints") or ():
                if isinstance(item, dict) and item.get("VpcEndpointId") == endpoint_id:
                    return item
        return None  # not found: the rules that need it fail on its absence

    found: dict[str, Any] | None = _call("ec2:DescribeVpcEndpoints", every_page)
    return found


def _plain(value: Any) -> Any:
    """JSON values only: timestamps as ISO-8601 UTC text, secrets dropped."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Mapping):
        return {
            str(key): _plain(item)
            for key, item in value.items()
            if key not in SECRET_FIELDS and key != "ResponseMetadata"
        }
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
