"""How failures are named (checker/sources/aws/errors.py): a failed unit's code and one-line
message, and which failures of the base credentials stop a run (exit 2) or are left to the
units (transient)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bx
from botocore.parsers import ResponseParserError

from checker.sources.aws.errors import (
    MAX_MESSAGE,
    NO_CREDENTIALS,
    CredentialsError,
    MalformedResponse,
    credentials_error,
    describe_failure,
    profile_origin,
)


def client_error(code: str, message: str, retries: int = 0, status: int = 400) -> Any:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": retries},
    }
    return bx.ClientError(response, "ListWorkforces")


@pytest.mark.parametrize(
    "exc, code, message",
    [
        (client_error("AccessDeniedException", "no"), "AccessDeniedException", "no"),
        (
            client_error("ThrottlingException", "Rate exceeded", retries=4),
            "ThrottlingException",
            "Rate exceeded (gave up after 5 attempts)",
        ),
        (bx.ReadTimeoutError(endpoint_url="http://x"), "Timeout", "Read timeout"),
        (bx.ConnectTimeoutError(endpoint_url="http://x"), "Timeout", "Connect timeout"),
        (bx.EndpointConnectionError(endpoint_url="http://x"), "EndpointConnectionError", "x"),
        (ResponseParserError("bad body"), "MalformedResponse", "bad body"),
        (MalformedResponse("no Workforces list"), "MalformedResponse", "no Workforces list"),
        (bx.NoCredentialsError(), "NoCredentials", "Unable to locate credentials"),
        (
            bx.ParamValidationError(report="MaxResults too big"),
            "InvalidParameter",
            "MaxResults too big",
        ),
        (bx.ProfileNotFound(profile="p"), "ProfileNotFound", "(p)"),
        (ValueError("bad token"), "InvalidStartingToken", "bad token"),
        (RuntimeError(), "RuntimeError", "RuntimeError"),
        (RuntimeError("line one\n   line two"), "RuntimeError", "line one line two"),
    ],
)
def test_describe_failure(exc: BaseException, code: str, message: str) -> None:
    got_code, got_message = describe_failure(exc)
    assert got_code == code
    assert message in got_message
    assert "\n" not in got_message


def test_long_messages_are_cut() -> None:
    _, message = describe_failure(RuntimeError("x" * 2000))
    assert len(message) == MAX_MESSAGE and message.endswith("…")


@pytest.mark.parametrize(
    "exc, profile, code, message",
    [
        (None, None, "NoCredentials", NO_CREDENTIALS),
        (bx.NoCredentialsError(), None, "NoCredentials", NO_CREDENTIALS),
        (None, "team", "NoCredentials", "no AWS credentials found for profile 'team'"),
        (bx.ProfileNotFound(profile="team"), "team", "ProfileNotFound", "'team' (--profile)"),
        (
            bx.UnauthorizedSSOTokenError(),
            "team",
            "SSOLoginExpired",
            "'aws sso login --profile team'",
        ),
        (bx.SSOTokenLoadError(error_msg="none"), None, "SSOLoginExpired", "run 'aws sso login'"),
        (
            bx.TokenRetrievalError(provider="sso", error_msg="expired"),
            "team",
            "SSOLoginExpired",
            "the AWS SSO login of profile 'team' has expired",
        ),
        (bx.LoginRefreshRequired(), "team", "LoginExpired", "run 'aws login --profile team'"),
        (
            bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
            None,
            "PartialCredentials",
            "incomplete AWS credentials",
        ),
        (
            bx.CredentialRetrievalError(provider="custom-process", error_msg="a\nb"),
            "team",
            "CredentialRetrievalError",
            "could not get the AWS credentials of profile 'team': Error when retrieving "
            "credentials from custom-process: a b",
        ),
        (
            bx.InvalidConfigError(error_msg="source_profile loops"),
            None,
            "InvalidConfigError",
            "of the default profile: source_profile loops",
        ),
        (client_error("AccessDenied", "no role"), "team", "AccessDenied", "AccessDenied: no role"),
    ],
)
def test_credentials_that_cannot_work(
    exc: BaseException | None, profile: str | None, code: str, message: str
) -> None:
    error = credentials_error(exc, profile, "--profile")
    assert isinstance(error, CredentialsError)
    assert error.exit_code == 2
    assert error.code == code
    assert message in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "exc",
    [
        bx.EndpointConnectionError(endpoint_url="https://portal.sso.us-east-1.amazonaws.com"),
        bx.ConnectTimeoutError(endpoint_url="http://169.254.170.2"),
        bx.ReadTimeoutError(endpoint_url="http://169.254.170.2"),
        bx.ConnectionClosedError(endpoint_url="http://x"),
        OSError("interrupted"),
    ],
)
def test_transient_failures_are_left_to_the_units(exc: BaseException) -> None:
    assert credentials_error(exc, "team", "--profile") is None


@pytest.mark.parametrize(
    "given, environment, origin",
    [
        ("team", {"AWS_PROFILE": "other"}, "--profile"),
        (None, {"AWS_PROFILE": "team"}, "AWS_PROFILE"),
        (None, {"AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"}, "AWS_DEFAULT_PROFILE"),
        (None, {}, "default"),
    ],
)
def test_profile_origin(given: str | None, environment: dict[str, str], origin: str) -> None:
    assert profile_origin(given, environment) == origin
