"""The snapshot ``wfcheck fetch`` writes: audit evidence that ``scan --input`` reads back.

Records keep the API's shape (timestamps as ISO-8601 UTC); each carries its account and region.
The document streams (one record per line, written as the collection yields it); units and
errors follow the records, since they are complete only once every record is read.
Units say how every account x region ended (with resume tokens) and errors say what could not
be read, so a scan of the snapshot reports exactly what the live scan would have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from checker import __version__
from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry, Record, UnitStatus
from checker.reports.json import dumps, error_to_dict, unit_to_dict
from checker.sources.files import SNAPSHOT_SCHEMA_VERSION


def _plain(value: Any) -> Any:
    """Datetimes as ISO-8601 UTC; everything else as JSON already allows."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def write_snapshot(
    stream: TextIO,
    records: Iterable[Record],
    units: Callable[[], Sequence[UnitStatus]],
    errors: Callable[[], Sequence[ErrorEntry]],
    *,
    options: Mapping[str, Any],
    generated_at: datetime,
) -> int:
    """The snapshot document, written while ``records`` are read (one record per line); units
    and errors come last, once the records are exhausted and they are complete. Returns how
    many records were written. Strings stay exact (UTF-8), with no raw control characters."""

    def strip_source(item: dict[str, Any]) -> dict[str, Any]:
        item.pop("source", None)
        return item

    stream.write(f'{{\n  "schema_version": {SNAPSHOT_SCHEMA_VERSION},\n')
    stream.write(f'  "tool": {dumps({"name": "wfcheck", "version": __version__})},\n')
    stream.write(f'  "generated_at": {dumps(format_timestamp(generated_at))},\n')
    stream.write(f'  "options": {dumps(_plain(dict(options)))},\n')
    stream.write('  "records": [')
    count = 0
    for record in records:
        entry = {
            "account": record.resource.account,
            "region": record.resource.region,
            "workforce": _plain(dict(record.workforce)),
        }
        if record.related is not None:
            entry["related"] = dict(sorted(record.related.items()))
        stream.write(("\n    " if not count else ",\n    ") + dumps(entry))
        count += 1
    stream.write("\n  ],\n" if count else "],\n")
    unit_lines = [dumps(strip_source(unit_to_dict(unit))) for unit in units()]
    error_lines = [dumps(strip_source(error_to_dict(error))) for error in errors()]
    for key, lines, last in (("units", unit_lines, False), ("errors", error_lines, True)):
        body = ",\n".join(f"    {line}" for line in lines)
        stream.write(f'  "{key}": [\n{body}\n  ]' if lines else f'  "{key}": []')
        stream.write("\n" if last else ",\n")
    stream.write("}\n")
    return count
