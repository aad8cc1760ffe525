"""Waivers: accountable, expiring exceptions that turn matching failures into ``waived``.

A waiver names one rule (an id, or a glob only when it contains ``*``, ``?`` or ``[``) and one
resource selector (``arn``, ``name``, ``account`` + optional ``region``, or ``address``), each
exact unless written as a glob; matching is ``fnmatchcase`` or equality, never substrings, so a
waiver never mutes more than its author wrote. ``expires`` is evaluated against the scan's
``--now`` in UTC: a date means valid through the end of that day UTC; a date-time ends at that
moment (a naive one is taken as UTC). An expired waiver stops applying and is reported, so an
exception cannot silently become a permanent hole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from fnmatch import translate
from functools import lru_cache
from typing import Any

from checker.errors import InputError
from checker.files.reading import Located, PathKey
from checker.files.schemacheck import check_document, field_name, load_schema
from checker.files.timestamps import format_timestamp
from checker.files.yaml_documents import load_yaml
from checker.model import Resource, Result, Status

_GLOB = re.compile(r"[*?\[]")  # the characters that make a selector value a glob
SELECTORS = ("arn", "name", "account", "address")
EXPIRY_WARNING = timedelta(days=14)
#: Statuses a waiver can accept: a failure, or one that cannot be decided yet. An ``error``
#: (the rule could not be evaluated) is never waived: nothing unproven passes.
WAIVABLE = frozenset({Status.FAIL, Status.UNKNOWN})


def is_glob(text: str) -> bool:
    return _GLOB.search(text) is not None


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Callable[[str], object]:
    """The pattern compiled once: ``fnmatchcase``'s own translation for a glob, else equality."""
    if is_glob(pattern):
        return re.compile(translate(pattern)).match
    return pattern.__eq__


def matches(pattern: str, value: str | None) -> bool:
    """Equality, or ``fnmatchcase`` when the pattern was written as a glob. Never substrings."""
    return value is not None and bool(_matcher(pattern)(value))


@dataclass(frozen=True, slots=True)
class Waiver:
    """One validated waiver entry. ``ends`` is the first moment (UTC) it no longer applies."""

    rule: str
    selector: str
    value: str
    region: str | None
    reason: str
    owner: str
    expires: str
    ends: datetime
    ticket: str | None
    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def label(self) -> str:
        target = f"{self.selector} {self.value}"
        if self.region is not None:
            target += f" region {self.region}"
        return f"waiver {self.where} ({self.rule} on {target})"

    def applies_to(self, result: Result) -> bool:
        return matches(self.rule, result.rule_id) and self.selects(result.resource)

    def selects(self, res: Resource) -> bool:
        """Whether the resource selector matches (the rule is checked separately)."""
        if self.selector == "account":
            return matches(self.value, res.account) and (
                self.region is None or matches(self.region, res.region)
            )
        return matches(self.value, getattr(res, self.selector))

    def annotation(self) -> dict[str, Any]:
        return {
            "waiver": {
                "reason": self.reason,
                "owner": self.owner,
                "expires": self.expires,
                "ticket": self.ticket,
            }
        }


