"""How a failed unit is named (checker/sources/aws/errors.py): its code and one-line message."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bx
from botocore.parsers import ResponseParserError

from checker.awsapi.errors import MAX_MESSAGE
from checker.sources.aws.errors import MalformedResponse, describe_failure


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
