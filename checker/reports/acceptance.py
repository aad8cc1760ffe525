"""Why a failure was accepted, as one line, for the writers that show it (SARIF, JUnit, CSV).

Waivers annotate a result with ``{"waiver": {"reason", "owner", "expires", "ticket"}}``; a plain
``{"reason": ...}`` annotation is read too, so other acceptance sources need no writer changes.
"""

from __future__ import annotations

from checker.model import Result


def acceptance_reason(result: Result) -> str | None:
    """``REASON (owner OWNER, ticket TICKET, expires DATE)``, or None when nothing says why."""
    annotation = result.annotation or {}
    waiver = annotation.get("waiver")
    if isinstance(waiver, dict) and waiver.get("reason"):
        extras = [
            f"{key} {waiver[key]}" for key in ("owner", "ticket", "expires") if waiver.get(key)
        ]
        text = str(waiver["reason"])
        return f"{text} ({', '.join(extras)})" if extras else text
    reason = annotation.get("reason")
    return str(reason) if reason else None
