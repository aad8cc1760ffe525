"""The bounds that keep large scans cheap, tested where it is cheap to test them.

- A writer's memory does not grow with the number of results: 10x more passing records, same
  findings, same peak (tracemalloc).
- A scan keeps no Result per pair: the store holds a few bytes a result.
- Human formats cap what they show: the table never exceeds its width (``COLUMNS``), cells are
  cut and messages wrap over a few lines; Markdown cells are cut; the full value stays in the
  machine formats.
- The amplification file (one 200,000-character name among 600 records, ~300 KB) prints under
  5 MB of table and peaks under 150 MB in a real process.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from checker.model import Status
from checker.reports import WRITER_BY_NAME, get_writer
from checker.reports.escape import display_width
from checker.reports.interface import RenderOptions
from checker.reports.markdown import MAX_CELL
from checker.reports.table import MESSAGE_LINES
from checker.results import Report
from tests.conftest import NOW, ROOT
from tests.helpers import report_for, run_cli


def workforce(number: int, failing: bool) -> dict[str, Any]:
    return {
        "WorkforceName": f"wf-{number}",
        "WorkforceArn": f"arn:aws:sagemaker:us-east-1:111111111111:workforce/wf-{number}",
        "Status": "Failed" if failing else "Active",
        "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"] if failing else ["203.0.113.0/24"]},
        "CognitoConfig": {"UserPool": "us-east-1_Pool", "ClientId": "c"},
        "WorkforceVpcConfig": {
            "VpcId": "vpc-1",
            "SecurityGroupIds": ["sg-1"],
            "Subnets": ["subnet-1", "subnet-2"],
            "VpcEndpointId": "vpce-1",
        },
    }


def estate(passing: int) -> Report:
    """20 failing workforces and ``passing`` compliant ones (one account and region)."""
    records = [workforce(n, True) for n in range(20)]
    records += [workforce(1000 + n, False) for n in range(passing)]
    return report_for(records)


class Sink(io.TextIOBase):
    """A stream that keeps nothing, so only the writer's own memory is measured."""

    def write(self, text: str) -> int:
        return len(text)


@pytest.fixture(scope="module")
def small_and_large() -> tuple[Report, Report]:
    return estate(100), estate(1100)


def peak(name: str, report: Report, options: RenderOptions) -> int:
    writer = get_writer(name)
    writer.write(report, Sink(), options)  # warm up: imports, templates, lazy caches
    tracemalloc.start()
    try:
        writer.write(report, Sink(), options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("show_passed", [False, True])
@pytest.mark.parametrize("name", sorted(WRITER_BY_NAME))
def test_writer_memory_does_not_grow_with_results(
    name: str, show_passed: bool, small_and_large: tuple[Report, Report]
) -> None:
    small, large = small_and_large
    rules = len(large.rules)
    assert len(large.results) == 1_120 * rules and len(small.results) == 120 * rules
    assert large.results.count([Status.FAIL]) == small.results.count([Status.FAIL])
    options = RenderOptions(show_passed=show_passed)
    before, after = peak(name, small, options), peak(name, large, options)
    # 1,000 more records' results: holding each even as one small object would take ~1 MB.
    assert after - before < 32 * 1024, (name, before, after)


def test_the_store_holds_a_few_bytes_a_result(small_and_large: tuple[Report, Report]) -> None:
    _, large = small_and_large
    store = large.results
    assert len(store.cells) * store.cells.itemsize == 4 * len(store)
    assert len(store.verdicts) < 100  # every passing record shares its verdicts
    assert len(store.resources) == large.records == 1120


# --- what human formats show --------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_values() -> Report:
    records = [
        {**workforce(1, True), "WorkforceName": "n" * 20_000, "FailureReason": "x" * 5_000},
        {**workforce(2, True), "SourceIpConfig": {"Cidrs": [f"10.{n}.0.0/8" for n in range(200)]}},
    ]
    return report_for(records)


@pytest.mark.parametrize("width", [60, 80, 133, 200])
def test_table_lines_fit_the_width(long_values: Report, width: int) -> None:
    text = get_writer("table").render(long_values, RenderOptions(show_passed=True, width=width))
    assert max(display_width(line) for line in text.splitlines()) <= width
    assert "…" in text  # cut, not dropped


def test_table_messages_wrap_over_a_few_lines(long_values: Report) -> None:
    text = get_writer("table").render(long_values, RenderOptions(width=100))
    message_column = text.splitlines()[1].index("message")
    continuation = 0
    for line in text.splitlines():
        if line.startswith(" " * message_column) and line.strip():
            continuation += 1
        else:
            assert continuation < MESSAGE_LINES + 2  # the message and its detail lines
            continuation = 0
    assert len(text) < 40 * 100  # a dozen findings, not 25,000 characters of one name


def test_wide_characters_count_double(tmp_path: Path) -> None:
    report = report_for([{**workforce(1, True), "WorkforceName": "労働力" * 40}])
    text = get_writer("table").render(report, RenderOptions(width=80))
    assert max(display_width(line) for line in text.splitlines()) <= 80
    assert "労働力" in text


def test_markdown_cells_are_cut_machine_formats_keep_everything(long_values: Report) -> None:
    markdown = get_writer("markdown").render(long_values, RenderOptions())
    for line in markdown.splitlines():
        if line.startswith("| "):
            for cell in line.split(" | "):
                assert len(cell.replace("\\", "")) <= MAX_CELL + 2
    data = json.loads(get_writer("json").render(long_values, RenderOptions()))
    assert "n" * 20_000 in [resource["name"] for resource in data["resources"]]
    longest = max((item["message"] for item in data["results"]), key=len)
    assert len(longest) > 5 * MAX_CELL  # 200 CIDRs named one by one, in full
    assert longest not in markdown
    csv.field_size_limit(1 << 30)  # WF014 names every overlapping pair of 200 CIDRs
    rows = list(csv.reader(io.StringIO(get_writer("csv").render(long_values), newline="")))
    assert any(cell == "n" * 20_000 for row in rows for cell in row)
    assert any(cell == longest for row in rows for cell in row)


@pytest.mark.parametrize("columns", ["60", "100", "180"])
def test_columns_sets_the_table_width(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = run_cli("scan", "--input", str(ROOT / "examples" / "workforces.json"), "--now", NOW)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert max(display_width(line) for line in lines) <= int(columns)
    assert "No CIDR is open to the whole internet" in result.out or int(columns) < 60


# --- the amplification file, in a real process --------------------------------------------------

MEASURE = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stderr.write(f"{proc.returncode} {peak} {len(proc.stdout)}\\n")
"""


def test_amplification_file_stays_small(tmp_path: Path) -> None:
    records = [
        {
            "WorkforceName": "n" * 200_000 if index == 0 else f"wf-{index}",
            "WorkforceArn": f"arn:aws:sagemaker:us-east-1:111111111111:workforce/wf-{index}",
            "Status": "Failed",
            "SourceIpConfig": {"Cidrs": ["0.0.0.0/0"]},
        }
        for index in range(600)
    ]
    path = tmp_path / "amplification.json"
    path.write_text(json.dumps({"Workforces": records}), encoding="utf-8")
    assert 250_000 < path.stat().st_size < 400_000
    argv = [sys.executable, "-m", "checker", "scan", "--no-config", "--input", str(path)]
    run = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True, cwd=ROOT
    )
    code, rss, size = (int(part) for part in run.stderr.split())
    assert code == 1
    assert size < 5 * 1024 * 1024, f"{size} bytes of table"
    assert rss < 150 * 1024 * 1024, f"peak RSS {rss / 2**20:.0f} MiB"
