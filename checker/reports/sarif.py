"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

A workforce is a cloud resource, not a line in a file, so a result points either at the file
its record was read from (a saved API response, snapshot or Terraform plan) or at a space-free
pseudo-path ``aws/<account>/<region>/sagemaker/workforce/<name>`` that GitHub accepts as an
artifact location. The ARN (and the Terraform address) go in ``logicalLocations``.

Settings (``RenderOptions.settings``): ``sarif.automation_id`` (default ``wfcheck/``), the
``runAutomationDetails.id`` GitHub uses as the analysis category.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from checker.files.timestamps import format_timestamp
from checker.model import SEVERITY_RANK, ErrorEntry, Resource, Result, RuleInfo, Status
from checker.reports.acceptance import acceptance_reason
from checker.reports.escape import json_text
from checker.reports.interface import RECORDS_KEPT, RenderOptions, ReportWriter
from checker.reports.json import dumps, encode
from checker.results import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DEFAULT_AUTOMATION_ID = "wfcheck/"
FINGERPRINT_KEY = "wfcheckResourceRule/v1"

# GitHub code scanning's upload limits: results per run, runs per file, and the gzipped file
# (the results get 9 of its 10 MB; the rest is ample for rule descriptors and run parts).
MAX_RESULTS_PER_RUN = 25_000
MAX_RUNS = 20
MAX_UPLOAD_GZIP_BYTES = 10 * 1024 * 1024
RESULTS_GZIP_BUDGET = 9 * 1024 * 1024

# GitHub ranks alerts by this score: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.5", "low": "2.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}

# pass and skip are not findings; everything else is (``Status.is_finding``), with waived and
# baseline results marked as accepted.

# Source kinds whose ``Resource.source`` is a file a reader can open.
FILE_KINDS = frozenset({"file", "snapshot", "terraform"})
NOT_FILES = frozenset({"", "-", "stdin", "aws"})

_UNSAFE_SEGMENT = re.compile(r"[^A-Za-z0-9._-]+")
_MESSAGE_SPECIAL = re.compile(r"([\\\[\]])")


def _segment(text: str | None, fallback: str) -> str:
    """One path segment with only ``[A-Za-z0-9._-]``; never empty, ``.`` or ``..``."""
    cleaned = _UNSAFE_SEGMENT.sub("_", text or "").strip("_")
    if not cleaned or set(cleaned) == {"."}:
        return fallback
    return cleaned[:128]


def pseudo_path(res: Resource) -> str:
    """``aws/<account>/<region>/sagemaker/workforce/<name>``: a relative, space-free URI."""
    return "/".join(
        [
            _segment(res.partition, "aws"),
            _segment(res.account, "unknown-account"),
            _segment(res.region, "unknown-region"),
            "sagemaker",
            "workforce",
            _segment(res.name or res.address, "unnamed"),
        ]
    )


def artifact_uri(res: Resource) -> str:
    """The record's source file as a URI when there is one, else the pseudo-path."""
    source = res.source or ""
    if res.source_kind in FILE_KINDS and source not in NOT_FILES:
        uri, relative = _file_uri(source)
        if not relative or (uri and ".." not in uri.split("/")):
            return uri
    return pseudo_path(res)


@lru_cache(maxsize=1024)
def _file_uri(file: str) -> tuple[str, bool]:
    """(URI, relative) of a file name: a ``file:`` URI when absolute, else its parts quoted
    (``.`` and empty parts dropped; the URI is empty when nothing is left)."""
    path = PurePosixPath(file.replace("\\", "/"))
    if path.is_absolute():
        return path.as_uri(), False
    return "/".join(quote(part, safe="") for part in path.parts if part not in ("", ".")), True


def physical_location(result: Result) -> dict[str, Any]:
    """Where the resource is written (the ``.tf`` block, the template resource) when a source
    knows it, relative to the repository root (``%SRCROOT%``); else the record's file, line 1.
    A finding on a related resource (``Related.UserPool...``) points at that resource's block."""
    return physical_location_of(result.resource, result.path)


