"""``wfcheck fetch``: the snapshot is audit evidence that ``scan --input`` reads back unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.model import arn_parts
from tests.aws_server import Behaviour, FakeAws, live_args
from tests.conftest import EXAMPLES, NOW
from tests.helpers import run_cli

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")


def example_workforces() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The example workforces (which trip every rule), each in its ARN's account and region."""
    placed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in json.loads((EXAMPLES / "workforces.json").read_text())["Workforces"]:
        _, region, account = arn_parts(item["WorkforceArn"])
        placed.setdefault((str(account), str(region)), []).append(item)
    return placed


@pytest.fixture
def fake() -> Iterator[FakeAws]:
    placed = example_workforces()
    regions = sorted({region for _, region in placed} | {"ap-south-1"})
    behaviour = Behaviour(
        workforces={("123456789012", r): [] for r in regions}, access_denied={"ap-south-1"}
    )
    # The suite's dummy key maps to the server's default account: serve each example there.
    for (_, region), items in placed.items():
        behaviour.workforces[("123456789012", region)] += items
    with FakeAws(behaviour) as server:
        server.regions = regions  # type: ignore[attr-defined]
        yield server


def region_args(fake: FakeAws) -> list[str]:
    return [arg for region in fake.regions for arg in ("--region", region)]  # type: ignore[attr-defined]


def without_source(value: Any) -> Any:
    """Reports differ only in where records came from (``aws`` vs the snapshot path) and in the
    options each run was given."""
    if isinstance(value, dict):
        return {
            k: without_source(v)
            for k, v in value.items()
            if k not in ("source", "sources", "configuration")
        }
    if isinstance(value, list):
        return [without_source(v) for v in value]
    return value


def test_scan_of_the_snapshot_equals_the_live_scan(fake: FakeAws, tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json"
    fetched = run_cli(
        "fetch",
        "--now",
        NOW,
        *live_args(fake),
        *region_args(fake),
        "--output",
        str(snapshot),
        "--page-size",
        "1",
    )
    assert fetched.code == 3  # ap-south-1 is denied: the snapshot says so
    live = run_cli(
        "scan",
        "--format",
        "json",
        "--now",
        NOW,
        *live_args(fake),
        *region_args(fake),
        "--page-size",
        "1",
    )
    offline = run_cli("scan", "--format", "json", "--now", NOW, "--input", str(snapshot))
    assert live.code == offline.code == 3
    live_report, offline_report = json.loads(live.out), json.loads(offline.out)
    assert live_report["summary"]["records"] == 5
    assert live_report["summary"]["fail"] > 0
    assert without_source(live_report) == without_source(offline_report)
    assert offline_report["sources"] == [str(snapshot)]


def test_snapshot_contents(fake: FakeAws) -> None:
    result = run_cli(
        "fetch",
        "--now",
        NOW,
        *live_args(fake),
        *region_args(fake),
        "--external-id",
        "do-not-print",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "--max-items",
        "1",
        "--quiet",
    )
    assert result.code == 3
    assert result.err == ""
    data = json.loads(result.out)
    assert data["schema_version"] == 1
    # Written as collected: one record per line, units and errors once the records are read.
    lines = result.out.splitlines()
    start = lines.index('  "records": [')
    assert lines[start + len(data["records"]) + 1] == "  ],"
    records = lines[start + 1 : start + 1 + len(data["records"])]
    assert all(line.startswith('    {"account": ') for line in records)
    assert list(data) == [
        "schema_version",
        "tool",
        "generated_at",
        "options",
        "records",
        "units",
        "errors",
    ]
    assert data["tool"]["name"] == "wfcheck"
    assert data["generated_at"] == NOW
    assert data["options"]["max_items"] == 1
    assert data["options"]["external_id"] == "(set)"
    assert "do-not-print" not in result.out
    assert "dummy-secret-key" not in result.out and "dummy-session-token" not in result.out
    partial = [u for u in data["units"] if u["status"] == "partial"]
    assert partial and all(u["resume_token"] for u in partial)
    assert data["errors"] == [
        {
            "account": "123456789012",
            "region": "ap-south-1",
            "code": "AccessDeniedException",
            "message": "User is not authorized to perform: sagemaker:ListWorkforces in ap-south-1",
        }
    ]
    for entry in data["records"]:
        assert set(entry) == {"account", "region", "workforce", "related"}
        assert "Related" in entry["workforce"] or entry["related"]
        assert entry["workforce"]["CreateDate"].endswith("Z")
        assert entry["region"] in entry["workforce"]["WorkforceArn"]


def test_snapshot_keeps_resume_tokens_for_scan(fake: FakeAws, tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    run_cli(
        "fetch",
        "--now",
        NOW,
        *live_args(fake),
        "--region",
        "us-east-1",
        "--max-items",
        "1",
        "--output",
        str(snapshot),
    )
    offline = run_cli("scan", "--format", "json", "--now", NOW, "--input", str(snapshot))
    (unit,) = json.loads(offline.out)["units"]
    token = json.loads(snapshot.read_text())["units"][0]["resume_token"]
    assert unit["resume_token"] == token and unit["status"] == "partial"


def test_fetch_is_reproducible(fake: FakeAws) -> None:
    argv = ["fetch", "--now", NOW, *live_args(fake), *region_args(fake)]
    first, second = run_cli(*argv, "--workers", "4"), run_cli(*argv, "--workers", "4")
    assert first.out == second.out  # byte-identical
    serial = json.loads(run_cli(*argv, "--workers", "1").out)
    parallel = json.loads(first.out)
    assert serial.pop("options")["workers"] == 1
    assert parallel.pop("options")["workers"] == 4
    assert serial == parallel


def test_fetch_exit_0_when_complete(fake: FakeAws, tmp_path: Path) -> None:
    result = run_cli("fetch", *live_args(fake), "--region", "eu-west-1")
    assert result.code == 0
    assert "workforce(s) from 1 unit(s)" in result.err
    assert json.loads(result.out)["errors"] == []


def test_fetch_bad_output_path_is_one_line(fake: FakeAws, tmp_path: Path) -> None:
    result = run_cli(
        "fetch",
        *live_args(fake),
        "--region",
        "eu-west-1",
        "--output",
        str(tmp_path / "missing" / "s.json"),
    )
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1


def test_iam_policy_lists_exactly_the_actions_used() -> None:
    from checker.sources.aws.clients import OPERATIONS

    result = run_cli("iam-policy")
    assert result.code == 0
    policy = json.loads(result.out)
    assert policy["Version"] == "2012-10-17"
    actions = sorted(a for s in policy["Statement"] for a in s["Action"])
    assert actions == [
        "cognito-idp:DescribeUserPool",
        "cognito-idp:DescribeUserPoolClient",
        "cognito-idp:GetUserPoolMfaConfig",
        "ec2:DescribeRegions",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcEndpoints",
        "organizations:ListAccounts",
        "sagemaker:ListWorkforces",
        "sagemaker:ListWorkteams",
        "sts:AssumeRole",
    ]
    # every operation the live clients are built with is allowed (DescribeRegions, AssumeRole
    # and ListAccounts come from their own clients)
    called = {f"{service}:{name}" for service, names in OPERATIONS.items() for name in names}
    assert called <= set(actions)
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])


