"""Many accounts: the accounts file, --role-arn, --org, and AssumeRole through loopback STS."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.aws_server import FakeAws, live_args, org_account
from tests.conftest import NOW
from tests.helpers import flat_results, run_cli

A, B, C, D, E = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"


def write(tmp_path: Path, text: str, name: str = "accounts.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def scan(fake: FakeAws, *argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", "--format", "json", "--now", NOW, *live_args(fake), *argv)
    return result.code, json.loads(result.out) if result.out else {}, result.err


ACCOUNTS = f"""\
    defaults:
      role_name: wfcheck-audit
      regions: [us-east-1]
    accounts:
      - id: "{A}"
        name: prod
        role_arn: arn:aws:iam::{{account_id}}:role/team/reader
        external_id: ext-123
        regions: [eu-west-1, us-west-2]
      - id: {B}
"""


def test_accounts_file_assumes_each_role_and_tags_records(start: Any, tmp_path: Path) -> None:
    fake = start(count=2)
    code, report, _ = scan(fake, "--accounts", write(tmp_path, ACCOUNTS))
    assert code in (0, 1)
    assume = sorted(
        (c.params["RoleArn"], c.params["RoleSessionName"], c.params.get("ExternalId"))
        for c in fake.calls_to("AssumeRole")
    )
    assert assume == [
        (f"arn:aws:iam::{A}:role/team/reader", "wfcheck", "ext-123"),
        (f"arn:aws:iam::{B}:role/wfcheck-audit", "wfcheck", None),
    ]
    units = [(u["account"], u["region"], u["status"]) for u in report["units"]]
    assert units == [(A, "eu-west-1", "ok"), (A, "us-west-2", "ok"), (B, "us-east-1", "ok")]
    calls = fake.calls_to("ListWorkforces")
    assert sorted((c.account, c.region) for c in calls) == [
        (A, "eu-west-1"),
        (A, "us-west-2"),
        (B, "us-east-1"),
    ]
    assert all(c.access_key.startswith("ASIA") for c in calls)  # the assumed role's keys
    owners = {(r["resource"]["account"], r["resource"]["region"]) for r in flat_results(report)}
    assert owners == {(A, "eu-west-1"), (A, "us-west-2"), (B, "us-east-1")}


def test_assume_role_denied_for_one_account(start: Any, tmp_path: Path) -> None:
    fake = start(count=1, deny_assume_role={A})
    code, report, err = scan(fake, "--accounts", write(tmp_path, ACCOUNTS))
    assert code == 3
    (error,) = report["errors"]
    assert (error["account"], error["region"], error["code"]) == (A, None, "AccessDenied")
    assert f"AssumeRole arn:aws:iam::{A}:role/team/reader" in error["message"]
    assert [(u["account"], u["region"], u["status"]) for u in report["units"]] == [
        (A, "eu-west-1", "error"),
        (A, "us-west-2", "error"),
        (B, "us-east-1", "ok"),
    ]
    assert {r["resource"]["account"] for r in flat_results(report)} == {B}
    assert f"could not collect {A}: AccessDenied" in err


def test_credentials_refresh_on_long_runs(start: Any, tmp_path: Path) -> None:
    # Credentials that expire within botocore's mandatory refresh window are re-assumed
    # before the next signed request: the clients really hold refreshable credentials.
    fake = start(count=6, credential_lifetime=120)
    code, report, _ = scan(
        fake, "--role-arn", f"arn:aws:iam::{C}:role/r", "--region", "us-east-1", "--page-size", "2"
    )
    assert report["errors"] == []
    keys = [call.access_key for call in fake.calls_to("ListWorkforces")]
    assert len(keys) == 3
    assert len(set(keys)) == 3  # a fresh key for each request
    assert len(fake.calls_to("AssumeRole")) >= 4
    assert code in (0, 1)


def test_one_session_per_account_not_per_unit(
    start: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    created: list[int] = []
    real_init = botocore.session.Session.__init__

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        created.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "__init__", counting_init)
    fake = start(count=1)
    path = write(
        tmp_path,
        f"""\
        defaults: {{role_name: r, regions: [us-east-1, us-east-2, us-west-1, us-west-2]}}
        accounts: [{{id: "{A}"}}, {{id: "{B}"}}]
    """,
    )
    code, report, _ = scan(fake, "--accounts", path)
    assert len(report["units"]) == 8
    assert len(created) == 1 + 2  # the base session, then one per account
    assert code in (0, 1)


def test_role_arn_with_external_id(start: Any) -> None:
    fake = start(count=1)
    code, report, _ = scan(
        fake,
        "--role-arn",
        f"arn:aws:iam::{D}:role/audit",
        "--external-id",
        "secret-ext",
        "--region",
        "eu-west-1",
    )
    (call,) = fake.calls_to("AssumeRole")
    assert call.params["ExternalId"] == "secret-ext"
    assert report["units"][0]["account"] == D
    assert code in (0, 1)


def test_organization_listing(start: Any) -> None:
    members = [
        org_account(A),
        org_account(B),
        org_account(C, state="SUSPENDED"),
        org_account(D),
        org_account(E),
    ]
    fake = start(count=1, org_accounts=members, org_page_size=2)
    code, report, err = scan(fake, "--org", "--role-name", "wfcheck", "--region", "us-east-1")
    assert code in (0, 1)
    # nothing to report but the rules no var enables, and no urllib3 pool warnings from
    # parallel AssumeRole
    assert err.startswith("wfcheck: warning: 4 rule(s) not evaluated") and err.count("\n") == 1
    assert len(fake.calls_to("ListAccounts")) == 3  # every page
    assert sorted(c.params["RoleArn"] for c in fake.calls_to("AssumeRole")) == [
        f"arn:aws:iam::{x}:role/wfcheck" for x in (A, B, D, E)
    ]
    assert [(u["account"], u["status"]) for u in report["units"]] == [
        (A, "ok"),
        (B, "ok"),
        (C, "skipped"),
        (D, "ok"),
        (E, "ok"),
    ]
    assert {r["resource"]["account"] for r in flat_results(report)} == {A, B, D, E}


def test_organization_listing_denied(start: Any) -> None:
    fake = start(count=1, deny_list_accounts=True)
    code, report, _ = scan(fake, "--org", "--role-name", "wfcheck", "--region", "us-east-1")
    assert code == 3
    assert report["errors"][0]["code"] == "AccessDeniedException"
    assert "Organizations ListAccounts" in report["errors"][0]["message"]
    assert fake.calls_to("ListWorkforces") == []


def test_validate_accepts_an_accounts_file(tmp_path: Path) -> None:
    result = run_cli("validate", write(tmp_path, ACCOUNTS))
    assert result.code == 0, result.err
    assert "1 file(s) valid" in result.err


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("accounts:\n  - id: '12345'\n    role_name: r\n", ":2:", "'12345' is not a valid id"),
        ("accounts:\n  - id: 12345\n    role_name: r\n", ":2:", "not 12 digits"),
        (
            f"accounts:\n  - id: '{A}'\n    role_name: r\n    role_arn: arn:aws:iam::{A}:role/r\n",
            ":2:",
            "role_arn or role_name, not both",
        ),
        (
            f"accounts:\n  - id: '{A}'\n    role_name: r\n    colour: red\n",
            ":2:",
            "unknown field ('colour' was unexpected)",
        ),
        (
            f"accounts:\n  - id: '{A}'\n    role_name: r\n  - id: '{A}'\n    role_name: r\n",
            ":4:",
            "listed twice",
        ),
        (f"accounts:\n  - id: '{A}'\n", ":2:", "no role_arn or role_name"),
        (
            f"accounts:\n  - id: '{A}'\n    role_name: r\n    regions: [us-east]\n",
            ":4:",
            "regions must be a list",
        ),
        (
            f"accounts:\n  - id: '{A}'\n    role_arn: arn:aws:iam::{B}:role/r\n",
            ":3:",
            f"is not in account {A}",
        ),
        (
            f"accounts:\n  - id: '{A}'\n    role_arn: arn:aws:iam::{A}:role/{{team}}\n",
            ":3:",
            "unknown placeholder",
        ),
        ("accounts: []\n", ":1:", "should be non-empty"),
        ("accounts:\n  - id: [1\n", ":", "invalid YAML"),
    ],
)
def test_bad_accounts_files_name_file_and_line(
    start: Any, tmp_path: Path, text: str, where: str, message: str
) -> None:
    path = write(tmp_path, text)
    fake = start(count=1)
    for argv in (
        ["validate", path],
        ["scan", *live_args(fake), "--accounts", path, "--region", "us-east-1"],
    ):
        result = run_cli(*argv)
        assert result.code == 2, result.err
        assert f"{path}{where}" in result.err
        assert message in result.err
        assert len(result.err.strip().splitlines()) == 1
    assert fake.calls == []
