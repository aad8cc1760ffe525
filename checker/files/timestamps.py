"""Timestamps as the different sources write them, made timezone-aware.

The AWS CLI v1 prints epoch floats, boto3 returns aware datetimes, snapshots carry ISO-8601, and
people paste ``str(datetime)``. A naive value is taken as UTC.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any


def parse_timestamp(value: Any) -> datetime | None:
    """An aware datetime, or None when the value is absent or not a timestamp."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return None


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with a ``Z``, the one spelling our outputs use."""
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")
