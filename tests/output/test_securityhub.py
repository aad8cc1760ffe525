"""Security Hub import through the real CLI and boto3, against a loopback Security Hub.

``FakeSecurityHub`` speaks the REST-JSON protocol of ``POST /findings/import``
(BatchImportFindings): it checks the request is SigV4-signed for securityhub, records each
batch, and rejects findings the way Security Hub does (a finding for another account than the
caller's is listed in ``FailedFindings``), or refuses the whole call when told to.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from checker.output.securityhub import (
    MAX_DETAILED_FAILURES,
    batches,
    group_by_region,
    import_findings,
    product_region,
)
from tests.conftest import NOW, ROOT
from tests.helpers import run_cli

CALLER = "111111111111"
SIGNATURE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=\w+/\d{8}/(?P<region>[a-z0-9-]+)/"
    r"securityhub/aws4_request"
)


@dataclass
class Call:
    region: str
    findings: list[dict[str, Any]]


@dataclass
class FakeSecurityHub:
    """The state of the loopback server: what it received, how it should answer."""

    calls: list[Call] = field(default_factory=list)
    refuse: tuple[int, str, str] | None = None  # (HTTP status, error type, message)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes]:
        signed = SIGNATURE.match(headers.get("Authorization", ""))
        if path != "/findings/import" or not signed:
            return 404, {}, b'{"message": "unknown operation or unsigned request"}'
        payload = json.loads(body)
        findings = payload["Findings"]
        if not 1 <= len(findings) <= 100:
            return (
                400,
                {"x-amzn-ErrorType": "InvalidInputException"},
                json.dumps({"message": f"{len(findings)} findings: 1 to 100 allowed"}).encode(),
            )
        with self.lock:
            self.calls.append(Call(signed["region"], findings))
        if self.refuse:
            status, kind, message = self.refuse
            return status, {"x-amzn-ErrorType": kind}, json.dumps({"message": message}).encode()
        failed = [
            {
                "Id": f["Id"],
                "ErrorCode": "AccessDeniedException",
                "ErrorMessage": f"account {f['AwsAccountId']} is not the caller's account",
            }
            for f in findings
            if f["AwsAccountId"] != CALLER
        ]
        response = {
            "FailedCount": len(failed),
            "SuccessCount": len(findings) - len(failed),
            "FailedFindings": failed,
        }
        return 200, {}, json.dumps(response).encode()


@pytest.fixture
def securityhub() -> Iterator[tuple[FakeSecurityHub, str]]:
    state = FakeSecurityHub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, headers, data = state.answer(self.path, self.headers, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def open_workforce(
    name: str, account: str = CALLER, region: str = "us-east-1", arn: bool = True
) -> dict[str, Any]:
    """A workforce that fails several rules (no IP restriction, no VPC, no identity provider)."""
    workforce: dict[str, Any] = {
        "WorkforceName": name,
        "Status": "Active",
        "SourceIpConfig": {"Cidrs": []},
    }
    if arn:
        workforce["WorkforceArn"] = f"arn:aws:sagemaker:{region}:{account}:workforce/{name}"
    return workforce


def write_input(tmp_path: Path, workforces: list[dict[str, Any]]) -> str:
    path = tmp_path / "workforces.json"
    path.write_text(json.dumps({"Workforces": workforces}))
    return str(path)


def scan(url: str, input_path: str, *extra: str) -> Any:
    return run_cli(
        "scan",
        "--input",
        input_path,
        "--now",
        NOW,
        "--format",
        "asff",
        "--securityhub-import",
        "--securityhub-endpoint-url",
        url,
        *extra,
    )


def test_sends_every_finding_in_batches_of_100(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    path = write_input(tmp_path, [open_workforce(f"wf-{i:03}") for i in range(60)])
    result = scan(url, path)
    findings = json.loads(result.out)
    assert len(findings) > 100
    assert result.code == 1, result.err  # findings, all imported: the gate still fails
    assert f"imported {len(findings)} of {len(findings)} finding(s)" in result.err
    sizes = [len(call.findings) for call in state.calls]
    assert sizes == [100] * (len(findings) // 100) + [len(findings) % 100]
    sent = [finding for call in state.calls for finding in call.findings]
    assert sent == findings  # exactly what --format asff prints, in order, each once
    assert {call.region for call in state.calls} == {"us-east-1"}


def test_rejected_findings_are_errors_and_exit_3(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    workforces = [open_workforce("ours"), open_workforce("theirs", account="222222222222")]
    result = scan(url, write_input(tmp_path, workforces))
    findings = json.loads(result.out)
    theirs = [f for f in findings if f["AwsAccountId"] == "222222222222"]
    assert theirs and len(theirs) < len(findings)
    assert result.code == 3, result.err
    assert f"imported {len(findings) - len(theirs)} of {len(findings)}" in result.err
    for finding in theirs:
        assert f"finding {finding['Id']} not imported: account 222222222222" in result.err
    assert result.err.count("AccessDeniedException") == len(theirs)
    assert sum(len(call.findings) for call in state.calls) == len(findings)  # all were tried


def test_many_rejections_are_summed_up(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    workforces = [open_workforce(f"wf-{i}", account="222222222222") for i in range(30)]
    result = scan(url, write_input(tmp_path, workforces))
    total = len(json.loads(result.out))
    assert result.code == 3
    assert result.err.count("not imported:") == MAX_DETAILED_FAILURES
    assert f"{total - MAX_DETAILED_FAILURES} more finding(s) not imported" in result.err
    assert sum(len(call.findings) for call in state.calls) == total


def test_a_refused_call_is_an_error(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    state.refuse = (403, "AccessDeniedException", "User is not authorized to BatchImportFindings")
    result = scan(url, write_input(tmp_path, [open_workforce("a")]))
    assert result.code == 3
    assert "AccessDeniedException" in result.err
    assert "User is not authorized to BatchImportFindings" in result.err
    assert "imported 0 of" in result.err
    assert len(state.calls) == 1  # an access error is not retried


def test_findings_go_to_their_region_or_the_one_given(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    path = write_input(
        tmp_path, [open_workforce("east"), open_workforce("west", region="eu-west-1")]
    )
    assert scan(url, path).code == 1
    regions = {
        call.region: {f["Resources"][0]["Region"] for f in call.findings} for call in state.calls
    }
    assert regions == {"us-east-1": {"us-east-1"}, "eu-west-1": {"eu-west-1"}}
    state.calls.clear()
    assert scan(url, path, "--securityhub-region", "eu-central-1").code == 1
    assert {call.region for call in state.calls} == {"eu-central-1"}


def test_records_without_account_need_a_product_arn(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    path = write_input(tmp_path, [open_workforce("planned", arn=False)])
    result = scan(url, path)
    assert result.code == 3
    assert json.loads(result.out) == []
    assert "have no account or region and were not sent" in result.err
    assert state.calls == []
    product = f"arn:aws:securityhub:us-west-2:{CALLER}:product/{CALLER}/default"
    result = scan(url, path, "--asff-product-arn", product)
    assert result.code == 1, result.err
    sent = [f for call in state.calls for f in call.findings]
    assert sent and {f["ProductArn"] for f in sent} == {product}
    assert {call.region for call in state.calls} == {"us-west-2"}


def test_nothing_to_send_makes_no_call(
    securityhub: tuple[FakeSecurityHub, str], tmp_path: Path
) -> None:
    state, url = securityhub
    path = write_input(tmp_path, [open_workforce("a")])
    result = scan(url, path, "--rule", "WF001")  # Active: passes
    assert result.code == 0, result.err
    assert state.calls == []
    assert "imported 0 of 0 finding(s)" in result.err


def test_bad_product_arn_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(
        "scan",
        "--input",
        write_input(tmp_path, [open_workforce("a")]),
        "--asff-product-arn",
        "arn:aws:iam::123:role/x",
    )
    assert result.code == 2
    assert "--asff-product-arn" in result.err and "expected arn:aws:securityhub" in result.err


def test_unreachable_endpoint_is_an_error_not_a_traceback() -> None:
    finding = {"Id": "x", "ProductArn": "arn:aws:securityhub:us-east-1:1:product/1/default"}
    outcome = import_findings([finding], endpoint_url="not a url")
    assert outcome.imported == 0
    (error,) = outcome.errors
    assert error.source == "securityhub" and error.region == "us-east-1"


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, []), (1, [1]), (100, [100]), (101, [100, 1]), (250, [100, 100, 50])],
)
def test_batches(count: int, sizes: list[int]) -> None:
    assert [len(batch) for batch in batches(list(range(count)))] == sizes


@pytest.mark.parametrize(
    ("arn", "region"),
    [
        ("arn:aws:securityhub:eu-west-1:1:product/1/default", "eu-west-1"),
        ("arn:aws-cn:securityhub:cn-north-1:1:product/1/default", "cn-north-1"),
        ("", ""),
        ("arn:aws:securityhub", ""),
    ],
)
def test_product_region(arn: str, region: str) -> None:
    assert product_region({"ProductArn": arn}) == region
    assert list(group_by_region([{"ProductArn": arn}], None)) == [region]
    assert list(group_by_region([{"ProductArn": arn}], "us-east-2")) == ["us-east-2"]


def test_offline_reports_do_not_import_boto3(tmp_path: Path) -> None:
    path = write_input(tmp_path, [open_workforce("a")])
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "for fmt in ('asff', 'sarif', 'junit', 'csv'):\n"
        f"    main(['scan', '--input', {path!r}, '--format', fmt, '--output', {str(tmp_path)!r}"
        " + '/out.' + fmt])\n"
        "print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.strip() == "False False", done.stderr
    assert (tmp_path / "out.asff").read_text().startswith("[")


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/", "http://"])
def test_bad_endpoint_url_is_a_usage_error(tmp_path: Path, url: str) -> None:
    result = run_cli(
        "scan",
        "--input",
        write_input(tmp_path, [open_workforce("a")]),
        "--securityhub-import",
        "--securityhub-endpoint-url",
        url,
    )
    assert result.code == 2
    assert "--securityhub-endpoint-url" in result.err and "expected an http(s):// URL" in result.err


@pytest.mark.parametrize(
    "setup, message",
    [
        ({}, "nothing imported: no AWS credentials found: set AWS_PROFILE"),
        ({"AWS_PROFILE": "nope"}, "nothing imported: AWS profile 'nope' (AWS_PROFILE) is not in"),
    ],
)
def test_unusable_credentials_are_one_error_and_no_call(
    securityhub: tuple[FakeSecurityHub, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setup: dict[str, str],
    message: str,
) -> None:
    """Resolved once through the client code the live source uses: one error entry for the
    whole import, not one failed call per region."""
    state, url = securityhub
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for name, value in setup.items():
        monkeypatch.setenv(name, value)
    path = write_input(
        tmp_path, [open_workforce("east"), open_workforce("west", region="eu-west-1")]
    )
    result = scan(url, path)
    assert result.code == 3
    assert result.err.count(message) == 1, result.err
    assert result.err.count("securityhub failed") == 1  # one line for the whole import
    assert "imported 0 of" in result.err
    assert state.calls == []
    assert json.loads(result.out)  # the ASFF report itself is still written
