"""Shared test helpers: run the real CLI, build reports from the bundled pack."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checker.cli import main
from checker.files.timestamps import parse_timestamp
from checker.pipeline import build_report
from checker.policy.loader import BUILTIN, load_policies
from checker.results import Report
from checker.sources.base import RecordSource, make_record

NOW = "2026-11-25T00:00:00Z"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str, stdin: str | None = None) -> CliResult:
    """Run ``wfcheck`` in-process through the real entry point, capturing streams."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse usage errors and --version
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


class ListSource(RecordSource):
    """An in-memory source for tests and benchmarks."""

    kind = "memory"

    def __init__(
        self, workforces: list[dict[str, Any]], name: str = "memory", **origin: Any
    ) -> None:
        super().__init__()
        self._name = name
        self._records = [
            make_record(w, source=name, source_kind="file", **origin) for w in workforces
        ]

    @property
    def name(self) -> str:
        return self._name

    def records(self):  # type: ignore[no-untyped-def]
        yield from self._records


def report_for(
    workforces: list[dict[str, Any]],
    *,
    var_overrides: tuple[str, ...] = (),
    now: str = NOW,
    source: RecordSource | None = None,
) -> Report:
    """A full report of the bundled pack on ``workforces``, as the CLI builds it."""
    policies = load_policies([BUILTIN], overrides=var_overrides)
    moment = parse_timestamp(now)
    assert isinstance(moment, datetime)
    return build_report(
        None, policies.files, policies.rules, [source or ListSource(workforces)], moment
    )


def flat_results(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A JSON report's results with each one's resource inline and its fingerprint, as schema
    version 1 wrote them (version 2 writes each resource once and refers to it by index)."""
    if report.get("schema_version") == 1:
        return list(report["results"])
    resources = report["resources"]
    flat = []
    for result in report["results"]:
        resource = resources[result["resource"]]
        item = {**result, "resource": resource}
        item["fingerprint"] = f"{result['rule_id']}:{resource['key']}"
        item.update({k: v for k, v in report["rules"][result["rule_id"]].items()
                     if k in ("title", "severity", "remediation")})  # fmt: skip
        flat.append(item)
    return flat
