"""A loopback AWS endpoint for tests and benchmarks: real boto3 talks to it over HTTP.

It speaks just enough of five protocols for wfcheck's live source:

- SageMaker ``ListWorkforces`` (JSON 1.1: ``POST /``, ``X-Amz-Target: SageMaker.ListWorkforces``,
  ``application/x-amz-json-1.1``) with real, opaque ``NextToken`` pagination, NameContains,
  SortBy, SortOrder and MaxResults (1-100, validated like the service), and ``ListWorkteams``
  (paginated two teams a page);
- the related resources of each workforce, taken from its ``Related`` member (which
  ListWorkforces never returns): Cognito ``DescribeUserPool``, ``GetUserPoolMfaConfig``,
  ``DescribeUserPoolClient`` (JSON 1.1, ``AWSCognitoIdentityProviderService.*``) and EC2
  ``DescribeSecurityGroups``, ``DescribeSubnets``, ``DescribeVpcEndpoints`` (EC2 query protocol:
  ``Filter.N.Name``/``Filter.N.Value.M`` in, XML out, serialized from botocore's own output
  shapes so every member has the name the real service gives it);
- STS ``AssumeRole`` (query protocol, XML), issuing keys that name the account;
- Organizations ``ListAccounts`` (JSON 1.1, paginated);
- EC2 ``DescribeRegions`` (EC2 query protocol, XML);
- IAM Identity Center (SSO) ``GetRoleCredentials`` (REST-JSON, ``GET /federation/credentials``,
  unsigned, the SSO access token in ``x-amz-sso_bearer_token``), for profiles that log in with
  ``aws sso login``.

The caller's access key and region come from the SigV4 ``Authorization`` header, so the account
and region of every request are what boto3 signed. :class:`Behaviour` injects latency,
throttling, 500s, AccessDenied per region, hangs and malformed bodies. Run it standalone for the
benchmark: ``python -m tests.aws_server --latency 0.05 --count 2 [--related-estate]`` prints its
URL, and when stdin closes, the requests it answered.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

DEFAULT_ACCOUNT = "123456789012"
SSO_TOKEN = "sso-access-token"
REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
    "me-south-1",
    "af-south-1",
)
RELATED_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_ROLE_ACCOUNT = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/")


def workforce(
    name: str, account: str, region: str, created: float = 1761000000.0, **extra: Any
) -> dict[str, Any]:
    """A ListWorkforces entry as the API returns it (timestamps as epoch seconds)."""
    item: dict[str, Any] = {
        "WorkforceName": name,
        "WorkforceArn": f"arn:aws:sagemaker:{region}:{account}:workforce/{name}",
        "LastUpdatedDate": created + 3600,
        "SourceIpConfig": {"Cidrs": ["203.0.113.0/24"]},
        "SubDomain": f"{name}.labeling.{region}.sagemaker.aws",
        "CreateDate": created,
        "Status": "Active",
        "OidcConfig": {
            "ClientId": "client",
            "Issuer": "https://idp.example.com",
            "AuthorizationEndpoint": "https://idp.example.com/authorize",
            "TokenEndpoint": "https://idp.example.com/token",
            "UserInfoEndpoint": "https://idp.example.com/userinfo",
            "LogoutEndpoint": "https://idp.example.com/logout",
            "JwksUri": "https://idp.example.com/keys",
        },
    }
    item.update(extra)
    return item


@dataclass
class Behaviour:
    """What the fake AWS does. Keys of the fault maps are ``region``, ``account`` or
    ``account/region``; a count of -1 means forever."""

    workforces: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    count: int = 0  # generated workforces per account x region without an explicit list
    # generated workforces use Cognito and a VPC, with a full set of related resources
    # (2 teams, a pool and its client, 2 security groups, 2 subnets, an endpoint): the benchmark
    related_estate: bool = False
    latency: float = 0.0
    throttle: dict[str, int] = field(default_factory=dict)
    server_errors: dict[str, int] = field(default_factory=dict)
    access_denied: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)
    malformed: set[str] = field(default_factory=set)
    expired_token: set[str] = field(default_factory=set)
    deny_assume_role: set[str] = field(default_factory=set)
    credential_lifetime: int = 3600
    enabled_regions: dict[str, list[str]] = field(default_factory=dict)  # account -> regions
    deny_describe_regions: bool = False
    org_accounts: list[dict[str, Any]] = field(default_factory=list)
    deny_list_accounts: bool = False
    org_page_size: int = 2
    sso_tokens: set[str] = field(default_factory=lambda: {SSO_TOKEN})  # the tokens it accepts
    # ``Action``, ``region/Action`` or ``account/region/Action`` -> denied|throttled|malformed
    related_faults: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    service: str
    action: str
    account: str
    region: str
    access_key: str
    params: dict[str, Any]


def _matches(keys: set[str] | dict[str, int], account: str, region: str) -> str | None:
    for key in (f"{account}/{region}", account, region):
        if key in keys:
            return key
    return None


class FakeAws:
    """The server and its state; use as a context manager (``with FakeAws(b) as aws: aws.url``)."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.calls: list[Call] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0  # TCP connections accepted
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._keys: dict[str, str] = {}
        self._issued = 0
        self._throttled: dict[str, int] = {}
        self._failed: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 256
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    _serving: ClassVar[list[FakeAws]] = []
    """Servers entered and not yet closed, oldest first (they may close in any order)."""
    _environment_before: ClassVar[dict[str, str | None]] = {}

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAws:
        """Serve; while serving, botocore's per-service endpoint variables send the related
        resources' services (Cognito, EC2) here too, as a user's private endpoints would."""
        self._thread.start()
        if not FakeAws._serving:
            FakeAws._environment_before = {
                name: os.environ.get(name) for name in RELATED_ENDPOINT_VARIABLES
            }
        FakeAws._serving.append(self)
        self._point_endpoints()
        return self

    @staticmethod
    def _point_endpoints() -> None:
        """The variables name the newest server still serving, else what they were before any
        (servers of nested fixtures close in any order; none may leave a dead server named)."""
        newest = FakeAws._serving[-1].url if FakeAws._serving else None
        for name in RELATED_ENDPOINT_VARIABLES:
            value = FakeAws._environment_before.get(name) or newest  # a caller's value wins
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and put the endpoint variables back (a fixture that only closes must
        not leave the next test's Cognito calls pointed at this dead server)."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        if self in FakeAws._serving:
            FakeAws._serving.remove(self)
            self._point_endpoints()

    def calls_to(self, action: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.action == action]

    # --- bookkeeping ---------------------------------------------------------------------

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _count(
        self, faults: dict[str, int], used: dict[str, int], account: str, region: str
    ) -> bool:
        key = _matches(faults, account, region)
        if key is None:
            return False
        with self._lock:
            limit = faults[key]
            if limit >= 0 and used.get(key, 0) >= limit:
                return False
            used[key] = used.get(key, 0) + 1
            return True

    def account_for(self, access_key: str) -> str:
        with self._lock:
            return self._keys.get(access_key, DEFAULT_ACCOUNT)

    def workforces_for(self, account: str, region: str) -> list[dict[str, Any]]:
        explicit = self.behaviour.workforces.get((account, region))
        if explicit is not None:
            return explicit
        make = related_workforce if self.behaviour.related_estate else workforce
        return [
            make(f"wf-{index:03d}", account, region, 1761000000.0 + index * 86400)
            for index in range(self.behaviour.count)
        ]

    # --- dispatch ------------------------------------------------------------------------

    def get_role_credentials(self, path: str, headers: Any) -> tuple[int, str, bytes]:
        """SSO GetRoleCredentials: keys for the account asked for, if the token is accepted."""
        url = urlsplit(path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        account = query.get("account_id", "")
        with self._lock:
            self.calls.append(Call("sso", "GetRoleCredentials", account, "", "", query))
        if url.path != "/federation/credentials" or not account:
            return _json_error(404, "ResourceNotFoundException", "unknown SSO operation")
        if headers.get("x-amz-sso_bearer_token") not in self.behaviour.sso_tokens:
            return _rest_error(401, "UnauthorizedException", "Session token not found or invalid")
        key = self._issue_key(account)
        expires = datetime.now(timezone.utc) + timedelta(seconds=self.behaviour.credential_lifetime)
        credentials = {
            "accessKeyId": key,
            "secretAccessKey": "dummy-secret-key",
            "sessionToken": "dummy-session-token",
            "expiration": int(expires.timestamp() * 1000),
        }
        return 200, "application/json", json.dumps({"roleCredentials": credentials}).encode()

    def _issue_key(self, account: str) -> str:
        with self._lock:
            self._issued += 1
            key = f"ASIA{account}{self._issued:04d}"
            self._keys[key] = account
        return key

    def handle(self, headers: Any, body: bytes) -> tuple[int, str, bytes] | None:
        """(status, content type, body), or None to hang until the server closes."""
        match = _CREDENTIAL.search(headers.get("Authorization") or "")
        if not match:
            return _json_error(403, "MissingAuthenticationTokenException", "no SigV4 signature")
        access_key, region, service = match.groups()
        account = self.account_for(access_key)
        target = headers.get("X-Amz-Target") or ""
        if target:
            action = target.split(".", 1)[-1]
            params = json.loads(body or b"{}")
        else:
            form = parse_qs(body.decode("utf-8"))
            params = {key: values[0] for key, values in form.items()}
            action = params.get("Action", "")
        with self._lock:
            self.calls.append(Call(service, action, account, region, access_key, params))
        if self.behaviour.latency:
            time.sleep(self.behaviour.latency)
        if service == "sagemaker" and action == "ListWorkforces":
            return self.list_workforces(account, region, params)
        if action in RELATED_ACTIONS:
            return self.related(action, account, region, params)
        if service == "sts" and action == "AssumeRole":
            return self.assume_role(params)
        if service == "organizations" and action == "ListAccounts":
            return self.list_accounts(params)
        if service == "ec2" and action == "DescribeRegions":
            return self.describe_regions(account)
        return _json_error(400, "UnknownOperationException", f"{service} {action}")

    def list_workforces(
        self, account: str, region: str, params: dict[str, Any]
    ) -> tuple[int, str, bytes] | None:
        b = self.behaviour
        if _matches(b.hang, account, region):
            self._stop.wait(60)
            return None
        if _matches(b.access_denied, account, region):
            return _json_error(
                400,
                "AccessDeniedException",
                f"User is not authorized to perform: sagemaker:ListWorkforces in {region}",
            )
        if _matches(b.expired_token, account, region):
            return _json_error(
                400,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            )
        if self._count(b.throttle, self._throttled, account, region):
            return _json_error(400, "ThrottlingException", "Rate exceeded")
        if self._count(b.server_errors, self._failed, account, region):
            return _json_error(500, "InternalFailure", "We encountered an internal error.")
        if _matches(b.malformed, account, region):
            return 200, "application/x-amz-json-1.1", b'{"Workforces": [{"WorkforceName": "x"'
        size = params.get("MaxResults", 10)
        if not isinstance(size, int) or not 1 <= size <= 100:
            return _json_error(400, "ValidationException", "MaxResults must be 1-100")
        items = list(self.workforces_for(account, region))
        needle = params.get("NameContains")
        if needle:
            items = [item for item in items if needle in item["WorkforceName"]]
        sort_by = params.get("SortBy", "CreateDate")
        field_name = "WorkforceName" if sort_by == "Name" else "CreateDate"
        items.sort(
            key=lambda item: item[field_name],
            reverse=params.get("SortOrder", "Descending") == "Descending",
        )
        query = hashlib.sha256(
            json.dumps([account, region, needle, sort_by, params.get("SortOrder")]).encode()
        ).hexdigest()[:8]
        start = 0
        if params.get("NextToken"):
            try:
                decoded = json.loads(base64.b64decode(params["NextToken"]))
                start, token_query = int(decoded["offset"]), decoded["query"]
            except (ValueError, KeyError, TypeError):
                return _json_error(400, "ValidationException", "Invalid NextToken")
            if token_query != query:
                return _json_error(400, "ValidationException", "NextToken does not match")
        page = [
            {k: v for k, v in item.items() if k != "Related"}
            for item in items[start : start + size]
        ]
        output: dict[str, Any] = {"Workforces": page}
        if start + size < len(items):
            output["NextToken"] = base64.b64encode(
                json.dumps({"offset": start + size, "query": query}).encode()
            ).decode()
        return 200, "application/x-amz-json-1.1", json.dumps(output).encode()

    def related_of(self, account: str, region: str) -> list[dict[str, Any]]:
        """The ``Related`` members of the unit's workforces (generated ones get a full set)."""
        found = []
        for item in self.workforces_for(account, region):
            related = item.get("Related")
            if related is None and item not in self.behaviour.workforces.get((account, region), ()):
                related = generated_related(item)
            if isinstance(related, dict):
                found.append(related)
        return found

    def related(
        self, action: str, account: str, region: str, params: dict[str, Any]
    ) -> tuple[int, str, bytes]:
        """One related-resource call, answered from the unit's ``Related`` members."""
        service, member, output_member, id_field = RELATED_ACTIONS[action]
        faults = self.behaviour.related_faults
        fault = next(
            (
                faults[key]
                for key in (f"{account}/{region}/{action}", f"{region}/{action}", action)
                if key in faults
            ),
            None,
        )
        if fault == "denied":
            message = f"User is not authorized to perform: {service}:{action}"
            if service == "ec2":
                return _ec2_error(403, "UnauthorizedOperation", message)
            return _json_error(400, "AccessDeniedException", message)
        if fault == "throttled":
            if service == "ec2":
                return _ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.")
            code = "ThrottlingException" if service == "sagemaker" else "TooManyRequestsException"
            return _json_error(400, code, "Rate exceeded")
        if fault == "malformed":
            if service == "ec2":
                return 200, "text/xml", b"<DescribeResponse><item>"
            return 200, "application/x-amz-json-1.1", b'{"UserPool": {'
        everything = self.related_of(account, region)
        if action == "ListWorkteams":
            teams = [team for related in everything for team in related.get("Workteams", [])]
            start = int(params.get("NextToken") or 0)
            output: dict[str, Any] = {"Workteams": teams[start : start + 2]}
            if start + 2 < len(teams):
                output["NextToken"] = str(start + 2)
            return 200, "application/x-amz-json-1.1", json.dumps(output).encode()
        if service == "cognito-idp":
            return self.cognito(action, everything, params)
        wanted = set(_filter_values(params))
        items = {}
        for related in everything:
            value = related.get(member)
            for item in value if isinstance(value, list) else [value] if value else []:
                key = item.get(id_field)
                if key in wanted:
                    items[key] = item
        listed = [items[key] for key in sorted(items)]
        return 200, "text/xml", ec2_xml(action, {output_member: listed})

    def cognito(
        self, action: str, everything: list[dict[str, Any]], params: dict[str, Any]
    ) -> tuple[int, str, bytes]:
        pool_id = params.get("UserPoolId")
        for related in everything:
            pool = related.get("UserPool") or {}
            if pool.get("Id") != pool_id:
                continue
            if action == "DescribeUserPool":
                body = {"UserPool": {k: v for k, v in pool.items() if k != "MfaConfig"}}
            elif action == "GetUserPoolMfaConfig":
                body = dict(pool.get("MfaConfig") or {"MfaConfiguration": "OFF"})
            else:
                client = related.get("UserPoolClient") or {}
                if client.get("ClientId") != params.get("ClientId"):
                    break
                body = {"UserPoolClient": {**client, "ClientSecret": CLIENT_SECRET}}
            return 200, "application/x-amz-json-1.1", json.dumps(body).encode()
        return _json_error(400, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")

    def assume_role(self, params: dict[str, Any]) -> tuple[int, str, bytes]:
        role = str(params.get("RoleArn", ""))
        match = _ROLE_ACCOUNT.match(role)
        if not match:
            return _xml_error(400, "ValidationError", f"bad RoleArn {role}")
        account = match[1]
        if account in self.behaviour.deny_assume_role:
            return _xml_error(
                403, "AccessDenied", f"User is not authorized to perform: sts:AssumeRole on {role}"
            )
        key = self._issue_key(account)
        expires = datetime.now(timezone.utc) + timedelta(seconds=self.behaviour.credential_lifetime)
        body = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<AssumeRoleResult><Credentials>"
            f"<AccessKeyId>{key}</AccessKeyId>"
            "<SecretAccessKey>dummy-secret-key</SecretAccessKey>"
            "<SessionToken>dummy-session-token</SessionToken>"
            f"<Expiration>{expires.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>"
            "</Credentials><AssumedRoleUser>"
            f"<AssumedRoleId>AROAEXAMPLE:{escape(str(params.get('RoleSessionName')))}"
            "</AssumedRoleId>"
            f"<Arn>arn:aws:sts::{account}:assumed-role/x/y</Arn>"
            "</AssumedRoleUser></AssumeRoleResult>"
            "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
            "</AssumeRoleResponse>"
        )
        return 200, "text/xml", body.encode()

    def list_accounts(self, params: dict[str, Any]) -> tuple[int, str, bytes]:
        if self.behaviour.deny_list_accounts:
            return _json_error(
                400, "AccessDeniedException", "You don't have permissions to access this resource."
            )
        start = int(params.get("NextToken") or 0)
        size = min(
            int(params.get("MaxResults") or self.behaviour.org_page_size),
            self.behaviour.org_page_size,
        )
        accounts = self.behaviour.org_accounts
        output: dict[str, Any] = {"Accounts": accounts[start : start + size]}
        if start + size < len(accounts):
            output["NextToken"] = str(start + size)
        return 200, "application/x-amz-json-1.1", json.dumps(output).encode()

    def describe_regions(self, account: str) -> tuple[int, str, bytes]:
        if self.behaviour.deny_describe_regions:
            body = (
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                "<Message>You are not authorized to perform this operation.</Message>"
                "</Error></Errors><RequestID>r-1</RequestID></Response>"
            )
            return 403, "text/xml", body.encode()
        regions = self.behaviour.enabled_regions.get(account, list(REGIONS))
        items = "".join(
            f"<item><regionName>{name}</regionName>"
            f"<regionEndpoint>ec2.{name}.amazonaws.com</regionEndpoint>"
            "<optInStatus>opt-in-not-required</optInStatus></item>"
            for name in regions
        )
        body = (
            '<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            f"<requestId>r-1</requestId><regionInfo>{items}</regionInfo>"
            "</DescribeRegionsResponse>"
        )
        return 200, "text/xml", body.encode()


CLIENT_SECRET = "wfcheck-test-client-secret-must-never-appear"
"""What DescribeUserPoolClient answers as ``ClientSecret``: no output may ever contain it."""

RELATED_ACTIONS: dict[str, tuple[str, str, str, str]] = {
    "ListWorkteams": ("sagemaker", "Workteams", "Workteams", "WorkteamName"),
    "DescribeUserPool": ("cognito-idp", "UserPool", "UserPool", "Id"),
    "GetUserPoolMfaConfig": ("cognito-idp", "UserPool", "", "Id"),
    "DescribeUserPoolClient": ("cognito-idp", "UserPoolClient", "UserPoolClient", "ClientId"),
    "DescribeSecurityGroups": ("ec2", "SecurityGroups", "SecurityGroups", "GroupId"),
    "DescribeSubnets": ("ec2", "Subnets", "Subnets", "SubnetId"),
    "DescribeVpcEndpoints": ("ec2", "VpcEndpoint", "VpcEndpoints", "VpcEndpointId"),
}
"""action -> (service, member of Related, output member, id field)."""


def _filter_values(params: dict[str, Any]) -> list[str]:
    """The values of every ``Filter.N.Value.M`` of an EC2 query request."""
    return [value for key, value in params.items() if re.match(r"^Filter\.\d+\.Value\.\d+$", key)]


def ec2_xml(action: str, output: dict[str, Any]) -> bytes:
    """An EC2 response body for ``output`` (API member names), serialized by the operation's
    output shape the way the service does: ``locationName`` elements, lists of ``item``."""
    import botocore.session

    model = _ec2_model(botocore.session)
    shape = model.operation_model(action).output_shape
    name = f"{action}Response"
    return (
        f'<{name} xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>'
        f"{_xml_members(shape, output)}</{name}>"
    ).encode()


_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()


def _ec2_model(session_module: Any) -> Any:
    """The EC2 model, loaded once: without the lock, every request of the first concurrent
    burst loads it (a second of the shared CPUs each, against the scan being measured)."""
    with _MODELS_LOCK:
        if "ec2" not in _MODELS:
            _MODELS["ec2"] = session_module.get_session().get_service_model("ec2")
        return _MODELS["ec2"]


def _xml_members(shape: Any, value: dict[str, Any]) -> str:
    out = []
    for member, member_shape in shape.members.items():
        if member not in value or value[member] is None:
            continue
        tag = member_shape.serialization.get("name") or member[0].lower() + member[1:]
        out.append(f"<{tag}>{_xml_value(member_shape, value[member])}</{tag}>")
    return "".join(out)


def _xml_value(shape: Any, value: Any) -> str:
    if shape.type_name == "structure":
        return _xml_members(shape, value)
    if shape.type_name == "list":
        tag = shape.member.serialization.get("name", "item")
        return "".join(f"<{tag}>{_xml_value(shape.member, item)}</{tag}>" for item in value)
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp" and isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return escape(str(value))


def related_workforce(
    name: str, account: str, region: str, created: float = 1761000000.0
) -> dict[str, Any]:
    """A generated Cognito workforce in a VPC (two security groups, two subnets, an endpoint):
    every related kind has something to read (see :func:`generated_related`)."""
    item = workforce(name, account, region, created)
    del item["OidcConfig"]
    digest = hashlib.sha256(f"{account}/{region}/{name}".encode()).hexdigest()
    item["CognitoConfig"] = {"UserPool": f"{region}_{digest[:9]}", "ClientId": digest[:26]}
    item["WorkforceVpcConfig"] = {
        "VpcId": f"vpc-{digest[:17]}",
        "SecurityGroupIds": [f"sg-{digest[:16]}{index}" for index in range(2)],
        "Subnets": [f"subnet-{digest[:16]}{index}" for index in range(2)],
        "VpcEndpointId": f"vpce-{digest[:17]}",
    }
    return item


def generated_related(item: dict[str, Any]) -> dict[str, Any]:
    """A full set of related resources for a generated workforce (the benchmark's estate)."""
    name, arn = item["WorkforceName"], item["WorkforceArn"]
    cognito = item.get("CognitoConfig")
    members = (
        [{"CognitoMemberDefinition": {**cognito, "UserGroup": "labelers"}}]
        if cognito
        else [{"OidcMemberDefinition": {"Groups": ["labelers"]}}]
    )
    teams = [
        {
            "WorkteamName": f"{name}-team-{index}",
            "WorkteamArn": arn.replace(":workforce/", ":workteam/private-crowd/") + f"-{index}",
            "WorkforceArn": arn,
            "MemberDefinitions": members,
            "Description": "labelers",
            "CreateDate": 1761000000.0,
            "NotificationConfiguration": {"NotificationTopicArn": f"{arn}-tasks"},
            "WorkerAccessConfiguration": {
                "S3Presign": {
                    "IamPolicyConstraints": {"SourceIp": "Enabled", "VpcSourceIp": "Enabled"}
                }
            },
        }
        for index in range(2)
    ]
    vpc = item.get("WorkforceVpcConfig") or {}
    groups = [
        {"GroupId": gid, "GroupName": gid, "Description": "workforce", "VpcId": vpc.get("VpcId"),
         "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                            "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]}
        for gid in vpc.get("SecurityGroupIds", [])
    ]  # fmt: skip
    subnets = [
        {"SubnetId": sid, "VpcId": vpc.get("VpcId"), "AvailabilityZone": f"az-{index}",
         "CidrBlock": f"10.0.{index}.0/24", "State": "available"}
        for index, sid in enumerate(vpc.get("Subnets", []))
    ]  # fmt: skip
    endpoint = vpc.get("VpcEndpointId")
    related: dict[str, Any] = {"Workteams": teams, "SecurityGroups": groups, "Subnets": subnets}
    if endpoint:
        related["VpcEndpoint"] = {"VpcEndpointId": endpoint, "State": "available"}
    if cognito:
        related["UserPool"] = {
            "Id": cognito["UserPool"],
            "Name": f"{name}-pool",
            "MfaConfiguration": "ON",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "Policies": {"PasswordPolicy": {"MinimumLength": 14, "RequireUppercase": True,
                                            "RequireLowercase": True, "RequireNumbers": True,
                                            "RequireSymbols": True}},
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
            "CreationDate": 1761000000.0,
            "MfaConfig": {"MfaConfiguration": "ON",
                          "SoftwareTokenMfaConfiguration": {"Enabled": True}},
        }  # fmt: skip
        related["UserPoolClient"] = {
            "UserPoolId": cognito["UserPool"],
            "ClientId": cognito["ClientId"],
            "ClientName": f"{name}-client",
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
        }
    return related


def _ec2_error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
    body = (
        f"<Response><Errors><Error><Code>{code}</Code><Message>{escape(message)}</Message>"
        "</Error></Errors><RequestID>r-1</RequestID></Response>"
    )
    return status, "text/xml", body.encode()


def _json_error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
    return (
        status,
        "application/x-amz-json-1.1",
        json.dumps({"__type": code, "message": message}).encode(),
    )


def _rest_error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
    """A REST-JSON error (botocore reads the code from ``__type``)."""
    return status, "application/json", json.dumps({"message": message, "__type": code}).encode()


def _xml_error(status: int, code: str, message: str) -> tuple[int, str, bytes]:
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
        f"<Message>{escape(message)}</Message></Error><RequestId>r-1</RequestId>"
        "</ErrorResponse>"
    )
    return status, "text/xml", body.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        return

    def setup(self) -> None:
        super().setup()
        fake: FakeAws = self.server.fake  # type: ignore[attr-defined]
        with fake._lock:
            fake.connections += 1

    def do_POST(self) -> None:
        fake: FakeAws = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fake._enter()
        try:
            answer = fake.handle(self.headers, body)
        finally:
            fake._leave()
        if answer is None:
            self.close_connection = True
            return
        self._answer(*answer)

    def do_GET(self) -> None:
        fake: FakeAws = self.server.fake  # type: ignore[attr-defined]
        self._answer(*fake.get_role_credentials(self.path, self.headers))

    def _answer(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "r-1")
        self.end_headers()
        self.wfile.write(payload)


