"""The snapshot ``wfcheck fetch`` writes: audit evidence that ``scan --input`` reads back.

Records keep the API's shape (timestamps as ISO-8601 UTC); each carries its account and region.
Units say how every account x region ended (with resume tokens) and errors say what could not
be read, so a scan of the snapshot reports exactly what the live scan would have.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from checker import __version__
from checker.files.timestamps import format_timestamp
from checker.model import ErrorEntry, Record, UnitStatus
from checker.reports.json import error_to_dict, unit_to_dict
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


def snapshot_document(
    records: Iterable[Record],
    units: Sequence[UnitStatus],
    errors: Sequence[ErrorEntry],
    *,
    options: Mapping[str, Any],
    generated_at: datetime,
) -> dict[str, Any]:
    def strip_source(item: dict[str, Any]) -> dict[str, Any]:
        item.pop("source", None)
        return item

    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "tool": {"name": "wfcheck", "version": __version__},
        "generated_at": format_timestamp(generated_at),
        "options": _plain(dict(options)),
        "units": [strip_source(unit_to_dict(unit)) for unit in units],
        "errors": [strip_source(error_to_dict(error)) for error in errors],
        "records": [
            {
                "account": record.resource.account,
                "region": record.resource.region,
                "workforce": _plain(dict(record.workforce)),
            }
            for record in records
        ],
    }


def render_snapshot(
    records: Iterable[Record],
    units: Sequence[UnitStatus],
    errors: Sequence[ErrorEntry],
    *,
    options: Mapping[str, Any],
    generated_at: datetime,
) -> str:
    document = snapshot_document(records, units, errors, options=options, generated_at=generated_at)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