def physical_location_of(res: Resource, at: str) -> dict[str, Any]:
    """:func:`physical_location` of a result whose path is ``at`` on ``res``."""
    location = res.location_for(at)
    if location is None:
        return {"artifactLocation": {"uri": artifact_uri(res)}, "region": {"startLine": 1}}
    region: dict[str, int] = {"startLine": max(location.line, 1)}
    if location.column:
        region["startColumn"] = location.column
    uri, relative = _file_uri(location.file)
    if not relative:
        return {"artifactLocation": {"uri": uri}, "region": region}
    return {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": region}


def message_text(text: str) -> str:
    """Escape ``\\``, ``[`` and ``]``: SARIF viewers read ``[text](target)`` as an embedded link."""
    return _MESSAGE_SPECIAL.sub(r"\\\1", text)


def fingerprint(result: Result) -> str:
    """Stable across runs: the rule id and the resource key, hashed."""
    return hashlib.sha256(f"{result.rule_id}\0{result.resource.key}".encode()).hexdigest()


def _rule_help_markdown(info: RuleInfo) -> str:
    lines = [f"**{info.title}**"]
    if info.description.strip():
        lines += ["", info.description.strip()]
    if info.remediation.strip():
        lines += ["", "**Remediation**", "", info.remediation.strip()]
    if info.references:
        lines += ["", "**References**", ""]
        lines += [f"- <{ref}>" for ref in info.references]
    return "\n".join(lines) + "\n"


def _rule_help_text(info: RuleInfo) -> str:
    parts = [info.description.strip() or info.title]
    if info.remediation.strip():
        parts.append(f"Remediation: {info.remediation.strip()}")
    if info.references:
        parts.append("References:\n" + "\n".join(f"- {ref}" for ref in info.references))
    return "\n\n".join(parts)


def rule_descriptor(info: RuleInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "tags": ["security", "sagemaker", "ground-truth", "workforce"],
        "precision": "very-high",
        "severity": info.severity,
    }
    if info.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[info.severity]
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.id,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.description.strip() or info.title},
        "help": {"text": _rule_help_text(info), "markdown": _rule_help_markdown(info)},
        "defaultConfiguration": {"level": LEVEL.get(info.severity, "warning")},
        "properties": properties,
    }
    if info.references:
        descriptor["helpUri"] = info.references[0]
    return descriptor


MESSAGE_PREFIX = {
    Status.ERROR: "could not be evaluated: ",
    Status.UNKNOWN: "unknown until apply: ",
    Status.WAIVED: "waived: ",
    Status.BASELINE: "in the baseline: ",
}


def _message(result: Result) -> str:
    return _record_message(result.resource) + _verdict_message(result)


def _record_message(res: Resource) -> str:
    return message_text(f"Workforce {res.name or res.address or res.key}: ")


def _verdict_message(result: Result) -> str:
    prefix = MESSAGE_PREFIX.get(result.status, "")
    return message_text(f"{result.title}: {prefix}{result.message}")


def _logical_locations(res: Resource) -> list[dict[str, str]]:
    locations = []
    if res.arn:
        locations.append(
            {"name": res.name or res.arn, "fullyQualifiedName": res.arn, "kind": "resource"}
        )
    if res.address:
        locations.append(
            {"name": res.address, "fullyQualifiedName": res.address, "kind": "resource"}
        )
    if not locations:
        locations.append(
            {"name": res.name or res.key, "fullyQualifiedName": res.key, "kind": "resource"}
        )
    return locations


