"""How live collection names a failed *unit* (one account x region, an AssumeRole, an
Organizations listing): an error entry with a code and a one-line message
(:func:`describe_failure`); the rest of the run goes on, and the exit code is 3.

Base credentials that cannot be had are another kind of failure, shared with the Security Hub
import: :class:`checker.awsapi.errors.CredentialsError` (exit 2, before any unit starts).

Never a credential in a message. botocore is imported inside the functions only.
"""

from __future__ import annotations

from checker.awsapi.errors import client_error_text, one_line


class MalformedResponse(Exception):
    """A 200 response whose body is not the ListWorkforces shape (botocore accepts it)."""


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) for anything a unit can end with; never a credential."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        code, message = client_error_text(exc)
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
