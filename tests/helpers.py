"""Shared test helpers: run the real CLI, build reports from the bundled pack."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checker.cli import main
from checker.files.timestamps import parse_timestamp
from checker.model import Record, Result
from checker.pipeline import build_report
from checker.policy.loader import BUILTIN, load_policies
from checker.related import KINDS as _MEMBERS
from checker.results import Report
from checker.sources.base import RecordSource, make_record

NOW = "2026-11-25T00:00:00Z"


def report_of(*results: Result) -> Report:
    """A report of just these results (their rules, one record each)."""
    rules = tuple(dict.fromkeys(result.rule for result in results))
    return Report("test", datetime(2026, 11, 25), rules, list(results), len(results))


def annotation(result: Result) -> str:
    """The GitHub workflow command the ``github`` writer prints for one finding."""
    from checker.reports.github import WRITER
    from checker.reports.interface import RenderOptions

    lines = WRITER.render(report_of(result), RenderOptions()).splitlines()
    (command,) = [line for line in lines if line.startswith("::")]
    return command


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


_DEPLOY_TIME_ID = re.compile(r"\$\{[^}]+\}|!Ref [A-Za-z0-9]+")


def after_apply(records: Iterable[Record]) -> dict[str, Any]:
    """A snapshot of what applying a plan or deploying a template creates, from its records:
    every id only apply decides (``${aws_x.y.id}``, ``!Ref Y``) gets one id, the workforce's
    Cognito and VPC ids are those of the related resources its record links, and what the
    source did not declare stays unread (``related`` lists only the kinds it read)."""
    ids: dict[str, str] = {}

    def applied(value: Any) -> Any:
        if isinstance(value, str):
            return _DEPLOY_TIME_ID.sub(lambda m: ids.setdefault(m[0], f"id-{len(ids):04d}"), value)
        if isinstance(value, list):
            return [applied(item) for item in value]
        if isinstance(value, dict):
            return {key: applied(item) for key, item in value.items()}
        return value

    entries = []
    for record in records:
        workforce = applied(json.loads(json.dumps(record.workforce, default=str)))
        related = workforce.get("Related", {})
        if "UserPool" in related and "UserPoolClient" in related:
            workforce["CognitoConfig"] = {
                "UserPool": related["UserPool"]["Id"],
                "ClientId": related["UserPoolClient"]["ClientId"],
            }
        if "SecurityGroups" in related and "Subnets" in related:
            workforce["WorkforceVpcConfig"] = {
                "VpcId": "vpc-0123456789abcdef0",
                "SecurityGroupIds": [group["GroupId"] for group in related["SecurityGroups"]],
                "Subnets": [subnet["SubnetId"] for subnet in related["Subnets"]],
            }
        read = [
            kind
            for kind in record.related or {}
            if f"Related.{_MEMBERS[kind]}" not in record.unknown_paths
        ]
        entries.append(
            {
                "account": "111122223333",
                "region": "eu-west-1",
                "workforce": workforce,
                "related": dict.fromkeys(read),
            }
        )
    return {"schema_version": 1, "records": entries}