def org_account(account_id: str, name: str = "", state: str = "ACTIVE") -> dict[str, Any]:
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::{DEFAULT_ACCOUNT}:account/o-1/{account_id}",
        "Email": f"{account_id}@example.com",
        "Name": name or account_id,
        "Status": state,
        "State": state,
        "JoinedMethod": "CREATED",
        "JoinedTimestamp": 1700000000.0,
    }


def accounts(n: int) -> Iterator[str]:
    """``n`` distinct 12-digit account ids."""
    for index in range(n):
        yield f"{100000000000 + index * 1111:012d}"


def main(argv: list[str] | None = None) -> int:
    """Serve until stdin closes (the benchmark's way to stop it), then print the requests it
    answered, per action, and the CPU seconds it used, as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument(
        "--related-estate",
        action="store_true",
        help="generated workforces use Cognito and a VPC, with every related resource",
    )
    args = parser.parse_args(argv)
    fake = FakeAws(
        Behaviour(count=args.count, latency=args.latency, related_estate=args.related_estate)
    )
    with fake:
        print(fake.url, flush=True)
        sys.stdin.read()
    by_action: dict[str, int] = {}
    for call in fake.calls:
        by_action[call.action] = by_action.get(call.action, 0) + 1
    answered = {"calls": len(fake.calls), "by_action": by_action, "cpu": time.process_time()}
    print(json.dumps(answered), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def live_args(fake: FakeAws, *extra: str) -> list[str]:
    """Command-line options pointing every AWS call at ``fake`` (quick timeouts for tests)."""
    return ["--endpoint-url", fake.url, "--sts-endpoint-url", fake.url, "--timeout", "5", *extra]
