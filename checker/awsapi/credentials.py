"""The credentials every AWS call starts from: resolved once, up front, so that none at all, an
unknown profile, an expired SSO login or a broken credential_process is one
:class:`~checker.awsapi.errors.CredentialsError` line saying how to fix it (exit 2), not one
error per call; a transient failure (the network) is left to each call to report.

Never a credential in a message. botocore is imported inside the functions only.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from checker.awsapi.errors import CredentialsError, client_error_text

if TYPE_CHECKING:
    from botocore.session import Session

NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "run 'aws sso login', or run on a host with an instance role"
)


def profile_origin(given: str | None, environment: dict[str, str]) -> str:
    """Where the profile in use was named: ``--profile``, or the variable botocore read."""
    if given:
        return "--profile"
    for name in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):  # botocore's order
        if environment.get(name):
            return name
    return "default"


def credentials_error(
    exc: BaseException | None, profile: str | None, origin: str
) -> CredentialsError | None:
    """The one-line error for base credentials that cannot be had, with how to fix it; None
    when ``exc`` is transient (a network failure while fetching them: every unit then ends as
    its own error entry). ``exc`` None means the credential chain found nothing."""
    from botocore import exceptions as bx

    whose = f"profile {profile!r}" if profile else "the default profile"
    if exc is None or isinstance(exc, bx.NoCredentialsError):
        if not profile:
            return CredentialsError(NO_CREDENTIALS, code="NoCredentials")
        return CredentialsError(
            f"no AWS credentials found for {whose}: give it keys, sso_* settings, role_arn with "
            f"source_profile, or credential_process ('aws configure --profile {profile}')",
            code="NoCredentials",
        )
    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsError(
            f"AWS profile {profile!r} ({origin}) is not in the AWS config or credentials file: "
            "check the name with 'aws configure list-profiles'",
            code="ProfileNotFound",
        )
    if isinstance(exc, (bx.SSOError, bx.TokenRetrievalError)):
        login = f"aws sso login --profile {profile}" if profile else "aws sso login"
        return CredentialsError(
            f"the AWS SSO login of {whose} has expired or was never made: run '{login}'",
            code="SSOLoginExpired",
        )
    if isinstance(exc, bx.LoginError):
        login = f"aws login --profile {profile}" if profile else "aws login"
        return CredentialsError(
            f"the AWS login session of {whose} has expired or cannot be used: run '{login}'",
            code="LoginExpired",
        )
    if isinstance(exc, bx.PartialCredentialsError):
        return CredentialsError(
            f"incomplete AWS credentials ({exc}): give both the access key id and the secret "
            "access key, or neither",
            code="PartialCredentials",
        )
    if isinstance(exc, bx.ClientError):  # the profile's own role or SSO role was refused
        code, message = client_error_text(exc)
        return CredentialsError(
            f"could not get the AWS credentials of {whose}: {code}: {message}", code=code
        )
    if isinstance(exc, (bx.HTTPClientError, bx.ConnectionError)):
        return None
    if isinstance(exc, bx.BotoCoreError):  # InvalidConfigError, CredentialRetrievalError, ...
        return CredentialsError(
            f"could not get the AWS credentials of {whose}: {exc}", code=type(exc).__name__
        )
    return None


def require_credentials(session: Session, profile: str | None) -> None:
    """Resolve ``session``'s credentials now, through botocore's chain (environment and profile
    keys need no request; SSO and role profiles make the request the first client would), so
    missing credentials or an expired login are one :class:`CredentialsError` before any unit
    starts. The session keeps what it found for every client. A transient failure (the
    network) raises nothing here: each unit then reports it as its own error entry."""
    failure: BaseException | None = None
    try:
        credentials = session.get_credentials()
        if credentials is not None:
            credentials.get_frozen_credentials()
            return
    except Exception as exc:
        failure = exc
    error = credentials_error(failure, session.profile, profile_origin(profile, dict(os.environ)))
    if error is not None:
        raise error from failure


def fixed_credential_resolver(credentials: Any) -> Any:
    """A botocore credential resolver that always answers ``credentials`` (per-account sessions)."""
    from botocore.credentials import CredentialProvider, CredentialResolver

    class _Given(CredentialProvider):
        METHOD = "wfcheck-assume-role"
        CANONICAL_NAME = "wfcheck"

        def load(self) -> Any:
            return credentials

    return CredentialResolver([_Given()])
