"""Reports every writer test renders: the examples, and a hostile record corpus."""

from __future__ import annotations

import json

import pytest

from checker.results import Report
from tests.conftest import EXAMPLES
from tests.helpers import report_for

# Values an attacker who controls an IdP URL, a workforce name or a failure reason might plant.
INJECTIONS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'><img src=x onerror=alert(1)>",
    "| col | injected |\n| --- | --- |",
    "`code` **bold** [link](javascript:alert(1))",
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\tTAB",
    "\rCR",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07",
    "line1\nline2\r\n::error::injected",
    "100% %0A%25 , : ;",
    "</td></tr><tr><td>",
    "{{ 7*7 }} ${7*7}",
    "::stop-commands::tok\n::error::hidden",
    "::error file=x::starts a line",
    "bidi \u202eevil\u202c \u2066iso\u2069 \u200bzw \ufeffbom",
    "c1 \x85next \x9b31mcsi \x7fdel \x00nul",
    "sep \u2028line \u2029para",
]


def hostile_workforces() -> list[dict]:
    """Workforces whose free-text fields carry the injection corpus and still fail rules."""
    workforces = []
    for index, payload in enumerate(INJECTIONS):
        workforces.append(
            {
                "WorkforceName": f"wf-{index}{payload}",
                "WorkforceArn": f"arn:aws:sagemaker:us-east-1:123456789012:workforce/wf-{index}",
                "Status": "Failed",
                "FailureReason": payload,
                "SourceIpConfig": {"Cidrs": [payload, "0.0.0.0/0"]},
                "OidcConfig": {
                    "ClientId": payload,
                    "Issuer": f"http://idp.example.com/{payload}",
                    "AuthorizationEndpoint": payload,
                    "TokenEndpoint": payload,
                    "UserInfoEndpoint": payload,
                    "LogoutEndpoint": payload,
                    "JwksUri": payload,
                    "Scope": payload,
                    "AuthenticationRequestExtraParams": {"prompt": payload},
                },
            }
        )
    return workforces


@pytest.fixture(scope="session")
def example_report() -> Report:
    data = json.loads((EXAMPLES / "workforces.json").read_text())
    return report_for(
        data["Workforces"],
        var_overrides=(
            "allowed_cidrs=203.0.113.0/24,198.51.100.0/24,2001:db8::/32",
            "allowed_oidc_issuers=https://idp.example.com/",
        ),
    )


@pytest.fixture(scope="session")
def hostile_report() -> Report:
    return report_for(hostile_workforces())
