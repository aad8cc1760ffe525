"""Records from files: ``list-workforces`` / ``describe-workforce`` output, bare lists, snapshots.

The shape is recognized from the document, so users can pipe the AWS CLI straight in
(``aws sagemaker list-workforces | wfcheck scan --input -``).

Files stream: the ``Workforces`` or snapshot ``records`` array (or a top-level list) is read one
element at a time from a bounded buffer and each record is handed on as soon as it is read, so
a snapshot of hundreds of thousands of workforces never exists as one string or one list.
Everything around the array (a snapshot's units and errors) is small and read whole. A document
that turns out to be malformed is an ``InputError`` at its line and column, whenever it is
found: the scan stops before any report is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.files.json_documents import JsonStream
from checker.files.reading import MAX_JSON_BYTES
from checker.model import UNIT_STATES, ErrorEntry, Record, UnitState, UnitStatus
from checker.related import KINDS
from checker.sources.base import RecordSource, make_record

if TYPE_CHECKING:
    from checker.sources import SourceRequest

SNAPSHOT_SCHEMA_VERSION = 1
STREAMED = ("Workforces", "records")
"""The keys whose arrays are read element by element."""


class InputFileSource(RecordSource):
    """One JSON file (or ``-`` for stdin). The file is opened (and its size checked) here;
    records are read while :meth:`records` is iterated, once."""

    kind = "file"

    def __init__(self, path: str, max_bytes: int = MAX_JSON_BYTES) -> None:
        super().__init__()
        self.path = path
        self.max_bytes = max_bytes
        self.source_name = "stdin" if path == "-" else path
        self._snapshot_count = 0
        self._stream: JsonStream | None = JsonStream(
            path,
            limit=max_bytes,
            kind="input file",
            hint_if_too_large="raise the limit with --max-input-mb",
        )

    @property
    def name(self) -> str:
        return self.source_name

    def _fail(self, message: str) -> InputError:
        return InputError(message, file=self.source_name)

    def records(self) -> Iterator[Record]:
        stream = self._stream
        if stream is None:
            raise RuntimeError(f"{self.source_name} was already read")
        self._stream = None
        with stream:
            first = stream.peek()
            if first == "[":
                yield from self._workforces(stream, stream.items(), "")
            elif first == "{":
                yield from self._object(stream)
            else:
                value = stream.value()
                raise self._fail(
                    f"expected a JSON object or list of workforces, got {type(value).__name__}"
                )
            stream.end()

    def _object(self, stream: JsonStream) -> Iterator[Record]:
        top: dict[str, Any] = {}
        streamed: str | None = None
        for key in stream.members():
            if key in STREAMED and streamed is None and stream.peek() == "[":
                streamed = key
                if key == "records":
                    if "schema_version" in top:  # else it must follow the records
                        _check_version(self, top)
                    yield from self._snapshot_records(stream)
                else:
                    yield from self._workforces(stream, stream.items(), "Workforces")
                continue
            top[key] = stream.value()
            if key == "schema_version" and streamed != "Workforces":
                _check_version(self, top)
        yield from self._rest(stream, top, streamed)

    def _rest(
        self, stream: JsonStream, top: dict[str, Any], streamed: str | None
    ) -> Iterator[Record]:
        """What the members not streamed make of the object: the rest of a snapshot, one
        workforce, or an error naming the shape expected."""
        snapshot = streamed == "records" or "schema_version" in top or "records" in top
        if snapshot:
            if streamed == "Workforces":
                raise self._fail(
                    "both Workforces (list-workforces) and a snapshot's schema_version or "
                    "records: not one input shape"
                )
            _check_version(self, top)
            if streamed is None:
                raise self._fail("snapshot: records must be a list")
            self._snapshot_rest(top)
            return
        if streamed == "Workforces":
            return
        if "Workforces" in top:
            raise self._fail("Workforces: expected a list")
        if "Workforce" in top:
            yield from self._workforces(stream, iter([top["Workforce"]]), "Workforce", single=True)
            return
        if "WorkforceName" in top or "WorkforceArn" in top:
            yield from self._workforces(stream, iter([top]), "", single=True)
            return
        keys = ", ".join(sorted(str(k) for k in top)[:5]) or "none"
        raise self._fail(
            'not a recognized input: expected {"Workforces": [...]} (list-workforces), '
            '{"Workforce": {...}} (describe-workforce), a list of workforces or a wfcheck '
            f"snapshot; top-level keys: {keys}"
        )

    def _workforces(
        self, stream: JsonStream, items: Iterator[Any], where: str, single: bool = False
    ) -> Iterator[Record]:
        count = 0
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                label = where if single else f"{where}[{index}]" if where else f"[{index}]"
                raise stream.fail(
                    f"{label}: expected a workforce object, got {type(item).__name__}",
                    None if single else stream.last,
                )
            yield make_record(item, source=self.source_name, source_kind="file")
            count += 1
        self.units.append(UnitStatus(self.source_name, "ok", count))

    def _snapshot_records(self, stream: JsonStream) -> Iterator[Record]:
        for index, entry in enumerate(stream.items()):
            if not isinstance(entry, dict) or not isinstance(entry.get("workforce"), dict):
                raise stream.fail(
                    f"records[{index}]: expected {{account, region, workforce: {{...}}}}",
                    stream.last,
                )
            yield make_record(
                entry["workforce"],
                source=self.source_name,
                source_kind="snapshot",
                account=_shared(entry.get("account")),
                region=_shared(entry.get("region")),
                related=_related(entry.get("related"), f"records[{index}].related", self),
            )
            self._snapshot_count += 1

    def _snapshot_rest(self, data: dict[str, Any]) -> None:
        """A snapshot's units and errors (read once its records are)."""
        units = data.get("units") or []
        errors = data.get("errors") or []
        if not isinstance(units, list):
            raise self._fail("snapshot: units must be a list")
        if not isinstance(errors, list):
            raise self._fail("snapshot: errors must be a list")
        for index, unit in enumerate(units):
            if not isinstance(unit, dict):
                raise self._fail(f"units[{index}]: expected an object")
            self.units.append(
                UnitStatus(
                    source=self.source_name,
                    status=_unit_state(unit.get("status", "ok"), f"units[{index}].status", self),
                    records=_count(unit.get("records"), f"units[{index}].records", self),
                    account=_text(unit.get("account")),
                    region=_text(unit.get("region")),
                    resume_token=_text(unit.get("resume_token")),
                    note=_text(unit.get("note")),
                )
            )
        for index, error in enumerate(errors):
            if not isinstance(error, dict):
                raise self._fail(f"errors[{index}]: expected an object")
            self.errors.append(
                ErrorEntry(
                    source=self.source_name,
                    message=str(error.get("message", "")),
                    code=str(error.get("code", "Error")),
                    account=_text(error.get("account")),
                    region=_text(error.get("region")),
                )
            )
        if not self.units:
            self.units.append(UnitStatus(self.source_name, "ok", self._snapshot_count))


