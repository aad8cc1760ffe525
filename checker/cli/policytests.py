"""``wfcheck test``: policy tests written as data, run through the real loader and engine.

A test file holds ``cases``; each names one workforce record (inline or a file), optional vars
and ``now``, and the status it expects per rule id. Cases are checked with ``load_policies`` and
``evaluate`` exactly as a scan would run them, so a passing test means the scan behaves the same.
Every problem in a test file is found before anything runs and reported as file:line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from checker.errors import InputError, WfcheckError
from checker.files.reading import Located, iter_files
from checker.files.schemacheck import check_document, load_schema
from checker.files.timestamps import parse_timestamp
from checker.files.yaml_documents import load_yaml
from checker.model import Record, Result, RuleInfo
from checker.sources.base import make_record

SCHEMA = "policytest.schema.json"
TEST_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Expectation:
    rule_id: str
    status: str
    line: int


@dataclass(frozen=True, slots=True)
class Case:
    """One test case, fully resolved: its record is built and its time parsed."""

    name: str
    file: str
    line: int
    record: Record
    vars: tuple[tuple[str, Any, int], ...]  # name, value, line where it was written
    now: datetime | None
    expect: tuple[Expectation, ...]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Mismatch:
    rule_id: str
    expected: str
    actual: str
    message: str


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    results: tuple[Result, ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def passed(self) -> bool:
        return not self.mismatches


@dataclass(frozen=True, slots=True)
class CoverageGap:
    rule_id: str
    missing: tuple[str, ...]  # "passing", "failing"


@dataclass(frozen=True)
class PolicyTestRun:
    """All case results plus the rules they were run against (for coverage)."""

    cases: tuple[CaseResult, ...]
    rules: tuple[RuleInfo, ...]

    @property
    def passed(self) -> int:
        return sum(1 for result in self.cases if result.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    def covered(self, status: str) -> set[str]:
        """Rule ids with at least one met expectation of ``status``."""
        return {
            expectation.rule_id
            for result in self.cases
            for expectation in result.case.expect
            if expectation.status == status
            and expectation.rule_id not in {m.rule_id for m in result.mismatches}
        }

    def coverage_gaps(self) -> list[CoverageGap]:
        """Loaded rules without a met ``pass`` expectation or a met ``fail`` expectation."""
        passing, failing = self.covered("pass"), self.covered("fail")
        gaps = []
        for info in self.rules:
            missing = tuple(
                label
                for label, ids in (("passing", passing), ("failing", failing))
                if info.id not in ids
            )
            if missing:
                gaps.append(CoverageGap(info.id, missing))
        return gaps


# --- reading test files --------------------------------------------------------------------------


def find_test_files(paths: Sequence[str]) -> list[str]:
    """Files named on the command line, and the test files (with ``cases:``) under directories."""
    files: list[str] = []
    for entry in paths:
        path = Path(entry)
        if not path.exists():
            raise InputError("no such test file or directory", file=entry)
        if path.is_file():
            files.append(entry)
            continue
        found = [str(child) for child in iter_files(entry, TEST_SUFFIXES) if _has_cases(child)]
        if not found:
            raise InputError(
                "directory holds no policy test files (YAML with 'cases:')", file=entry
            )
        files.extend(found)
    return files


def _has_cases(path: Path) -> bool:
    try:
        data = load_yaml(str(path), kind="policy test file").data
    except WfcheckError:
        return True  # let the real load report the problem
    return isinstance(data, dict) and "cases" in data


def load_test_file(name: str) -> list[Case]:
    """Every case of one test file, or an :class:`InputError` at the first problem."""
    doc = load_yaml(name, kind="policy test file")
    if doc.data is None:
        raise InputError("policy test file is empty", file=name)
    check_document(doc, load_schema(SCHEMA), InputError)
    base_vars = doc.data.get("vars", {})
    base_now = _now(doc, ("now",), doc.data.get("now"))
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(doc.data["cases"]):
        where = ("cases", index)
        line = doc.where(where)[0]
        name_text = str(raw["name"])
        if name_text in seen:
            raise doc.error(
                InputError,
                (*where, "name"),
                f"duplicate case name {name_text!r} (first at line {seen[name_text]})",
            )
        seen[name_text] = line
        vars_ = {name: (value, doc.where(("vars", name))[0]) for name, value in base_vars.items()}
        for var_name, value in raw.get("vars", {}).items():
            vars_[var_name] = (value, doc.where((*where, "vars", var_name))[0])
        now = _now(doc, (*where, "now"), raw["now"]) if "now" in raw else base_now
        expect = tuple(
            Expectation(str(rule_id), status, doc.where((*where, "expect", rule_id, "<key>"))[0])
            for rule_id, status in raw["expect"].items()
        )
        cases.append(
            Case(
                name=name_text,
                file=name,
                line=line,
                record=_record(doc, where, raw),
                vars=tuple((var, value, var_line) for var, (value, var_line) in vars_.items()),
                now=now,
                expect=expect,
            )
        )
    return cases


def _now(doc: Located, path: tuple[str | int, ...], value: Any) -> datetime | None:
    if value is None:
        return None
    moment = parse_timestamp(value)
    if moment is None or isinstance(value, (int, float)):
        raise doc.error(
            InputError,
            path,
            f"now: {value!r} is not an ISO-8601 time",
            "for example 2026-01-31T12:00:00Z",
        )
    return moment


def _record(doc: Located, where: tuple[str | int, ...], raw: Mapping[str, Any]) -> Record:
    account, region = raw.get("account"), raw.get("region")
    if "record" in raw:
        if "workforce" in raw:
            raise doc.error(
                InputError,
                (*where, "workforce", "<key>"),
                "'workforce' selects from a record_file; it cannot go with 'record'",
            )
        workforce = raw["record"]
        if set(workforce) == {"Workforce"} and isinstance(workforce["Workforce"], dict):
            workforce = workforce["Workforce"]
        return make_record(
            workforce,
            source=f"{doc.file}:{doc.where((*where, 'record'))[0]}",
            source_kind="file",
            account=account,
            region=region,
        )
    relative = raw["record_file"]
    path = _inside_test_folder(doc, (*where, "record_file"), relative)
    try:
        workforces = _read_record_file(path)
    except WfcheckError as exc:
        line, column = doc.where((*where, "record_file"))
        raise InputError(
            f"record_file {relative!r}: {exc}", file=doc.file, line=line, column=column
        ) from None
    wanted = raw.get("workforce")
    if wanted is not None:
        workforces = [w for w in workforces if w.get("WorkforceName") == wanted]
        if not workforces:
            raise doc.error(
                InputError, (*where, "workforce"), f"no workforce named {wanted!r} in {relative}"
            )
    if len(workforces) != 1:
        raise doc.error(
            InputError,
            (*where, "record_file"),
            f"{relative} holds {len(workforces)} workforces; pick one with 'workforce: NAME'",
        )
    return make_record(
        workforces[0], source=path, source_kind="file", account=account, region=region
    )


def _inside_test_folder(doc: Located, where: tuple[str | int, ...], relative: str) -> str:
    """The record file, which must lie inside the test file's own folder tree.

    A test file may come from a pull request; it must not make ``wfcheck test`` read (and
    quote in its messages) any other file on the runner. Symlinks are resolved first, so a
    link pointing out of the folder is refused like ``..`` or an absolute path.
    """
    folder = Path(doc.file).parent
    if Path(relative).is_absolute():
        raise doc.error(
            InputError,
            where,
            f"record_file {relative!r}: an absolute path; write it relative to the test file",
        )
    candidate = folder / relative
    try:
        resolved = candidate.resolve()
        inside = resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    if not inside:
        raise doc.error(
            InputError,
            where,
            f"record_file {relative!r} is outside the folder of this test file; record "
            "files must be inside it (symlinks are resolved)",
        )
    return str(candidate)


def _read_record_file(path: str) -> list[dict[str, Any]]:
    """Workforce mappings from a JSON input file (any shape scan reads) or a YAML workforce."""
    if Path(path).suffix == ".json":
        from checker.sources.files import InputFileSource

        source = InputFileSource(path)
        return [dict(record.workforce) for record in source.records()]
    doc = load_yaml(path, kind="record file")
    data = doc.data
    if isinstance(data, dict) and set(data) == {"Workforce"}:
        data = data["Workforce"]
    if isinstance(data, dict) and "Workforces" in data:
        data = data["Workforces"]
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise InputError("expected a workforce mapping or a list of them", file=path)
    return items
