"""Offline inputs: every shape the AWS CLI, boto3 users and wfcheck itself write."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.files import json_documents, reading
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
        list(load(tmp_path, data).records())
    assert fragment in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "input.json"))


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"Workforces": [\n  {"WorkforceName": "a",}\n]}\n')
    with pytest.raises(InputError) as info:
        list(InputFileSource(str(path)).records())
    assert (info.value.line, info.value.column) == (2, 25)
    assert "invalid JSON" in str(info.value)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + " " * 2048 + "]")
    with pytest.raises(InputError, match=r"larger than 0 MiB"):
        InputFileSource(str(path), max_bytes=1024)


# --- streaming ----------------------------------------------------------------------------------


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read 7 bytes at a time: every value, string and escape is cut somewhere."""
    monkeypatch.setattr(json_documents, "CHUNK_BYTES", 7)


def write(tmp_path: Path, text: str, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def names(path: str, **kwargs: int) -> list[str | None]:
    return [record.resource.name for record in InputFileSource(path, **kwargs).records()]


WORKFORCES = [
    {"WorkforceName": f"wf-{n}", "SourceIpConfig": {"Cidrs": [f"10.{n}.0.0/16"]}, "N": n * 1.5}
    for n in range(40)
] + [
    {"WorkforceName": 'ünïcødé \u2028 \\ "quoted" 😀', "Big": "x" * 5000},
    {"WorkforceName": "last", "Numbers": [0, -1, 1e300, 12345678901234567890, True, None]},
]


@pytest.mark.parametrize(
    "document",
    [
        {"Workforces": WORKFORCES},
        WORKFORCES,
        {
            "schema_version": 1,
            "units": [{"status": "ok", "records": len(WORKFORCES)}],
            "records": [{"account": "1", "region": "r", "workforce": w} for w in WORKFORCES],
        },
        {  # a snapshot whose keys come in another order: records first, units and version last
            "records": [{"account": "1", "region": "r", "workforce": w} for w in WORKFORCES],
            "errors": [],
            "schema_version": 1,
        },
    ],
)
@pytest.mark.parametrize("indent", [None, 2])
def test_streamed_records_equal_the_document(
    tmp_path: Path, small_chunks: None, document: object, indent: int | None
) -> None:
    path = write(tmp_path, "\ufeff" + json.dumps(document, indent=indent, ensure_ascii=False))
    records = list(InputFileSource(path).records())
    assert [r.workforce.get("WorkforceName") for r in records] == [
        w["WorkforceName"] for w in WORKFORCES
    ]
    assert records[-1].workforce["Numbers"] == [0, -1, 1e300, 12345678901234567890, True, None]
    assert records[-2].workforce["Big"] == "x" * 5000


def test_records_are_handed_on_while_the_file_is_read(tmp_path: Path, small_chunks: None) -> None:
    """The first records reach the engine before the end of the file is even read."""
    body = ",\n".join(json.dumps({"WorkforceName": f"wf-{n}"}) for n in range(50))
    path = write(tmp_path, '{"Workforces": [\n' + body + ',\n  {"WorkforceName": 1,}\n]}')
    records = InputFileSource(path).records()
    assert next(records).resource.name == "wf-0"
    seen = 1
    with pytest.raises(InputError) as info:
        for _ in records:
            seen += 1
    assert seen == 50
    assert (info.value.line, info.value.column) == (52, 23)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            '[{"WorkforceName": "a"}, {"WorkforceName": "a", "WorkforceName": "b"}]',
            1,
            49,
            'duplicate key "WorkforceName"',
        ),
        ('{"Workforces": [], "Workforces": []}', 1, 20, 'duplicate key "Workforces"'),
        ('[\n  {"a": {"b": 1, "b": 2}}\n]', 2, 18, 'duplicate key "b"'),
        ('[{"a": 1}, {"a": 2}', 1, 20, "invalid JSON: Expecting ',' delimiter"),
        ('[{"a": 1},]', 1, 11, "invalid JSON: Expecting value"),
        ('[{"a": 1}, 7]', 1, 12, "[1]: expected a workforce object, got int"),
        ('[{"WorkforceName": "a"}] []', 1, 26, "invalid JSON: Extra data"),
        ("", 1, 1, "invalid JSON: Expecting value"),
        ('{"Workforces": [{"WorkforceName": "unterminated}]}', 1, 35, "Unterminated string"),
        ('{"Workforces" [] }', 1, 15, "Expecting ':' delimiter"),
    ],
)
def test_errors_name_line_and_column(
    tmp_path: Path, small_chunks: None, text: str, line: int, column: int, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        list(InputFileSource(path).records())
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert message in str(info.value)


def test_positions_stay_right_after_the_buffer_moves_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_documents, "CHUNK_BYTES", 64)
    lines = ['{"Workforces": ['] + [f'  {{"WorkforceName": "wf-{n}"}},' for n in range(300)]
    lines += ['  {"WorkforceName": "x", "WorkforceName": "y"}', "]}"]
    path = write(tmp_path, "\n".join(lines))
    with pytest.raises(InputError) as info:
        list(InputFileSource(path).records())
    assert (info.value.line, info.value.column) == (302, 26)