RELATED_READ = [
    "sagemaker:ListWorkteams",
    "cognito-idp:DescribeUserPool",
    "cognito-idp:GetUserPoolMfaConfig",
    "cognito-idp:DescribeUserPoolClient",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcEndpoints",
]
READ = ["sagemaker:ListWorkforces", "ec2:DescribeRegions"]
CALLER = ["sts:AssumeRole", "organizations:ListAccounts"]


@pytest.mark.parametrize(
    "argv, actions",
    [
        (["--scope", "read"], [*READ, *RELATED_READ]),
        (["--scope", "caller"], CALLER),
        (["--scope", "caller", "--related", "none"], CALLER),
        (["--scope", "read", "--related", "none"], READ),
        (["--scope", "all", "--related", "none"], [*READ, *CALLER]),
        (["--scope", "read", "--related", "all"], [*READ, *RELATED_READ]),
        (["--scope", "read", "--related", "user-pool,workteams"],
         [*READ, "sagemaker:ListWorkteams", "cognito-idp:DescribeUserPool",
          "cognito-idp:GetUserPoolMfaConfig"]),
        (["--scope", "read", "--related", "subnets"], [*READ, "ec2:DescribeSubnets"]),
    ],
)  # fmt: skip
def test_iam_policy_scopes(argv: list[str], actions: list[str]) -> None:
    policy = json.loads(run_cli("iam-policy", *argv).out)
    assert [a for s in policy["Statement"] for a in s["Action"]] == actions


def test_iam_policy_groups_related_actions_by_service() -> None:
    policy = json.loads(run_cli("iam-policy", "--scope", "read").out)
    sids = {s["Sid"]: s["Action"] for s in policy["Statement"]}
    assert sids["WfcheckRelatedWorkteams"] == ["sagemaker:ListWorkteams"]
    assert all(a.startswith("cognito-idp:") for a in sids["WfcheckRelatedUserPools"])
    assert all(a.startswith("ec2:Describe") for a in sids["WfcheckRelatedNetwork"])
    assert all(s["Resource"] == "*" for s in policy["Statement"])


def test_iam_policy_bad_related_kind_is_a_usage_error() -> None:
    result = run_cli("iam-policy", "--related", "user-pools")
    assert result.code == 2
    assert result.out == ""
    assert "unknown related kind 'user-pools'" in result.err
    assert "user-pool-client" in result.err  # the valid kinds are listed


def test_iam_policy_role_name_limits_assume_role() -> None:
    policy = json.loads(run_cli("iam-policy", "--role-name", "wfcheck-audit").out)
    (statement,) = [s for s in policy["Statement"] if s["Action"] == ["sts:AssumeRole"]]
    assert statement["Resource"] == "arn:aws:iam::*:role/wfcheck-audit"
