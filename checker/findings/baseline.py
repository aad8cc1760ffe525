"""Baselines: adopt the gate on an estate that already has findings, and fail only on new ones.

A baseline file lists the fingerprints (``rule_id:resource key``, the key being the ARN, else the
Terraform address) of the failing results of one scan. A later scan with ``--baseline`` reports
those as ``baseline`` (not counted for the exit code) and lists entries that are now resolved,
so the file can shrink as the estate is fixed. The file is deterministic JSON (sorted, one entry
per fingerprint) with enough context (rule title, severity, workforce) to review in a diff.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checker.errors import InputError
from checker.files.json_documents import load_json
from checker.files.reading import Located
from checker.files.schemacheck import check_document, load_schema, validator_for
from checker.files.timestamps import format_timestamp
from checker.files.yaml_documents import load_yaml
from checker.model import Result, Status

SCHEMA_VERSION = 1
#: What a baseline records and accepts: failures, and failures not decidable yet. Waived
#: results are left out on purpose: when a waiver expires its finding must surface again.
BASELINED = frozenset({Status.FAIL, Status.UNKNOWN, Status.BASELINE})
ACCEPTABLE = frozenset({Status.FAIL, Status.UNKNOWN})


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    resource: str
    name: str | None
    account: str | None
    region: str | None
    severity: str | None
    title: str | None

    @property
    def label(self) -> str:
        return f"{self.rule_id} on {self.name or self.resource}"


@dataclass(frozen=True, slots=True)
class Baseline:
    file: str
    entries: dict[str, BaselineEntry]


def render_baseline(results: Iterable[Result], now: datetime) -> str:
    """The baseline document for the failing results (deterministic for the same inputs)."""
    entries: dict[str, dict[str, Any]] = {}
    for result in results:
        if result.status not in BASELINED:
            continue
        fingerprint = result.fingerprint
        if fingerprint in entries:
            continue
        res = result.resource
        entries[fingerprint] = {
            "fingerprint": fingerprint,
            "rule_id": result.rule_id,
            "resource": res.key,
            "name": res.name,
            "account": res.account,
            "region": res.region,
            "severity": result.severity,
            "title": result.title,
        }
    # One entry per line: a reviewable diff when the file changes, and the C JSON encoder
    # (indent= would fall back to the pure-Python one) for estates with millions of results.
    lines = [
        "{",
        f'  "schema_version": {SCHEMA_VERSION},',
        '  "tool": "wfcheck",',
        f'  "generated_at": {json.dumps(format_timestamp(now))},',
        '  "entries": [',
        ",\n".join(f"    {json.dumps(entries[k], ensure_ascii=False)}" for k in sorted(entries)),
        "  ]",
        "}",
    ]
    if not entries:
        del lines[5]
    return "\n".join(lines) + "\n"


def load_baseline(path: str) -> Baseline:
    """Read and validate a baseline file; any problem is an ``InputError`` at file:line."""
    data = load_json(path, kind="baseline file")
    if not _well_formed(data):
        problems = list(_validator().iter_errors(data))
        # Only on the error path: parse again with positions to say where the problem is.
        located = _locate(path, data)
        check_document(located, load_schema("baseline.schema.json"), InputError)
        message = problems[0].message if problems else "not a wfcheck baseline file"
        raise InputError(message, file=path)
    entries: dict[str, BaselineEntry] = {}
    for index, raw in enumerate(data["entries"]):
        entry = BaselineEntry(
            fingerprint=raw["fingerprint"],
            rule_id=raw["rule_id"],
            resource=raw["resource"],
            name=raw.get("name"),
            account=raw.get("account"),
            region=raw.get("region"),
            severity=raw.get("severity"),
            title=raw.get("title"),
        )
        if entry.fingerprint != f"{entry.rule_id}:{entry.resource}":
            line = _locate(path, data).where(("entries", index, "fingerprint"))[0]
            raise InputError(
                f"entries[{index}].fingerprint: {entry.fingerprint!r} is not rule_id:resource",
                file=path,
                line=line,
                hint="regenerate the file with --write-baseline",
            )
        entries[entry.fingerprint] = entry
    return Baseline(path, entries)


_TOP = frozenset({"schema_version", "tool", "generated_at", "entries"})
_REQUIRED = ("fingerprint", "rule_id", "resource")
_OPTIONAL = frozenset({"name", "account", "region", "severity", "title"})
_ENTRY_KEYS = _OPTIONAL | set(_REQUIRED)


def _well_formed(data: Any) -> bool:
    """A fast check no looser than ``baseline.schema.json`` (jsonschema takes seconds on 100k
    entries); anything it rejects goes through the schema for a located message."""
    if not isinstance(data, dict) or not _TOP.issuperset(data) or "entries" not in data:
        return False
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, (int, float)) or version != 1:
        return False
    if any(not isinstance(data.get(key, ""), str) for key in ("tool", "generated_at")):
        return False
    if not isinstance(data["entries"], list):
        return False
    for entry in data["entries"]:
        if not isinstance(entry, dict) or not _ENTRY_KEYS.issuperset(entry):
            return False
        for key in _REQUIRED:
            value = entry.get(key)
            if not isinstance(value, str) or len(value) < (3 if key == "fingerprint" else 1):
                return False
        for key in _OPTIONAL:
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                return False
    return True


def _validator() -> Any:
    return validator_for(load_schema("baseline.schema.json"))


def _locate(path: str, data: Any) -> Located:
    """The document with value positions (JSON parses as YAML); without lines if too large."""
    try:
        return load_yaml(path, kind="baseline file")
    except InputError:
        return Located(data, path, {(): (1, 1)})


@dataclass(frozen=True)
class BaselineOutcome:
    results: list[Result]
    notes: list[str]


class BaselinePass:
    """A baseline applied to results one at a time, as they stream past.

    Known failures become ``baseline``; entries whose result now passes are listed as resolved.
    An entry whose rule or resource was not evaluated in this run is not called resolved (the
    scan may have covered other accounts or rules): ``evaluated`` says which entries were, and
    those are counted separately. Only findings need to go through :meth:`accept`: a passing
    result changes nothing.
    """

    def __init__(self, baseline: Baseline, evaluated: Callable[[BaselineEntry], bool]) -> None:
        self.baseline = baseline
        self.evaluated = evaluated
        self.still_failing: set[str] = set()
        self._annotation = {"baseline": True}

    def accept(self, result: Result) -> Result:
        """``result`` as ``baseline`` when the baseline knows it; else the same object."""
        if result.status not in ACCEPTABLE and result.status not in STILL_FAILING:
            return result
        fingerprint = result.fingerprint
        if fingerprint not in self.baseline.entries:
            return result
        self.still_failing.add(fingerprint)
        if result.status in ACCEPTABLE:
            return result._replace(status=Status.BASELINE, annotation=self._annotation)
        return result

    def notes(self) -> list[str]:
        baseline, still_failing = self.baseline, self.still_failing
        resolved = sorted(
            key
            for key, entry in baseline.entries.items()
            if key not in still_failing and self.evaluated(entry)
        )
        absent = [key for key, entry in baseline.entries.items() if not self.evaluated(entry)]
        notes = [
            f"baseline {baseline.file}: {len(still_failing)} known failure(s) of "
            f"{len(baseline.entries)} entr(ies) still present; {len(resolved)} resolved"
        ]
        notes.extend(
            f"baseline entry resolved: {baseline.entries[key].label} ({key})" for key in resolved
        )
        if absent:
            notes.append(
                f"baseline {baseline.file}: {len(absent)} entr(ies) not evaluated in this "
                "run (rule or workforce not scanned)"
            )
        return notes


#: Findings a baseline entry keeps alive without changing them: a waiver already accepted the
#: failure, or the rule could not be evaluated (nothing unproven counts as resolved).
STILL_FAILING = frozenset({Status.WAIVED, Status.ERROR})


def apply_baseline(results: Sequence[Result], baseline: Baseline) -> BaselineOutcome:
    """:class:`BaselinePass` over a list of results (tests and small tools; scans stream)."""
    seen = {result.fingerprint for result in results}
    baseline_pass = BaselinePass(baseline, lambda entry: entry.fingerprint in seen)
    out = [baseline_pass.accept(result) for result in results]
    return BaselineOutcome(out, baseline_pass.notes())
