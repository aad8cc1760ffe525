"""Offline inputs: every shape the AWS CLI, boto3 users and wfcheck itself write."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.sources.files import InputFileSource

WORKFORCE = {
    "WorkforceName": "wf",
    "WorkforceArn": "arn:aws:sagemaker:eu-west-1:123456789012:workforce/wf",
    "SourceIpConfig": {"Cidrs": []},
    "CreateDate": 1764000000.5,
    "LastUpdatedDate": "2025-11-24T16:00:00Z",
    "OidcConfig": None,
    "SomeFutureField": {"kept": True},
}
EXPECTED_CREATE = datetime(2025, 11, 24, 16, 0, 0, 500000, tzinfo=timezone.utc)


def load(tmp_path: Path, data: object) -> InputFileSource:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data))
    return InputFileSource(str(path))


@pytest.mark.parametrize(
    "shape",
    [
        {"Workforces": [WORKFORCE]},
        {"Workforce": WORKFORCE},
        [WORKFORCE],
        WORKFORCE,
        {
            "schema_version": 1,
            "records": [{"account": "123456789012", "region": "eu-west-1", "workforce": WORKFORCE}],
        },
    ],
)
def test_shapes(tmp_path: Path, shape: object) -> None:
    (record,) = list(load(tmp_path, shape).records())
    assert record.resource.name == "wf"
    assert record.resource.account == "123456789012"
    assert record.resource.region == "eu-west-1"
    assert record.workforce["CreateDate"] == EXPECTED_CREATE
    assert record.workforce["LastUpdatedDate"] == datetime(2025, 11, 24, 16, tzinfo=timezone.utc)
    assert "OidcConfig" not in record.workforce  # null block is absent
    assert record.workforce["SomeFutureField"] == {"kept": True}
    assert record.workforce["SourceIpConfig"] == {"Cidrs": []}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (1764000000, datetime(2025, 11, 24, 16, tzinfo=timezone.utc)),
        ("2025-11-24T18:00:00+02:00", datetime(2025, 11, 24, 16, tzinfo=timezone.utc)),
        ("2025-11-24 16:00:00+00:00", datetime(2025, 11, 24, 16, tzinfo=timezone.utc)),
        (
            "2025-11-24 16:00:00.123456+00:00",
            datetime(2025, 11, 24, 16, 0, 0, 123456, tzinfo=timezone.utc),
        ),
        ("2025-11-24T16:00:00", datetime(2025, 11, 24, 16, tzinfo=timezone.utc)),
    ],
)
def test_timestamp_spellings(tmp_path: Path, written: object, expected: datetime) -> None:
    (record,) = list(load(tmp_path, [{**WORKFORCE, "CreateDate": written}]).records())
    assert record.workforce["CreateDate"] == expected


def test_unparseable_timestamp_is_kept_for_rules_to_fail(tmp_path: Path) -> None:
    (record,) = list(load(tmp_path, [{**WORKFORCE, "CreateDate": "last tuesday"}]).records())
    assert record.workforce["CreateDate"] == "last tuesday"


def test_snapshot_origin_beats_the_arn(tmp_path: Path) -> None:
    source = load(
        tmp_path,
        {
            "schema_version": 1,
            "records": [{"account": "999999999999", "region": "us-west-2", "workforce": WORKFORCE}],
        },
    )
    (record,) = list(source.records())
    assert (record.resource.account, record.resource.region) == ("999999999999", "us-west-2")
    assert record.resource.source_kind == "snapshot"


def test_snapshot_errors_and_units_are_carried(tmp_path: Path) -> None:
    source = load(
        tmp_path,
        {
            "schema_version": 1,
            "records": [],
            "units": [{"account": "1", "region": "r", "status": "error"}],
            "errors": [{"account": "1", "region": "r", "code": "AccessDenied", "message": "no"}],
        },
    )
    assert list(source.records()) == []
    assert source.errors[0].code == "AccessDenied"
    assert source.units[0].status == "error"


def test_no_arn_no_origin(tmp_path: Path) -> None:
    (record,) = list(load(tmp_path, [{"WorkforceName": "x"}]).records())
    assert record.resource.account is None and record.resource.region is None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"Workforces": {}}, "Workforces: expected a list"),
        ({"Workforces": [1]}, "Workforces[0]: expected a workforce object"),
        ({"Items": []}, "not a recognized input"),
        ({"schema_version": 2, "records": []}, "unsupported snapshot schema_version 2"),
        ({"schema_version": 1, "records": [{"workforce": 1}]}, "records[0]"),
        ("just a string", "expected a JSON object or list"),
    ],
)
def test_bad_shapes(tmp_path: Path, data: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        load(tmp_path, data)
    assert fragment in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "input.json"))


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"Workforces": [\n  {"WorkforceName": "a",}\n]}\n')
    with pytest.raises(InputError) as info:
        InputFileSource(str(path))
    assert info.value.line == 2
    assert "invalid JSON" in str(info.value)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + " " * 2048 + "]")
    with pytest.raises(InputError, match=r"larger than 0 MiB"):
        InputFileSource(str(path), max_bytes=1024)
