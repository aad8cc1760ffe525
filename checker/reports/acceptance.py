"""Why a failure was accepted, for every writer that shows it.

Waivers annotate a result with ``{"waiver": {"reason", "owner", "expires", "ticket"}}`` and a
baseline with ``{"baseline": true}``; a plain ``{"reason": ...}`` annotation is read too, so
other acceptance sources need no writer changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.model import Result

WAIVER_FIELDS = ("reason", "owner", "expires", "ticket")


def acceptance_details(annotation: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) pairs a reader needs: a waiver's reason, owner, expiry and ticket; that a
    result is in the baseline; or a plain reason."""
    annotation = annotation or {}
    waiver = annotation.get("waiver")
    if isinstance(waiver, Mapping):
        return [(key, str(waiver[key])) for key in WAIVER_FIELDS if waiver.get(key)]
    details = []
    if annotation.get("baseline"):
        details.append(("baseline", "known failure listed in the baseline file"))
    if annotation.get("reason"):
        details.append(("reason", str(annotation["reason"])))
    return details


def acceptance_text(annotation: Mapping[str, Any] | None) -> str | None:
    """``REASON (owner OWNER, ticket TICKET, expires DATE)``, or None when nothing says why."""
    annotation = annotation or {}
    waiver = annotation.get("waiver")
    if isinstance(waiver, Mapping) and waiver.get("reason"):
        extras = [
            f"{key} {waiver[key]}" for key in ("owner", "ticket", "expires") if waiver.get(key)
        ]
        text = str(waiver["reason"])
        return f"{text} ({', '.join(extras)})" if extras else text
    reason = annotation.get("reason")
    return str(reason) if reason else None


def acceptance_reason(result: Result) -> str | None:
    """:func:`acceptance_text` of a result's annotation."""
    return acceptance_text(result.annotation)
