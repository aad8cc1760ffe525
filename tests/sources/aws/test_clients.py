"""Clients and the credentials they start from (checker/sources/aws/clients.py and
checker/awsapi/), through real botocore: its credential chain, real AWS config files and SSO
token caches under a temporary HOME, and the loopback server for STS and IAM Identity Center
(SSO).

A live scan resolves the base credentials once, before any unit: missing credentials, an
unknown profile or an expired SSO login is one line and exit 2 with no request to SageMaker;
anything else still ends as results or error entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.aws_server import SSO_TOKEN, FakeAws, live_args
from tests.conftest import NOW, ROOT
from tests.helpers import CliResult, run_cli

SSO_ACCOUNT = "111111111111"
ROLE_ACCOUNT = "222222222222"
START_URL = "https://example.awsapps.com/start"
NO_CREDENTIALS = (
    "wfcheck: error: no AWS credentials found: set AWS_PROFILE or "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run 'aws sso login', or run on a host with an "
    "instance role\n"
)
PROFILES = f"""\
    [profile dev]
    sso_start_url = {START_URL}
    sso_region = us-east-1
    sso_account_id = {SSO_ACCOUNT}
    sso_role_name = Reader
    region = us-east-1

    [profile modern]
    sso_session = corp
    sso_account_id = {SSO_ACCOUNT}
    sso_role_name = Reader

    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = us-east-1
    sso_registration_scopes = sso:account:access

    [profile empty]
    region = us-east-1

    [profile broken]
    credential_process = {sys.executable} -c "import sys; sys.exit('token service said no')"

    [profile base]
    aws_access_key_id = AKIABASEEXAMPLE
    aws_secret_access_key = base-secret

    [profile auditor]
    role_arn = arn:aws:iam::{ROLE_ACCOUNT}:role/audit
    source_profile = base
"""


@dataclass
class AwsHome:
    """A temporary HOME with an AWS config file and an SSO token cache."""

    home: Path

    def sso_token(self, key: str, expires: str, **extra: str) -> None:
        """Cache an SSO access token the way ``aws sso login`` does (file named by SHA-1)."""
        cache = self.home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        token = {"startUrl": START_URL, "region": "us-east-1", "accessToken": SSO_TOKEN}
        token.update(expiresAt=expires, **extra)
        name = hashlib.sha1(key.encode()).hexdigest() + ".json"
        (cache / name).write_text(json.dumps(token))


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AwsHome:
    """No credentials in the environment; the profiles above in a real config file."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(textwrap.dedent(PROFILES))
    (home / ".aws" / "credentials").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    # botocore computes its SSO token cache directory from HOME once, when imported; a fresh
    # wfcheck process would compute this one (test_expired_sso_login_in_a_fresh_process).
    from botocore.credentials import SSOProvider
    from botocore.tokens import SSOTokenProvider

    cache = str(home / ".aws" / "sso" / "cache")
    monkeypatch.setattr(SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setattr(SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    return AwsHome(home)


def run(fake: FakeAws, *argv: str) -> CliResult:
    return run_cli(argv[0], "--now", NOW, *live_args(fake), *argv[1:])


def assert_one_line_before_any_read(result: CliResult, fake: FakeAws) -> None:
    assert result.code == 2, result.err
    assert result.err.startswith("wfcheck: error: ")
    assert result.err.count("\n") == 1, result.err
    assert result.out == ""
    assert fake.calls_to("ListWorkforces") == []
    assert fake.calls_to("DescribeRegions") == []


def accounts_file(tmp_path: Path) -> str:
    path = tmp_path / "accounts.yaml"
    ids = "".join(f'  - id: "{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}{n}"\n' for n in range(3, 8))
    path.write_text(f"defaults: {{role_name: audit, regions: all}}\naccounts:\n{ids}")
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--format", "json", "--region", "all"],
        ["scan", "--region", "us-east-1", "--region", "eu-west-1", "--workers", "1"],
        ["scan", "--accounts", "ACCOUNTS"],
        ["scan", "--org", "--role-name", "audit", "--region", "all"],
        ["fetch", "--region", "all", "--output", "SNAPSHOT"],
    ],
)
def test_no_credentials_is_one_line_before_any_request(
    start: Any, aws_home: AwsHome, tmp_path: Path, command: list[str]
) -> None:
    fake = start(count=1)
    snapshot = tmp_path / "snapshot.json"
    names = {"ACCOUNTS": accounts_file(tmp_path), "SNAPSHOT": str(snapshot)}
    result = run(fake, *[names.get(arg, arg) for arg in command])
    assert result.err == NO_CREDENTIALS
    assert_one_line_before_any_read(result, fake)
    assert fake.calls == []  # not even Organizations or STS
    assert not snapshot.exists()


