"""Which failures of the base credentials stop a run (checker/awsapi/credentials.py): one
:class:`CredentialsError` line saying how to fix it (exit 2), or None when transient (left to
each call)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bx

from checker.awsapi.credentials import NO_CREDENTIALS, credentials_error, profile_origin
from checker.awsapi.errors import CredentialsError


def client_error(code: str, message: str) -> Any:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 403, "RetryAttempts": 0},
    }
    return bx.ClientError(response, "AssumeRole")


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
