"""What an AWS failure is called: :class:`CredentialsError` (nothing can be read, exit 2) and
the one-line, bounded text of any AWS error message (never a credential).

botocore is not imported here: ClientError objects are read through their ``response``.
"""

from __future__ import annotations

from checker.errors import WfcheckError
from checker.text import shorten

MAX_MESSAGE = 500


class CredentialsError(WfcheckError):
    """The credentials a run starts from cannot be had: nothing can be read (exit 2).

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


def client_error_text(exc: object) -> tuple[str, str]:
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
