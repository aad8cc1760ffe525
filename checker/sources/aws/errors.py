"""How live collection names what went wrong.

Two kinds of failure, kept apart on purpose:

- a *unit* (one account x region, an AssumeRole, an Organizations listing) that failed: it ends
  as an error entry with a code and a one-line message (:func:`describe_failure`), the rest of
  the run goes on, and the exit code is 3;
- the *base credentials* (no credentials anywhere, an unknown profile, an expired SSO login, a
  broken credential_process) cannot be had: nothing could be read, so the run stops before any
  unit starts with one :class:`CredentialsError` line that says how to fix it, exit 2
  (:func:`credentials_error`).

Never a credential in a message. botocore is imported inside the functions only.
"""

from __future__ import annotations

from checker.errors import WfcheckError
from checker.text import shorten

MAX_MESSAGE = 500
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "run 'aws sso login', or run on a host with an instance role"
)


class MalformedResponse(Exception):
    """A 200 response whose body is not the ListWorkforces shape (botocore accepts it)."""


class CredentialsError(WfcheckError):
    """The credentials a live scan starts from cannot be had: nothing can be read (exit 2).

    ``code`` names the kind (``NoCredentials``, ``ProfileNotFound``, ``SSOLoginExpired``, ...)
    for callers that record it as an error entry instead (the Security Hub import).
    """

    exit_code = 2

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(one_line(message))
        self.code = code


def one_line(text: str) -> str:
    """``text`` on one line, at most ``MAX_MESSAGE`` characters."""
    text = " ".join(text.split())
    return shorten(text, MAX_MESSAGE)


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) for anything a unit can end with; never a credential."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        code, message = _client_error(exc)
    elif isinstance(exc, (bx.ReadTimeoutError, bx.ConnectTimeoutError)):
        code, message = "Timeout", str(exc)
    elif isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError)):
        code, message = "EndpointConnectionError", str(exc)
    elif isinstance(exc, (ResponseParserError, MalformedResponse)):
        code, message = "MalformedResponse", str(exc)
    elif isinstance(
        exc, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.CredentialRetrievalError)
    ):
        code, message = "NoCredentials", str(exc)
    elif isinstance(exc, bx.ParamValidationError):
        code, message = "InvalidParameter", str(exc)
    elif isinstance(exc, bx.BotoCoreError):
        code, message = type(exc).__name__, str(exc)
    elif isinstance(exc, ValueError):
        code, message = "InvalidStartingToken", str(exc)
    else:
        code, message = type(exc).__name__, str(exc) or type(exc).__name__
    return code, one_line(message)


def _client_error(exc: object) -> tuple[str, str]:
    """(code, message) of a botocore ClientError, saying how often it was tried."""
    response = getattr(exc, "response", None) or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or meta.get("HTTPStatusCode") or "ClientError")
    message = str(error.get("Message") or exc)
    retries = int(meta.get("RetryAttempts") or 0)
    if retries:
        message += f" (gave up after {retries + 1} attempts)"
    return code, message


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
        code, message = _client_error(exc)
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