def _related(value: Any, where: str, source: InputFileSource) -> dict[str, str | None] | None:
    """A snapshot record's ``related``: kind -> null (read) or why it could not be read."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        kind in KINDS and (why is None or isinstance(why, str)) for kind, why in value.items()
    ):
        raise source._fail(
            f"{where}: expected an object of related kinds ({', '.join(KINDS)}) to null or a "
            "message"
        )
    return dict(value)


def _check_version(source: InputFileSource, top: dict[str, Any]) -> None:
    version = top.get("schema_version")
    if version != SNAPSHOT_SCHEMA_VERSION or isinstance(version, bool):
        raise source._fail(
            f"unsupported snapshot schema_version {version!r} "
            f"(this wfcheck reads {SNAPSHOT_SCHEMA_VERSION})"
        )


def _shared(value: Any) -> Any:
    """One string object per distinct account or region: a scan keeps every record's resource,
    and an estate has few accounts per region and few regions."""
    return sys.intern(value) if type(value) is str else value


def _text(value: Any) -> str | None:
    """An optional string field of a snapshot's unit or error, as text (never a structure)."""
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _unit_state(value: Any, where: str, source: InputFileSource) -> UnitState:
    for state in UNIT_STATES:
        if value == state:
            return state
    raise source._fail(f"{where}: expected one of {', '.join(UNIT_STATES)}, got {value!r}")


def _count(value: Any, where: str, source: InputFileSource) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise source._fail(f"{where}: expected a count, got {value!r}")
    return value


def open_sources(paths: Sequence[str], request: SourceRequest) -> list[RecordSource]:
    """One source per input file (``checker.sources`` registry interface)."""
    return [InputFileSource(path, request.max_input_bytes) for path in paths]


def recognizes(path: str) -> bool:
    """Any JSON file: the shape is recognized, or refused, when it is read."""
    return True