def revoked(fake: FakeAws) -> None:
    fake.behaviour.sso_tokens = set()


@dataclass(frozen=True)
class Case:
    """A credentials setup that cannot work, and the line wfcheck answers with."""

    argv: tuple[str, ...]
    message: str
    cause: str | None  # the botocore exception behind it (None: the chain found nothing)
    env: tuple[tuple[str, str], ...] = ()
    token: tuple[str, str] | None = None  # (cache key, expiresAt) of a cached SSO token
    server: Callable[[FakeAws], None] | None = None


DEV_LOGIN = "the AWS SSO login of profile 'dev' has expired or was never made: "
DEV_LOGIN += "run 'aws sso login --profile dev'"
CASES = {
    "sso token expired": Case(
        ("--profile", "dev"),
        DEV_LOGIN,
        "UnauthorizedSSOTokenError",
        token=(START_URL, "2020-01-01T00:00:00Z"),
    ),
    "sso token expired, AWS_PROFILE": Case(
        (),
        DEV_LOGIN,
        "UnauthorizedSSOTokenError",
        env=(("AWS_PROFILE", "dev"),),
        token=(START_URL, "2020-01-01T00:00:00Z"),
    ),
    "sso never logged in": Case(("--profile", "dev"), DEV_LOGIN, "SSOTokenLoadError"),
    "sso token refused by the portal": Case(
        ("--profile", "dev"),
        DEV_LOGIN,
        "UnauthorizedSSOTokenError",
        token=(START_URL, "2099-01-01T00:00:00Z"),
        server=revoked,
    ),
    "sso-session token expired": Case(
        ("--profile", "modern"),
        "the AWS SSO login of profile 'modern' has expired or was never made: "
        "run 'aws sso login --profile modern'",
        "TokenRetrievalError",
        token=("corp", "2020-01-01T00:00:00Z"),
    ),
    "unknown --profile": Case(
        ("--profile", "nope"),
        "AWS profile 'nope' (--profile) is not in the AWS config or credentials file: "
        "check the name with 'aws configure list-profiles'",
        "ProfileNotFound",
    ),
    "unknown AWS_PROFILE": Case(
        (),
        "AWS profile 'nope' (AWS_PROFILE) is not in",
        "ProfileNotFound",
        env=(("AWS_PROFILE", "nope"),),
    ),
    "profile without credentials": Case(
        ("--profile", "empty"),
        "no AWS credentials found for profile 'empty': give it keys",
        None,
    ),
    "half the key pair": Case(
        (),
        "incomplete AWS credentials (Partial credentials found in env, missing: "
        "AWS_SECRET_ACCESS_KEY): give both",
        "PartialCredentialsError",
        env=(("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),),
    ),
    "credential_process fails": Case(
        ("--profile", "broken"),
        "could not get the AWS credentials of profile 'broken': Error when retrieving "
        "credentials from custom-process: token service said no",
        "CredentialRetrievalError",
    ),
    "the profile's role is refused": Case(
        ("--profile", "auditor"),
        "could not get the AWS credentials of profile 'auditor': AccessDenied: User is not "
        f"authorized to perform: sts:AssumeRole on arn:aws:iam::{ROLE_ACCOUNT}:role/audit",
        "ClientError",
        server=lambda fake: fake.behaviour.deny_assume_role.add(ROLE_ACCOUNT),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
@pytest.mark.parametrize("command", ["scan", "fetch"])
def test_credentials_that_cannot_work_are_one_line_and_exit_2(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch, case: Case, command: str
) -> None:
    fake = start(count=1)
    prepare(case, fake, aws_home, monkeypatch)
    result = run(fake, command, *case.argv, "--region", "all")
    assert_one_line_before_any_read(result, fake)
    assert case.message in result.err
    assert "Traceback" not in result.err


def prepare(case: Case, fake: FakeAws, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", fake.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", fake.url)
    for name, value in case.env:
        monkeypatch.setenv(name, value)
    if case.token:
        aws_home.sso_token(*case.token)
    if case.server:
        case.server(fake)


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_each_case_is_the_failure_it_claims(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    """The same message covers several botocore failures: each case reaches the one named."""
    from checker.awsapi.credentials import require_credentials
    from checker.awsapi.errors import CredentialsError
    from checker.awsapi.session import base_session

    prepare(case, start(count=1), aws_home, monkeypatch)
    profile = case.argv[1] if case.argv else None
    with pytest.raises(CredentialsError) as caught:
        require_credentials(base_session(profile), profile)
    cause = caught.value.__cause__
    assert (type(cause).__name__ if cause else None) == case.cause
    assert case.message in str(caught.value)


def test_expired_sso_login_in_a_fresh_process(start: Any, aws_home: AwsHome) -> None:
    """What a user sees: a new wfcheck process, HOME with an expired ``aws sso login``."""
    fake = start(count=1)
    aws_home.sso_token(START_URL, "2020-01-01T00:00:00Z")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key != "HOME"
    }
    env.update(
        HOME=str(aws_home.home),
        AWS_CONFIG_FILE=str(aws_home.home / ".aws" / "config"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL_SSO=fake.url,
    )
    argv = ["scan", "--profile", "dev", "--region", "all", *live_args(fake)]
    done = subprocess.run(
        [sys.executable, "-m", "checker", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"wfcheck: error: {DEV_LOGIN}\n"
    assert fake.calls == []  # an expired token is known from the cache: no request at all


def test_a_valid_sso_login_is_used_and_resolved_once(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = start(count=2)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", fake.url)
    aws_home.sso_token(START_URL, "2099-01-01T00:00:00Z")
    regions = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"]
    argv = [arg for region in regions for arg in ("--region", region)]
    result = run(fake, "scan", "--format", "json", "--profile", "dev", *argv, "--workers", "4")
    assert result.code in (0, 1), result.err
    (sso,) = fake.calls_to("GetRoleCredentials")  # once, before the units, for all of them
    assert sso.params == {"role_name": "Reader", "account_id": SSO_ACCOUNT}
    calls = fake.calls_to("ListWorkforces")
    assert sorted(call.region for call in calls) == sorted(regions)
    assert {call.account for call in calls} == {SSO_ACCOUNT}  # signed with the SSO role's keys
    assert json.loads(result.out)["summary"]["records"] == 8


def test_a_profile_role_is_assumed_once_up_front(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = start(count=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", fake.url)
    result = run(
        fake, "fetch", "--profile", "auditor", "--region", "us-east-1", "--region", "eu-west-1"
    )
    assert result.code == 0, result.err
    (assume,) = fake.calls_to("AssumeRole")
    assert assume.access_key == "AKIABASEEXAMPLE"  # the source profile's keys
    assert {call.account for call in fake.calls_to("ListWorkforces")} == {ROLE_ACCOUNT}


def test_an_unreachable_sso_portal_is_not_a_usage_error(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network failure while fetching credentials may pass: every unit is still tried and
    ends as an error entry (exit 3), not as a configuration error."""
    fake = start(count=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
    aws_home.sso_token(START_URL, "2099-01-01T00:00:00Z")
    result = run(
        fake,
        "scan",
        "--format",
        "json",
        "--profile",
        "dev",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--max-attempts",
        "1",
    )
    assert result.code == 3, result.err
    report = json.loads(result.out)
    assert [(e["region"], e["code"]) for e in report["errors"]] == [
        ("eu-west-1", "EndpointConnectionError"),
        ("us-east-1", "EndpointConnectionError"),
    ]
    assert [u["status"] for u in report["units"]] == ["error", "error"]
    assert fake.calls_to("ListWorkforces") == []


def test_collector_processes_share_the_credentials_resolved_once(
    start: Any, aws_home: AwsHome, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions

    fake = start(count=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", fake.url)
    aws_home.sso_token(START_URL, "2099-01-01T00:00:00Z")
    path = tmp_path / "accounts.yaml"
    path.write_text(
        "defaults: {role_name: audit, regions: [us-east-1, eu-west-1]}\n"
        'accounts: [{id: "333333333333"}, {id: "444444444444"}, {id: "555555555555"}]\n'
    )
    options = LiveOptions(
        profile="dev", endpoint_url=fake.url, sts_endpoint_url=fake.url, accounts_file=str(path)
    )
    source = AwsSource(options, processes=2)
    assert len(list(source.records())) == 6
    assert source.errors == []
    assert len(fake.calls_to("GetRoleCredentials")) == 1  # in this process, before the fork
    assume = fake.calls_to("AssumeRole")
    assert len(assume) == 3
    assert {call.account for call in assume} == {SSO_ACCOUNT}  # signed with the SSO keys


def test_clients_keep_only_the_operation_used(start: Any) -> None:
    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    fake = start(count=1)
    client = ClientFactory(LiveOptions(endpoint_url=fake.url)).client(
        "sagemaker", "us-east-1", endpoint_url=fake.url
    )
    assert client.can_paginate("list_workforces")
    assert not hasattr(client, "create_workforce")
    assert not hasattr(client, "delete_workforce")
    client.close()


def test_the_loader_keeps_only_the_called_operations(start: Any) -> None:
    import botocore.session

    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    fake = start(count=1)
    loader = ClientFactory(LiveOptions(endpoint_url=fake.url)).loader
    sagemaker = loader.load_service_model("sagemaker", "service-2")
    assert list(sagemaker["operations"]) == ["ListWorkforces", "ListWorkteams"]
    assert {"Workforce", "Workteam"} <= set(sagemaker["shapes"])
    pagination = loader.load_service_model("sagemaker", "paginators-1")["pagination"]
    assert {"ListWorkforces", "ListWorkteams"} <= set(pagination)
    cognito = loader.load_service_model("cognito-idp", "service-2")["operations"]
    assert sorted(cognito) == ["DescribeUserPool", "DescribeUserPoolClient", "GetUserPoolMfaConfig"]
    ec2 = loader.load_service_model("ec2", "service-2")["operations"]
    assert "DescribeRegions" in ec2 and "DescribeSecurityGroups" in ec2
    assert "RunInstances" not in ec2
    assert "AssumeRole" in loader.load_service_model("sts", "service-2")["operations"]
    default = botocore.session.Session().get_component("data_loader")
    assert loader.search_paths == default.search_paths


def test_clients_share_one_service_model_per_service(start: Any) -> None:
    """Across regions and account sessions, and still answering through the real stack; a
    session with botocore's own loader keeps a model per client."""
    import botocore.session
    from botocore.credentials import Credentials

    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    fake = start(count=2)
    factory = ClientFactory(LiveOptions(endpoint_url=fake.url))
    account = factory.account_session(Credentials("AKIDEXAMPLE", "secret", "token"))
    clients = [
        factory.client("sagemaker", "us-east-1", endpoint_url=fake.url),
        factory.client("sagemaker", "eu-west-1", session=account, endpoint_url=fake.url),
    ]
    models = {id(client.meta.service_model) for client in clients}
    assert len(models) == 1
    for client in clients:
        pages = client.get_paginator("list_workforces").paginate()
        arns = [w["WorkforceArn"] for page in pages for w in page["Workforces"]]
        assert arns and all(f":{client.meta.region_name}:" in arn for arn in arns)
        client.close()
    signed = {(call.account, call.region) for call in fake.calls_to("ListWorkforces")}
    assert len(signed) == 2 and {region for _, region in signed} == {"us-east-1", "eu-west-1"}
    cognito = factory.client("cognito-idp", "us-east-1")
    assert id(cognito.meta.service_model) not in models
    cognito.close()
    plain = botocore.session.Session()
    own = [plain.create_client("sagemaker", region_name="us-east-1") for _ in range(2)]
    assert own[0].meta.service_model is not own[1].meta.service_model
    assert "create_workforce" in dir(own[0])  # botocore's loader: every operation
    factory.close()


@pytest.mark.parametrize(
    "environment",
    [{}, {"AWS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt", "BOTOCORE_TCP_KEEPALIVE": "true"}],
)
def test_the_shared_pool_is_built_as_botocore_builds_a_clients(
    start: Any, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str]
) -> None:
    """Same CA bundle, socket options and timeouts as the client's own session would have."""
    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    fake = start(count=1)
    factory = ClientFactory(LiveOptions(endpoint_url=fake.url, timeout=7, workers=5))
    assert factory.connections is not None
    client = factory.client("sagemaker", "us-east-1", endpoint_url=fake.url)
    own = client._endpoint.http_session  # what botocore built for this client
    shared = factory.connections._fresh()
    assert shared._verify == own._verify
    assert shared._socket_options == own._socket_options
    assert (shared._timeout.connect_timeout, shared._timeout.read_timeout) == (7, 7)
    assert (own._timeout.connect_timeout, own._timeout.read_timeout) == (7, 7)
    assert shared._max_pool_connections == 5
    client.close()
    factory.close()


def test_a_proxy_leaves_each_client_its_own_connections(
    start: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    fake = start(count=1)
    assert ClientFactory(LiveOptions(endpoint_url=fake.url)).connections is None


def test_clients_of_every_account_and_region_share_connections(start: Any, tmp_path: Path) -> None:
    """45 units x 8 calls through a handful of connections, not one (or more) per client."""
    fake = start(count=1, related_estate=True)
    accounts = tmp_path / "accounts.yaml"
    ids = "\n".join(f'  - id: "{100000000000 + index * 1111:012d}"' for index in range(3))
    accounts.write_text(
        "defaults:\n  role_name: audit\n  regions: [us-east-1, eu-west-1, ap-south-1, "
        "us-west-2, eu-central-1]\naccounts:\n" + ids + "\n"
    )
    args = ["fetch", "--accounts", str(accounts), "--workers", "4", "--output", os.devnull]
    result = run_cli(*args, *live_args(fake))
    assert result.code == 0, result.err
    requests = len(fake.calls)
    assert requests >= 15 * 8 + 3
    assert fake.connections <= 4 + 2  # the workers' connections, and STS's own pool


def test_a_forked_process_never_reuses_its_parents_connections(start: Any) -> None:
    import botocore.awsrequest

    from checker.sources.aws.clients import ClientFactory
    from checker.sources.aws.options import LiveOptions

    fake = start(count=1)
    connections = ClientFactory(LiveOptions(endpoint_url=fake.url)).connections
    assert connections is not None
    parent = connections._fresh()
    request = botocore.awsrequest.AWSRequest("GET", fake.url + "/").prepare()
    connections.send(request=request)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            connections.send(request=request)
            fresh = connections._http is not parent and connections._pid == os.getpid()
            os.write(writer, b"fresh" if fresh else b"reused")
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 16)
    os.waitpid(pid, 0)
    os.close(reader)
    assert answer == b"fresh"
    assert connections._http is parent  # the parent keeps its own
    connections.close()
    assert connections._http is None
