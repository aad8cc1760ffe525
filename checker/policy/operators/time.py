"""Time operators: how old a timestamp is at the evaluation time (``--now``)."""

from __future__ import annotations

from typing import Any

from checker.files.timestamps import parse_timestamp
from checker.policy.display import expected
from checker.policy.operators.contract import Context


def age_hours_at_most(item: Any, value: float, ctx: Context) -> str | None:
    moment = parse_timestamp(item)
    if moment is None:
        return "is not a timestamp"
    hours = (ctx.now - moment).total_seconds() / 3600
    if hours <= value:
        return None
    return expected(f"is {hours:.1f} hours old", f"at most {value:g}")
