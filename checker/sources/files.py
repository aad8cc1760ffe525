"""Records from files: ``list-workforces`` / ``describe-workforce`` output, bare lists, snapshots.

The shape is recognized from the document, so users can pipe the AWS CLI straight in
(``aws sagemaker list-workforces | wfcheck scan --input -``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.files.loading import MAX_JSON_BYTES, load_json
from checker.model import ErrorEntry, Record, UnitStatus
from checker.sources.base import RecordSource, make_record

if TYPE_CHECKING:
    from checker.sources import SourceRequest

SNAPSHOT_SCHEMA_VERSION = 1


class InputFileSource(RecordSource):
    """One JSON file (or ``-`` for stdin)."""

    kind = "file"

    def __init__(self, path: str, max_bytes: int = MAX_JSON_BYTES) -> None:
        super().__init__()
        self.path = path
        self.max_bytes = max_bytes
        self.source_name = "stdin" if path == "-" else path
        self._records: list[Record] = self._load()

    @property
    def name(self) -> str:
        return self.source_name

    def records(self) -> Iterator[Record]:
        yield from self._records

    def _fail(self, message: str) -> InputError:
        return InputError(message, file=self.source_name)

    def _load(self) -> list[Record]:
        data = load_json(self.path, kind="input file", limit=self.max_bytes)
        if isinstance(data, list):
            return self._workforces(data, "")
        if not isinstance(data, dict):
            raise self._fail(
                f"expected a JSON object or list of workforces, got {type(data).__name__}"
            )
        if "schema_version" in data or "records" in data:
            return self._snapshot(data)
        if "Workforces" in data:
            if not isinstance(data["Workforces"], list):
                raise self._fail("Workforces: expected a list")
            return self._workforces(data["Workforces"], "Workforces")
        if "Workforce" in data:
            return self._workforces([data["Workforce"]], "Workforce")
        if "WorkforceName" in data or "WorkforceArn" in data:
            return self._workforces([data], "")
        keys = ", ".join(sorted(str(k) for k in data)[:5]) or "none"
        raise self._fail(
            'not a recognized input: expected {"Workforces": [...]} (list-workforces), '
            '{"Workforce": {...}} (describe-workforce), a list of workforces or a wfcheck '
            f"snapshot; top-level keys: {keys}"
        )

    def _workforces(self, items: list[Any], where: str) -> list[Record]:
        records = []
        for index, item in enumerate(items):
            label = f"{where}[{index}]" if where else f"[{index}]"
            if not isinstance(item, dict):
                raise self._fail(f"{label}: expected a workforce object, got {type(item).__name__}")
            records.append(make_record(item, source=self.source_name, source_kind="file"))
        self.units.append(UnitStatus(self.source_name, "ok", len(records)))
        return records

    def _snapshot(self, data: dict[str, Any]) -> list[Record]:
        version = data.get("schema_version")
        if version != SNAPSHOT_SCHEMA_VERSION:
            raise self._fail(
                f"unsupported snapshot schema_version {version!r} "
                f"(this wfcheck reads {SNAPSHOT_SCHEMA_VERSION})"
            )
        entries = data.get("records")
        if not isinstance(entries, list):
            raise self._fail("snapshot: records must be a list")
        records = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("workforce"), dict):
                raise self._fail(
                    f"records[{index}]: expected {{account, region, workforce: {{...}}}}"
                )
            records.append(
                make_record(
                    entry["workforce"],
                    source=self.source_name,
                    source_kind="snapshot",
                    account=entry.get("account"),
                    region=entry.get("region"),
                )
            )
        for index, unit in enumerate(data.get("units") or []):
            if not isinstance(unit, dict):
                raise self._fail(f"units[{index}]: expected an object")
            self.units.append(
                UnitStatus(
                    source=self.source_name,
                    status=str(unit.get("status", "ok")),
                    records=int(unit.get("records") or 0),
                    account=unit.get("account"),
                    region=unit.get("region"),
                    resume_token=unit.get("resume_token"),
                    note=unit.get("note"),
                )
            )
        for index, error in enumerate(data.get("errors") or []):
            if not isinstance(error, dict):
                raise self._fail(f"errors[{index}]: expected an object")
            self.errors.append(
                ErrorEntry(
                    source=self.source_name,
                    message=str(error.get("message", "")),
                    code=str(error.get("code", "Error")),
                    account=error.get("account"),
                    region=error.get("region"),
                )
            )
        if not self.units:
            self.units.append(UnitStatus(self.source_name, "ok", len(records)))
        return records


def open_sources(paths: Sequence[str], request: SourceRequest) -> list[RecordSource]:
    """One source per input file (``checker.sources`` registry interface)."""
    return [InputFileSource(path, request.max_input_bytes) for path in paths]


def recognizes(path: str) -> bool:
    """Any JSON file: the shape is recognized, or refused, when it is read."""
    return True
