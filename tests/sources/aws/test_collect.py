"""The live source (checker/sources/aws/collect.py) through the real boto3 stack (paginator,
SigV4 signer, retry handler, JSON parser) against the loopback server in tests/aws_server.py."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.aws_server import REGIONS, FakeAws, live_args, workforce
from tests.conftest import EXAMPLES, NOW, ROOT
from tests.helpers import flat_results, run_cli

ACCOUNT = "123456789012"  # the server's account for the suite's dummy access key


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry decisions stay botocore's; only the sleep between attempts is removed."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0)


def scan(fake: FakeAws, *argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", "--format", "json", "--now", NOW, *live_args(fake), *argv)
    report = json.loads(result.out) if result.out else {}
    return result.code, report, result.err


def arns(report: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for result in flat_results(report):
        seen.setdefault(result["resource"]["arn"], None)
    return list(seen)


def names_in_calls(fake: FakeAws) -> int:
    return len(fake.calls_to("ListWorkforces"))


@pytest.mark.parametrize("page_size, calls", [(5, 12), (100, 1), (1, 57)])
def test_every_page_is_read(start: Any, page_size: int, calls: int) -> None:
    fake = start(count=57)
    code, report, _ = scan(fake, "--region", "us-east-1", "--page-size", str(page_size))
    assert code in (0, 1)
    assert report["summary"]["records"] == 57
    assert len(set(arns(report))) == 57
    assert names_in_calls(fake) == calls
    assert {call.params["MaxResults"] for call in fake.calls_to("ListWorkforces")} == {page_size}
    assert report["units"] == [
        {"source": "aws", "account": None, "region": "us-east-1", "status": "ok", "records": 57}
    ]


def test_list_parameters_are_forwarded(start: Any) -> None:
    items = [
        workforce(name, ACCOUNT, "us-east-1", created)
        for name, created in (("team-b", 3.0), ("team-a", 1.0), ("other", 2.0), ("team-c", 2.5))
    ]
    fake = start(workforces={(ACCOUNT, "us-east-1"): items})
    code, report, _ = scan(
        fake,
        "--region",
        "us-east-1",
        "--name-contains",
        "team",
        "--sort-by",
        "Name",
        "--sort-order",
        "Ascending",
        "--page-size",
        "2",
    )
    assert code in (0, 1)
    params = [call.params for call in fake.calls_to("ListWorkforces")]
    assert params[0] == {
        "NameContains": "team",
        "SortBy": "Name",
        "SortOrder": "Ascending",
        "MaxResults": 2,
    }
    assert params[1]["NextToken"] and params[1]["NameContains"] == "team"
    assert len(params) == 2
    assert sorted(arn.rsplit("/", 1)[1] for arn in arns(report)) == ["team-a", "team-b", "team-c"]


def test_max_items_and_resume_read_every_record_exactly_once(start: Any) -> None:
    fake = start(count=23)
    seen: list[str] = []
    token: str | None = None
    rounds = 0
    while True:
        extra = ["--starting-token", token] if token else []
        result = run_cli(
            "fetch",
            "--now",
            NOW,
            *live_args(fake),
            "--region",
            "eu-west-1",
            "--page-size",
            "4",
            "--max-items",
            "7",
            *extra,
        )
        assert result.code == 0, result.err
        snapshot = json.loads(result.out)
        seen.extend(entry["workforce"]["WorkforceArn"] for entry in snapshot["records"])
        (unit,) = snapshot["units"]
        token = unit.get("resume_token")
        rounds += 1
        if token is None:
            assert unit["status"] == "ok"
            break
        assert unit["status"] == "partial"
        assert unit["records"] == 7
        assert f"--starting-token {token}" in result.err
    assert rounds == 4
    assert len(seen) == 23
    assert sorted(seen) == sorted(set(seen))  # exactly once


def test_resume_token_is_the_paginators_not_the_raw_next_token(start: Any) -> None:
    fake = start(count=10)
    code, report, err = scan(fake, "--region", "us-east-1", "--page-size", "4", "--max-items", "5")
    token = report["units"][0]["resume_token"]
    raw_tokens = {call.params.get("NextToken") for call in fake.calls_to("ListWorkforces")}
    assert token not in raw_tokens  # it also carries how far into the page we stopped
    assert "resume with --starting-token" in err
    assert code in (0, 1)  # stopping at --max-items is asked for, not an error


def test_throttling_then_success_is_retried(start: Any) -> None:
    fake = start(count=3, throttle={"us-east-1": 1})
    code, report, _ = scan(fake, "--region", "us-east-1", "--max-attempts", "3")
    assert report["errors"] == []
    assert report["summary"]["records"] == 3
    assert names_in_calls(fake) == 2
    assert code in (0, 1)


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("mode, attempts", [("standard", 4), ("adaptive", 2)])
def test_throttling_forever_is_an_error_entry_and_exit_3(
    start: Any, mode: str, attempts: int
) -> None:
    fake = start(count=2, throttle={"us-west-2": -1})
    code, report, err = scan(
        fake,
        "--region",
        "us-east-1",
        "--region",
        "us-west-2",
        "--retry-mode",
        mode,
        "--max-attempts",
        str(attempts),
    )
    assert code == 3
    (error,) = report["errors"]
    assert (error["region"], error["code"]) == ("us-west-2", "ThrottlingException")
    assert f"gave up after {attempts} attempts" in error["message"]
    assert len(fake.calls_to("ListWorkforces")) == 1 + attempts
    assert report["summary"]["records"] == 2  # us-east-1 is still evaluated and reported
    assert "could not collect us-west-2: ThrottlingException" in err


@pytest.mark.usefixtures("no_backoff")
@pytest.mark.parametrize("failures, status, code", [(2, "ok", 1), (-1, "error", 3)])
def test_server_errors_are_retried(start: Any, failures: int, status: str, code: int) -> None:
    fake = start(count=2, server_errors={"us-east-1": failures})
    exit_code, report, _ = scan(fake, "--region", "us-east-1", "--max-attempts", "3")
    assert report["units"][0]["status"] == status
    assert exit_code == code
    if status == "error":
        assert report["errors"][0]["code"] == "InternalFailure"
    assert names_in_calls(fake) == 3


def test_access_denied_in_one_region_only(start: Any) -> None:
    fake = start(count=2, access_denied={"eu-west-1"})
    code, report, _ = scan(
        fake, "--region", "us-east-1", "--region", "eu-west-1", "--region", "ap-south-1"
    )
    assert code == 3
    assert [(e["region"], e["code"]) for e in report["errors"]] == [
        ("eu-west-1", "AccessDeniedException")
    ]
    assert {u["region"]: u["status"] for u in report["units"]} == {
        "ap-south-1": "ok",
        "eu-west-1": "error",
        "us-east-1": "ok",
    }
    regions = {r["resource"]["region"] for r in flat_results(report)}
    assert regions == {"us-east-1", "ap-south-1"}


def test_hung_endpoint_times_out(start: Any) -> None:
    fake = start(count=1, hang={"eu-west-1"})
    code, report, _ = scan(
        fake,
        "--region",
        "eu-west-1",
        "--region",
        "us-east-1",
        "--timeout",
        "0.3",
        "--max-attempts",
        "1",
    )
    assert code == 3
    (error,) = report["errors"]
    assert (error["region"], error["code"]) == ("eu-west-1", "Timeout")
    assert report["summary"]["records"] == 1


@pytest.mark.parametrize(
    "fault, code",
    [
        ("access_denied", "AccessDeniedException"),
        ("expired_token", "ExpiredTokenException"),
        ("malformed", "MalformedResponse"),
    ],
)
def test_each_fault_names_its_code(start: Any, fault: str, code: str) -> None:
    fake = start(count=1, **{fault: {"eu-west-1"}})
    exit_code, report, _ = scan(fake, "--region", "eu-west-1", "--region", "us-east-1")
    assert exit_code == 3
    assert [(e["account"], e["region"], e["code"]) for e in report["errors"]] == [
        (None, "eu-west-1", code)
    ]
    assert report["summary"]["records"] == 1


def test_progress_hook_sees_every_unit(start: Any) -> None:
    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions

    fake = start(count=2)
    calls: list[tuple[int, int, int, int]] = []
    source = AwsSource(
        LiveOptions(endpoint_url=fake.url, regions=("us-east-1", "eu-west-1", "sa-east-1")),
        progress=lambda *counts: calls.append(counts),
    )
    assert len(list(source.records())) == 6
    assert calls[0] == (0, 0, 0, 0)
    assert calls[-1] == (3, 3, 6, 0)
    assert [done for done, *_ in calls] == sorted(done for done, *_ in calls)


def test_malformed_body_is_an_error_not_an_empty_region(start: Any) -> None:
    fake = start(count=1, malformed={"us-east-1"})
    code, report, _ = scan(fake, "--region", "us-east-1")
    assert code == 3
    assert report["errors"][0]["code"] == "MalformedResponse"
    assert report["units"][0]["status"] == "error"


def test_unreachable_endpoint(start: Any) -> None:
    code, report, _ = scan(
        start(),
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--max-attempts",
        "1",
    )
    assert code == 3
    assert report["errors"][0]["code"] == "EndpointConnectionError"


def test_region_and_access_key_come_from_the_signature(start: Any) -> None:
    fake = start(count=1)
    scan(fake, "--region", "ap-northeast-1", "--region", "sa-east-1")
    calls = fake.calls_to("ListWorkforces")
    assert sorted(call.region for call in calls) == ["ap-northeast-1", "sa-east-1"]
    assert {call.access_key for call in calls} == {"AKIAIOSFODNN7EXAMPLE"}
    assert {call.service for call in calls} == {"sagemaker"}


def test_never_more_requests_in_flight_than_workers(start: Any) -> None:
    fake = start(count=3, latency=0.02)
    regions = REGIONS[:10]
    argv = [arg for region in regions for arg in ("--region", region)]
    code, report, _ = scan(fake, *argv, "--workers", "3", "--page-size", "1")
    assert fake.max_in_flight <= 3
    assert names_in_calls(fake) == 30
    assert report["summary"]["records"] == 30
    assert code in (0, 1)


def test_order_is_deterministic_whatever_finishes_first(start: Any) -> None:
    fake = start(count=2, latency=0.01)
    argv = [
        "--region",
        "us-west-2",
        "--region",
        "ap-south-1",
        "--region",
        "eu-west-1",
        "--workers",
        "3",
    ]
    first = scan(fake, *argv)[1]
    second = scan(fake, *argv, "--workers", "1")[1]
    assert first.pop("configuration")["options"]["workers"]["value"] == 3
    assert second.pop("configuration")["options"]["workers"]["value"] == 1
    assert first == second
    assert [u["region"] for u in first["units"]] == ["ap-south-1", "eu-west-1", "us-west-2"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--page-size", "0"], "argument --page-size: expected 1-100, got 0"),
        (["--page-size", "101"], "argument --page-size: expected 1-100, got 101"),
        (["--max-items", "0"], "argument --max-items: expected at least 1, got 0"),
        (["--workers", "0"], "argument --workers: expected 1-256, got 0"),
        (["--max-attempts", "0"], "argument --max-attempts: expected 1-20, got 0"),
        (["--timeout", "0"], "argument --timeout: expected more than 0 and at most 900"),
        (["--region", "all", "--region", "us-east-1"], "cannot be combined with other regions"),
        (["--region", "us-east"], "not a region name"),
        (["--name-contains", "a b"], "--name-contains"),
        (["--org"], "--org needs --role-name"),
        (["--role-name", "x"], "--role-name applies to --org or --accounts"),
        (
            ["--role-arn", "arn:aws:iam::123456789012:role/r", "--org", "--role-name", "r"],
            "cannot be combined",
        ),
        (["--role-arn", "role/r"], "expected arn:aws:iam::"),
        (
            ["--region", "us-east-1", "--region", "eu-west-1", "--starting-token", "t"],
            "--starting-token resumes one listing",
        ),
    ],
)
def test_bad_options_exit_2_before_any_call(start: Any, argv: list[str], message: str) -> None:
    fake = start(count=1)
    code, _, err = scan(fake, *argv)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert fake.calls == []


def test_no_region_anywhere_is_a_usage_error(start: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    fake = start(count=1)
    code, _, err = scan(fake)
    assert code == 2
    assert "no region" in err
    assert fake.calls == []


def test_default_region_is_the_sessions(start: Any) -> None:
    fake = start(count=1)
    code, report, _ = scan(fake)
    assert [u["region"] for u in report["units"]] == ["us-east-1"]
    assert code in (0, 1)


def test_region_all_skips_regions_not_enabled(start: Any) -> None:
    import botocore.session

    available = botocore.session.get_session().get_available_regions("sagemaker", "aws")
    fake = start(count=1, enabled_regions={ACCOUNT: ["us-east-1", "eu-west-1", "xx-none-1"]})
    code, report, _ = scan(fake, "--region", "all")
    units = {u["region"]: u for u in report["units"]}
    assert set(units) == set(available)
    read = sorted(region for region, unit in units.items() if unit["status"] == "ok")
    assert read == ["eu-west-1", "us-east-1"]
    skipped = [unit for unit in units.values() if unit["status"] == "skipped"]
    assert len(skipped) == len(available) - 2
    assert all(unit["note"] == "region not enabled in this account" for unit in skipped)
    assert report["errors"] == []
    assert sorted(call.region for call in fake.calls_to("ListWorkforces")) == read
    assert len(fake.calls_to("DescribeRegions")) == 1
    assert code in (0, 1)


def test_region_all_without_describe_regions_reads_every_region(start: Any) -> None:
    import botocore.session

    available = botocore.session.get_session().get_available_regions("sagemaker", "aws")
    fake = start(count=0, deny_describe_regions=True)
    code, report, _ = scan(fake, "--region", "all")
    assert code == 0
    assert len(report["units"]) == len(available)
    assert all(
        u["status"] == "ok" and "DescribeRegions failed (UnauthorizedOperation)" in u["note"]
        for u in report["units"]
    )


def test_quiet_and_non_tty_print_no_progress(start: Any) -> None:
    fake = start(count=1)
    result = run_cli("scan", "--format", "json", *live_args(fake), "--region", "us-east-1")
    assert "\r" not in result.err
    assert "units" not in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "--input", str(EXAMPLES / "workforces.json"), "--format", "json"],
        ["validate", str(EXAMPLES / "workforces.json")],
        ["validate", str(EXAMPLES / "accounts.yaml")],
        ["scan", "--help"],
        ["iam-policy"],
        ["rules"],
    ],
)
def test_offline_commands_never_import_boto3(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "import io, contextlib\n"
        "sink = io.StringIO()\n"
        "with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):\n"
        "    try:\n"
        f"        status = main({argv!r})\n"
        "    except SystemExit as exit:\n"
        "        status = exit.code or 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        "print(status, loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    status, loaded = done.stdout.strip().split(" ", 1)
    assert status in ("0", "1")
    assert loaded == "[]"


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(start: Any, enabled: bool) -> None:
    import gc

    from checker.sources.aws.collect import AwsSource
    from checker.sources.aws.options import LiveOptions

    fake = start(count=1)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        source = AwsSource(LiveOptions(endpoint_url=fake.url, regions=("us-east-1",)))
        assert len(list(source.records())) == 1
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == 0
    finally:
        (gc.enable if was else gc.disable)()