def test_invalid_utf8_is_located(tmp_path: Path, small_chunks: None) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(b'[\n  {"WorkforceName": "ok"},\n  {"WorkforceName": "b\xffad"}\n]')
    with pytest.raises(InputError) as info:
        list(InputFileSource(str(path)).records())
    assert "not valid UTF-8 (byte 0xff)" in str(info.value)
    assert (info.value.line, info.value.column) == (3, 23)


def test_stdin_is_counted_against_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("[" + ",".join(['{"WorkforceName": "x"}'] * 100) + "]").encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    with pytest.raises(InputError, match="larger than 0 MiB"):
        list(InputFileSource("-", max_bytes=1000).records())


def test_a_regular_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    with path.open("wb") as handle:  # sparse: reading it would take a while
        handle.write(b"[")
        handle.seek(2 * 1024 * 1024 * 1024)
        handle.write(b"]")
    with pytest.raises(InputError, match="larger than 1 MiB") as info:
        InputFileSource(str(path), max_bytes=1024 * 1024)
    assert info.value.hint == "raise the limit with --max-input-mb"


def test_the_default_limit_takes_a_large_estate() -> None:
    """A 100,000-record snapshot is about 57 MB; the default takes several of those."""
    assert reading.MAX_JSON_BYTES >= 4 * 57 * 1000 * 1000


@settings(max_examples=60, deadline=None)
@given(
    workforces=st.lists(
        st.dictionaries(
            st.text(max_size=6),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=4), inner, max_size=3)
                ),
                max_leaves=6,
            ),
            max_size=4,
        ),
        max_size=6,
    ),
    chunk=st.integers(min_value=1, max_value=40),
    indent=st.sampled_from([None, 1]),
)
def test_any_document_streams_like_json_loads(
    tmp_path_factory: pytest.TempPathFactory,
    workforces: list[dict[str, object]],
    chunk: int,
    indent: int | None,
) -> None:
    import unittest.mock

    path = tmp_path_factory.mktemp("doc") / "input.json"
    path.write_text(json.dumps({"Workforces": workforces}, indent=indent), encoding="utf-8")
    with unittest.mock.patch.object(json_documents, "CHUNK_BYTES", chunk):
        records = list(InputFileSource(str(path)).records())
    expected = [{k: v for k, v in w.items() if v is not None} for w in workforces]
    assert [
        {k: v for k, v in r.workforce.items() if k not in ("CreateDate", "LastUpdatedDate")}
        for r in records
    ] == [
        {k: v for k, v in w.items() if k not in ("CreateDate", "LastUpdatedDate")} for w in expected
    ]
