"""LiveOptions (checker/sources/aws/options.py): every bad value is one message before any call,
the snapshot's description carries no secret, and the module stays light to import."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from checker.errors import UsageError
from checker.sources.aws.options import ListOptions, LiveOptions
from tests.conftest import ROOT

ROLE = "arn:aws:iam::123456789012:role/audit"


def listing(**values: Any) -> LiveOptions:
    return LiveOptions(listing=ListOptions(**values))


@pytest.mark.parametrize(
    "options, message",
    [
        (listing(page_size=0), "--page-size 0: must be 1-100"),
        (listing(page_size=101), "--page-size 101: must be 1-100"),
        (listing(max_items=0), "--max-items 0: must be at least 1"),
        (listing(name_contains="a b"), "--name-contains 'a b': letters, digits and hyphens"),
        (listing(name_contains="-x"), "--name-contains '-x'"),
        (listing(name_contains="x" * 64), "1-63 characters"),
        (listing(sort_by="Size"), "--sort-by: one of Name, CreateDate"),
        (listing(sort_order="Up"), "--sort-order: one of Ascending, Descending"),
        (LiveOptions(workers=0), "--workers 0: must be 1-256"),
        (LiveOptions(workers=257), "--workers 257: must be 1-256"),
        (LiveOptions(retry_mode="legacy"), "--retry-mode: one of standard, adaptive"),  # type: ignore[arg-type]
        (LiveOptions(max_attempts=0), "--max-attempts 0: must be 1-20"),
        (LiveOptions(max_attempts=21), "--max-attempts 21: must be 1-20"),
        (LiveOptions(timeout=0), "--timeout 0: seconds, more than 0 and at most 900"),
        (LiveOptions(timeout=901), "--timeout 901"),
        (LiveOptions(regions=("all", "us-east-1")), "--region all cannot be combined"),
        (LiveOptions(regions=("us-east",)), "--region 'us-east': not a region name"),
        (LiveOptions(role_arn=ROLE, org=True, role_name="r"), "--role-arn and --org cannot"),
        (
            LiveOptions(role_arn=ROLE, accounts_file="a.yaml", org=True, role_name="r"),
            "--role-arn and --accounts and --org cannot be combined: pick one",
        ),
        (LiveOptions(org=True), "--org needs --role-name NAME"),
        (LiveOptions(role_name="r"), "--role-name applies to --org or --accounts only"),
        (LiveOptions(role_arn="role/audit"), "--role-arn 'role/audit': expected arn:aws:iam::"),
        (
            LiveOptions(
                listing=ListOptions(starting_token="t"), regions=("us-east-1", "eu-west-1")
            ),
            "--starting-token resumes one listing",
        ),
        (
            LiveOptions(listing=ListOptions(starting_token="t"), regions=("all",)),
            "--starting-token resumes one listing",
        ),
        (
            LiveOptions(listing=ListOptions(starting_token="t"), accounts_file="a.yaml"),
            "--starting-token resumes one listing",
        ),
        (listing(page_size=0, max_items=0), "--page-size 0"),  # the first problem only
    ],
)
def test_bad_values_are_one_usage_error(options: LiveOptions, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        options.check()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        LiveOptions(),
        LiveOptions(regions=("all",), workers=256, max_attempts=20, timeout=900),
        LiveOptions(regions=("us-gov-west-1", "cn-north-1", "eu-central-2")),
        LiveOptions(role_arn=ROLE, listing=ListOptions(starting_token="t"), regions=("us-east-1",)),
        LiveOptions(org=True, role_name="audit/wfcheck", external_id="ext-1"),
        LiveOptions(accounts_file="a.yaml", role_name="audit"),
        listing(name_contains="team-a", sort_by="Name", sort_order="Ascending", page_size=100),
    ],
)
def test_good_values_pass(options: LiveOptions) -> None:
    options.check()


def test_list_parameters_and_pagination_hold_only_what_was_set() -> None:
    options = ListOptions(name_contains="team", page_size=5, starting_token="tok")
    assert options.parameters() == {"NameContains": "team"}
    assert options.pagination_config() == {"PageSize": 5, "StartingToken": "tok"}
    assert ListOptions().parameters() == ListOptions().pagination_config() == {}


def test_describe_keeps_no_secret() -> None:
    options = LiveOptions(
        endpoint_url="https://user:hunter2@vpce.example.com:8443/path?token=x",
        external_id="shared-secret",
        org=True,
        role_name="audit",
        listing=ListOptions(max_items=3),
    )
    data = options.describe()
    assert data["endpoint_url"] == "https://vpce.example.com:8443/path"
    assert data["external_id"] == "(set)"
    assert "hunter2" not in repr(data) and "shared-secret" not in repr(data)
    assert data["max_items"] == 3 and data["org"] is True
    assert "sort_by" not in data  # unset values are left out
    assert replace(options, external_id=None).describe().get("external_id") is None


def test_importing_the_options_loads_no_aws_code() -> None:
    """The command-line parser imports this module: never boto3, nor the collector."""
    code = (
        "import sys\n"
        "import checker.sources.aws.options\n"
        "print(sorted(m for m in sys.modules if m.startswith(('boto', 'botocore', "
        "'concurrent', 'checker.sources.aws.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == "['checker.sources.aws.options']", done.stderr