def parse_expiry(value: Any) -> tuple[str, datetime] | None:
    """(as written, end moment in UTC) for a YAML date/date-time or an ISO string; else None."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = (
                date.fromisoformat(text)
                if len(text) == 10
                else datetime.fromisoformat(
                    text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
                )
            )
        except ValueError:
            return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        moment = moment.astimezone(timezone.utc)
        return format_timestamp(moment), moment
    if isinstance(value, date):
        # Valid through the end of that day in UTC: it ends at the next midnight UTC (the last
        # representable moment for 9999-12-31, whose next day does not exist).
        if value == date.max:
            return value.isoformat(), datetime.max.replace(tzinfo=timezone.utc)
        end = datetime.combine(value + timedelta(days=1), time(), tzinfo=timezone.utc)
        return value.isoformat(), end
    return None


def _check_value(doc: Located, path: PathKey, selector: str, text: str) -> None:
    if selector == "account" and not is_glob(text) and not (text.isdigit() and len(text) == 12):
        raise doc.error(
            InputError,
            path,
            f"{field_name(path)}: {text!r} is not a 12-digit account id",
            "write the id in quotes, or an explicit glob such as '1111*'",
        )
    if selector == "rule" and not is_glob(text) and text != text.strip():
        raise doc.error(InputError, path, f"{field_name(path)}: {text!r} has surrounding spaces")


def is_blanket(pattern: str) -> bool:
    """A glob that matches anything (``*``, ``**``): it names nothing in particular."""
    return bool(pattern) and set(pattern) == {"*"}


def load_waivers(path: str, *, allow_broad: bool = False) -> list[Waiver]:
    """Parse and validate one waiver file; any problem is an ``InputError`` at file:line.

    A waiver whose rule and resource are both blanket wildcards would mute every finding of
    every workforce with one entry: refused unless ``allow_broad`` (``--allow-broad-waivers``).
    """
    doc = load_yaml(path, kind="waiver file")
    if not isinstance(doc.data, dict):
        raise doc.error(
            InputError, (), "expected a mapping with a 'waivers:' list", "see examples/waivers.yaml"
        )
    check_document(doc, load_schema("waivers.schema.json"), InputError)
    waivers = []
    for index, entry in enumerate(doc.data["waivers"]):
        base: PathKey = ("waivers", index)
        chosen = [key for key in SELECTORS if key in entry]
        if len(chosen) != 1:
            found = ", ".join(chosen) or "none"
            raise doc.error(
                InputError,
                base,
                f"{field_name(base)}: needs exactly one resource "
                f"selector of {', '.join(SELECTORS)} (found: {found})",
                "write one entry per resource",
            )
        selector = chosen[0]
        if "region" in entry and selector != "account":
            raise doc.error(
                InputError,
                (*base, "region", "<key>"),
                f"{field_name(base)}: region is only allowed with account",
            )
        _check_value(doc, (*base, "rule"), "rule", entry["rule"])
        _check_value(doc, (*base, selector), selector, entry[selector])
        region = entry.get("region")
        if (
            not allow_broad
            and is_blanket(entry["rule"])
            and is_blanket(entry[selector])
            and (region is None or is_blanket(region))
        ):
            raise doc.error(
                InputError,
                base,
                f"{field_name(base)}: rule {entry['rule']!r} on {selector} {entry[selector]!r} "
                "waives every rule on every workforce",
                "name the rule and the resource; --allow-broad-waivers accepts it",
            )
        expiry = parse_expiry(entry["expires"])
        if expiry is None:
            where = (*base, "expires")
            raise doc.error(
                InputError,
                where,
                f"{field_name(where)}: {entry['expires']!r} is not a date or date-time",
                "write 2026-12-31 or 2026-12-31T18:00:00Z",
            )
        waivers.append(
            Waiver(
                rule=entry["rule"],
                selector=selector,
                value=entry[selector],
                region=entry.get("region"),
                reason=entry["reason"].strip(),
                owner=entry["owner"].strip(),
                expires=expiry[0],
                ends=expiry[1],
                ticket=entry.get("ticket"),
                file=path,
                line=doc.where(base)[0],
            )
        )
    return waivers


def validate_waiver_file(path: str) -> None:
    """``wfcheck validate`` entry point for the ``waivers`` kind."""
    load_waivers(path)


def check_max_days(waivers: Sequence[Waiver], now: datetime, max_days: int) -> None:
    """Reject waivers that run longer than ``max_days`` from ``now``.

    A date-only waiver is measured in calendar days from today (UTC), so ``expires: today + N``
    is always allowed; a date-time is measured exactly.
    """
    limit = timedelta(days=max_days)
    for waiver in waivers:
        if len(waiver.expires) == 10:
            today = now.astimezone(timezone.utc).date()
            too_long = date.fromisoformat(waiver.expires) - today > limit
        else:
            too_long = waiver.ends - now > limit
        if too_long:
            raise InputError(
                f"waiver for {waiver.rule} expires {waiver.expires}, more than "
                f"{max_days} day(s) after {format_timestamp(now)}",
                file=waiver.file,
                line=waiver.line,
                hint="--max-waiver-days caps how long an exception may last",
            )


@dataclass(frozen=True)
class WaiverOutcome:
    """Results with waivers (and a baseline) applied, what to tell the reader, and strict-mode
    gate failures."""

    results: list[Result]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra_failures: int = 0


def _left(ends: datetime, now: datetime) -> str:
    remaining = ends - now
    if remaining < timedelta(days=1):
        return "in less than a day"
    return f"in {remaining.days} day(s)"


class _Matcher:
    """Which of some waivers apply to a result, without testing every waiver on every result.

    Scans yield millions of results but few rule ids and, per workforce, one result per rule:
    the rule patterns are matched once per rule id and the selectors once per resource (exact
    values looked up by key, globs tested). Only an optimization: ``hits`` equals
    ``[i for i, w in enumerate(waivers) if w.applies_to(result)]`` (a test compares the two).
    """

    def __init__(self, waivers: Sequence[Waiver]) -> None:
        self.waivers = waivers
        self.exact: dict[tuple[str, str], list[int]] = {}
        self.globs: list[int] = []
        for i, waiver in enumerate(waivers):
            if is_glob(waiver.value):
                self.globs.append(i)
            else:
                self.exact.setdefault((waiver.selector, waiver.value), []).append(i)
        self.by_rule: dict[str, frozenset[int]] = {}
        self.by_resource: dict[Resource, tuple[int, ...]] = {}

    def _selected(self, res: Resource) -> tuple[int, ...]:
        found = [i for i in self.globs if self.waivers[i].selects(res)]
        for selector, value in (
            ("arn", res.arn),
            ("name", res.name),
            ("account", res.account),
            ("address", res.address),
        ):
            if value is not None:
                found.extend(
                    i for i in self.exact.get((selector, value), ()) if self.waivers[i].selects(res)
                )
        return tuple(sorted(found))

    def hits(self, result: Result) -> list[int]:
        if not self.waivers:
            return []
        rule = self.by_rule.get(result.rule_id)
        if rule is None:
            rule = self.by_rule[result.rule_id] = frozenset(
                i for i, w in enumerate(self.waivers) if matches(w.rule, result.rule_id)
            )
        selected = self.by_resource.get(result.resource)
        if selected is None:
            selected = self.by_resource[result.resource] = self._selected(result.resource)
        return [i for i in selected if i in rule]


class WaiverPass:
    """Waivers applied to results one at a time, as they stream past; :meth:`outcome` then says
    what happened (notes, warnings, strict-mode failures). Nothing is kept per result.

    A failing result matched by an active waiver becomes ``waived`` (the first matching entry
    wins). Every active waiver that matches at least one failing result counts as used; expired
    and unused waivers are listed in the notes, and with ``strict`` each one fails the gate.
    """

    def __init__(self, waivers: Sequence[Waiver], now: datetime, *, strict: bool = False) -> None:
        self.waivers = waivers
        self.now = now
        self.strict = strict
        self.active = [w for w in waivers if now < w.ends]
        self.expired = [w for w in waivers if now >= w.ends]
        self.used: set[int] = set()
        self.revived: dict[int, int] = {}
        self.muted: dict[int, int] = {}
        self._current, self._lapsed = _Matcher(self.active), _Matcher(self.expired)
        self._annotations = [waiver.annotation() for waiver in self.active]

    def accept(self, result: Result) -> Result:
        """``result`` waived when an active waiver matches it; else unchanged (the same object)."""
        if result.status not in WAIVABLE:
            return result
        hits = self._current.hits(result)
        self.used.update(hits)
        for i in self._lapsed.hits(result):
            self.revived[i] = self.revived.get(i, 0) + 1
        if not hits:
            return result
        self.muted[hits[0]] = self.muted.get(hits[0], 0) + 1
        return result._replace(status=Status.WAIVED, annotation=self._annotations[hits[0]])

    def outcome(self) -> tuple[list[str], list[str], int]:
        """(notes, warnings, gate failures) once every result went through :meth:`accept`."""
        now, active, expired = self.now, self.active, self.expired
        notes: list[str] = []
        warnings: list[str] = []
        if self.waivers:
            waived = sum(self.muted.values())
            notes.append(
                f"{waived} failing result(s) waived by {len(self.used)} of "
                f"{len(self.waivers)} waiver(s)"
            )
        for i, waiver in enumerate(expired):
            count = self.revived.get(i, 0)
            text = (
                f"{waiver.label} expired {waiver.expires} (ended {format_timestamp(waiver.ends)})"
                f" and no longer applies; {count} result(s) it matched count again"
            )
            notes.append(text)
            warnings.append(text)
        for waiver in active:
            if waiver.ends - now <= EXPIRY_WARNING:
                text = f"{waiver.label} expires {waiver.expires} ({_left(waiver.ends, now)})"
                notes.append(text)
                warnings.append(text)
        for i, waiver in enumerate(active):
            if i in self.used:
                notes.append(f"{waiver.label} muted {self.muted.get(i, 0)} result(s)")
        unused = [w for i, w in enumerate(active) if i not in self.used]
        for waiver in unused:
            notes.append(f"{waiver.label} is unused: it matches no failing result")
        extra = len(expired) + len(unused) if self.strict else 0
        if extra:
            notes.append(
                f"--strict-waivers: {len(expired)} expired and {len(unused)} unused "
                "waiver(s) fail the run"
            )
        return notes, warnings, extra


def apply_waivers(
    results: Sequence[Result], waivers: Sequence[Waiver], now: datetime, *, strict: bool = False
) -> WaiverOutcome:
    """:class:`WaiverPass` over a list of results (tests and small tools; scans stream)."""
    waiver_pass = WaiverPass(waivers, now, strict=strict)
    out = [waiver_pass.accept(result) for result in results]
    notes, warnings, extra = waiver_pass.outcome()
    return WaiverOutcome(out, notes, warnings, extra)