def result_object(result: Result, rule_index: int, with_baseline: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ruleId": result.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(result.severity, "warning"),
        "message": {"text": _message(result)},
        "locations": [
            {
                "physicalLocation": physical_location(result),
                "logicalLocations": _logical_locations(result.resource),
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(result)},
        "properties": {
            "status": result.status.value,
            "severity": result.severity,
            "path": result.path,
            "account": result.resource.account,
            "region": result.resource.region,
        },
    }
    item.update(_verdict_tail(result, with_baseline))
    if result.evidence:
        item["properties"]["evidence"] = {name: value for name, value in result.evidence}
    return item


def _verdict_tail(result: Result, with_baseline: bool) -> dict[str, Any]:
    """The members after ``properties``: a waiver's suppression, the baseline state."""
    tail: dict[str, Any] = {}
    if result.status is Status.WAIVED:
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        reason = acceptance_reason(result)
        if reason:
            suppression["justification"] = reason
        tail["suppressions"] = [suppression]
    if with_baseline:
        tail["baselineState"] = "unchanged" if result.status is Status.BASELINE else "new"
    return tail


_string = json.encoder.encode_basestring  # what the encoder writes for a str (no ASCII-only)


_VerdictParts = tuple[str, tuple[str, str, str], str]
"""A verdict's encoded parts: up to the message, (the message's end, the properties, the
evidence), and what follows the properties."""


class _ResultText:
    """Results as ``dumps(result_object(...))`` writes them, from parts encoded once per
    record and once per distinct verdict (the same text, tested)."""

    def __init__(self, report: Report, index: Mapping[str, int], with_baseline: bool) -> None:
        self.store = report.results
        self.index = index
        self.with_baseline = with_baseline
        self.verdicts: dict[int, _VerdictParts] = {}
        self.records: dict[int, tuple[str, str | None, str, str]] = {}
        """Per record written (runs by rule visit a record once per rule)."""

    def text(self, record: int, position: int, index: int) -> str:
        store = self.store
        key = index * store.width + position
        verdict = self.verdicts.get(key)
        if verdict is None:
            verdict = self.verdicts[key] = self._verdict(record, position)
        parts = self.records.get(record)
        if parts is None:
            res = store.resources[record]
            place = None if res.related_locations else encode(physical_location_of(res, ""))
            parts = (
                _string(_record_message(res))[:-1],
                place,
                encode(_logical_locations(res)),
                f', "account": {encode(res.account)}, "region": {encode(res.region)}',
            )
            if len(self.records) < RECORDS_KEPT:
                self.records[record] = parts
        message, place, logical, where = parts
        head, properties, tail = verdict
        res = store.resources[record]
        if place is None:
            place = encode(physical_location_of(res, store.verdicts[index][2]))
        rule_id = store.rules[position].id
        digest = hashlib.sha256(f"{rule_id}\0{res.key}".encode()).hexdigest()
        return json_text(
            f"{head}{message}{properties[0]}"
            f'"locations": [{{"physicalLocation": {place}, "logicalLocations": {logical}}}], '
            f'"partialFingerprints": {{"{FINGERPRINT_KEY}": "{digest}"}}, '
            f'"properties": {{{properties[1]}{where}{properties[2]}}}{tail}}}'
        )

    def _verdict(self, record: int, position: int) -> _VerdictParts:
        result = self.store.result(record, position)
        assert result is not None
        head = encode(
            {
                "ruleId": result.rule_id,
                "ruleIndex": self.index[result.rule_id],
                "level": LEVEL.get(result.severity, "warning"),
            }
        )[:-1]
        properties = encode(
            {"status": result.status.value, "severity": result.severity, "path": result.path}
        )[1:-1]
        evidence = ""
        if result.evidence:
            evidence = ", " + encode({"evidence": dict(result.evidence)})[1:-1]
        tail = encode(_verdict_tail(result, self.with_baseline))[1:-1]
        return (
            f'{head}, "message": {{"text": ',
            (f"{_string(_verdict_message(result))[1:]}}}, ", properties, evidence),
            f", {tail}" if tail else "",
        )


def _notification(error: ErrorEntry) -> dict[str, Any]:
    where = "/".join(p for p in (error.account, error.region) if p)
    return {
        "level": "error",
        "message": {"text": message_text(f"{error.source} {where}: {error.code}: {error.message}")},
    }


class _CompressedSize:
    """How big the results written so far are once gzipped, measured as they are written.

    zlib at level 1 compresses less than the gzip an upload uses, so the count is an upper
    bound; the stream is flushed every 64 KiB so little waits uncounted inside the
    compressor."""

    def __init__(self) -> None:
        self.size = 0
        self._pending = 0
        self._compressor = zlib.compressobj(1, zlib.DEFLATED, 31)

    def add(self, text: str) -> None:
        data = text.encode("utf-8")
        self.size += len(self._compressor.compress(data))
        self._pending += len(data)
        if self._pending >= 1 << 16:
            self.size += len(self._compressor.flush(zlib.Z_SYNC_FLUSH))
            self._pending = 0

    @property
    def bound(self) -> int:
        """The size so far plus what the compressor may still hold (at most its input)."""
        return self.size + self._pending


@dataclass(frozen=True, slots=True)
class SarifLimits:
    """What GitHub code scanning accepts in one upload."""

    results_per_run: int = MAX_RESULTS_PER_RUN
    runs: int = MAX_RUNS
    gzip_bytes: int = RESULTS_GZIP_BUDGET


def limits_of(settings: Mapping[str, str], gzip_bytes: int = RESULTS_GZIP_BUDGET) -> SarifLimits:
    text = settings.get("sarif.max_results")
    per_run = int(text) if text else MAX_RESULTS_PER_RUN
    return SarifLimits(results_per_run=per_run, gzip_bytes=gzip_bytes)


@dataclass(slots=True)
class _Run:
    """One run of the file: its automation id and which rule positions' findings it holds."""

    automation_id: str
    rules: frozenset[str] | None  # None: every rule
    written: int = 0
    left_out: int = 0
    notes: list[str] = field(default_factory=list)


def _plan_runs(
    report: Report, automation_id: str, limits: SarifLimits
) -> tuple[list[_Run], list[tuple[RuleInfo, int]]]:
    """One run when the findings fit in one; else one run per rule with findings, the most
    severe rules first (the category of each is ``<automation id><rule id>/``, so a rule's
    alerts stay in one category as counts change), and the rules past the run limit left out.
    Returns the runs and the rules left out whole, with their finding counts."""
    store = report.results
    counts = [sum(n for status, n in tally.items() if status.is_finding) for tally in store.tally()]
    if sum(counts) <= limits.results_per_run:
        return [_Run(automation_id, None)], []
    with_findings = sorted(
        (info for info, count in zip(store.rules, counts, strict=True) if count),
        key=lambda info: (-SEVERITY_RANK[info.severity], info.id),
    )
    per_rule = {info.id: count for info, count in zip(store.rules, counts, strict=True)}
    kept, dropped = with_findings[: limits.runs], with_findings[limits.runs :]
    runs = [_Run(f"{automation_id}{info.id}/", frozenset({info.id})) for info in kept]
    return runs, [(info, per_rule[info.id]) for info in dropped]


def _warning(text: str) -> dict[str, Any]:
    return {"level": "warning", "message": {"text": message_text(text)}}


class SarifWriter(ReportWriter):
    """The rules and each run's parts are small and written whole; the results stream (one per
    line). GitHub code scanning rejects a run of more than 25,000 results, a file of more than
    20 runs and an upload over 10 MB gzipped: past those, results are split into runs by rule,
    the most severe kept, and each run's invocation says how many were left out and where the
    complete list is."""

    name = "sarif"

    def __init__(self, gzip_budget: int = RESULTS_GZIP_BUDGET) -> None:
        self.gzip_budget = gzip_budget

    def write(self, report: Report, stream: TextIO, options: RenderOptions) -> None:
        rules = report.all_rules()
        index = {info.id: position for position, info in enumerate(rules)}
        limits = limits_of(options.settings, self.gzip_budget)
        automation_id = options.settings.get("sarif.automation_id") or DEFAULT_AUTOMATION_ID
        runs, dropped = _plan_runs(report, automation_id, limits)
        # SARIF: baselineState is on every result of a run or on none.
        with_baseline = report.results.count([Status.BASELINE]) > 0
        size = _CompressedSize()
        stream.write(f'{{\n  "$schema": {dumps(SCHEMA_URI)},\n  "version": "2.1.0",\n')
        stream.write('  "runs": [')
        position = {rule_id: n for n, run in enumerate(runs) for rule_id in run.rules or ()}
        store = report.results
        if len(runs) == 1 and runs[0].rules is None:
            places = store.places()
        else:  # grouped by run, in run order; rules left out whole come last
            places = store.places(group=lambda r: position.get(r.rule_id, len(runs)))
        texts = _ResultText(report, index, with_baseline)
        current = -1
        for record, rule, verdict in places:
            number = position.get(store.rules[rule].id, 0)
            if number >= len(runs) or (number < current):
                break
            while current < number:
                if current >= 0:
                    self._run_tail(report, runs[current], limits, stream)
                current += 1
                self._run_head(report, rules, runs[current], stream, first=current == 0)
            run = runs[current]
            if run.written >= limits.results_per_run or size.bound >= limits.gzip_bytes:
                run.left_out += 1
                continue
            line = texts.text(record, rule, verdict)
            line = ("\n        " if run.written == 0 else ",\n        ") + line
            size.add(line)
            stream.write(line)
            run.written += 1
        while current < len(runs) - 1:  # runs without findings: only the single run can be one
            if current >= 0:
                self._run_tail(report, runs[current], limits, stream)
            current += 1
            self._run_head(report, rules, runs[current], stream, first=current == 0)
        runs[-1].notes.extend(_dropped_notes(dropped))
        self._run_tail(report, runs[-1], limits, stream)
        stream.write("\n  ]\n}\n")

    @staticmethod
    def _run_head(
        report: Report, rules: tuple[RuleInfo, ...], run: _Run, stream: TextIO, first: bool
    ) -> None:
        stream.write("\n    {\n" if first else ",\n    {\n")
        driver = {
            "name": "wfcheck",
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
        }
        descriptors = ",\n".join(f"        {dumps(rule_descriptor(info))}" for info in rules)
        stream.write(f'      "tool": {{"driver": {dumps(driver)[:-1]}, "rules": [\n')
        stream.write(f"{descriptors}\n      ]}}}},\n" if rules else "      ]}},\n")
        stream.write(f'      "automationDetails": {dumps({"id": run.automation_id})},\n')
        stream.write('      "results": [')

    @staticmethod
    def _run_tail(report: Report, run: _Run, limits: SarifLimits, stream: TextIO) -> None:
        stream.write("]" if run.written == 0 else "\n      ]")
        notifications = [_notification(e) for e in report.errors]
        if run.left_out:
            which = "" if run.rules is None else f" of {next(iter(run.rules))}"
            notifications.append(
                _warning(
                    f"{run.left_out} of {run.written + run.left_out} result(s){which} left out: "
                    f"GitHub code scanning accepts at most {limits.results_per_run:,} results "
                    "per run and 10 MB (gzipped) per upload. The complete list is in the JSON "
                    "report (--report json=PATH)."
                )
            )
        notifications.extend(_warning(note) for note in run.notes)
        invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
        if notifications:
            invocation["toolExecutionNotifications"] = notifications
        properties: dict[str, Any] = {
            "generatedAt": format_timestamp(report.generated_at),
            "records": report.records,
            "sources": list(report.sources),
            "policies": list(report.policies),
        }
        if run.left_out:
            properties["omittedResults"] = run.left_out
        if "configuration" in report.extra:  # the options the run used, and where each came from
            properties["configuration"] = report.extra["configuration"]
        stream.write(f',\n      "invocations": [{dumps(invocation)}],\n')
        stream.write('      "columnKind": "unicodeCodePoints",\n')
        stream.write(f'      "properties": {dumps(properties)}\n    }}')


def _dropped_notes(dropped: list[tuple[RuleInfo, int]]) -> list[str]:
    if not dropped:
        return []
    total = sum(count for _, count in dropped)
    names = ", ".join(info.id for info, _ in dropped)
    return [
        f"{total} result(s) of {len(dropped)} less severe rule(s) left out ({names}): GitHub "
        f"code scanning accepts at most {MAX_RUNS} runs per file. The complete list is in the "
        "JSON report (--report json=PATH)."
    ]


WRITER = SarifWriter()
