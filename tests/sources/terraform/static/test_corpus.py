"""The static verdict of every bundled rule equals the verdict on the plan real Terraform wrote,
for every root module of the corpus; where the plan knows a value the sources cannot (a data
source), the static scan says unknown, never a different verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.model import Status
from checker.sources.base import RecordSource
from checker.sources.terraform import TerraformSource
from checker.sources.terraform.static import StaticTerraformSource
from tests.helpers import report_for
from tests.sources.terraform.plans import terraform_available
from tests.sources.terraform.static.corpus import CORPUS_DIR, corpus, main

PLAN_KNOWS = {"data_source", "remote_state", "import"}
"""Cases where the plan reads something the sources cannot (a data source, another state, the
workforce an import block adopts): unknown allowed."""

CASES = [case.name for case in corpus()]


def verdicts(source: RecordSource) -> dict[str, dict[str, Status]]:
    report = report_for([], source=source)
    found: dict[str, dict[str, Status]] = {}
    for result in report.results:
        address = result.resource.address or "?"
        found.setdefault(address, {})[result.rule.id] = result.status
    return found


@pytest.mark.parametrize("name", CASES)
def test_static_verdicts_equal_the_plans(name: str) -> None:
    directory = CORPUS_DIR / name
    planned = verdicts(TerraformSource(str(directory / "plan.json")))
    static = verdicts(StaticTerraformSource(str(directory), environ={}))
    assert sorted(static) == sorted(planned)
    differences = []
    for address, rules in planned.items():
        for rule_id, status in rules.items():
            got = static[address][rule_id]
            allowed = got == status or (
                name in PLAN_KNOWS and got is Status.UNKNOWN and status is not Status.UNKNOWN
            )
            if not allowed:
                differences.append(f"{address} {rule_id}: plan {status}, static {got}")
    assert differences == []


def test_the_corpus_holds_every_kind_of_case() -> None:
    assert len(CASES) >= 18
    assert all((CORPUS_DIR / name / "plan.json").is_file() for name in CASES)


def test_static_scan_is_unknown_where_only_the_plan_knows() -> None:
    """The plan knows the data source's value; the sources leave the name unknown, not guessed."""
    (static,) = StaticTerraformSource(str(CORPUS_DIR / "data_source"), environ={}).records()
    (planned,) = TerraformSource(str(CORPUS_DIR / "data_source" / "plan.json")).records()
    assert "WorkforceName" in static.unknown_paths
    assert "WorkforceName" not in planned.unknown_paths
    assert planned.workforce["WorkforceName"] == "data-aws"


@pytest.mark.parametrize(
    ("name", "path", "reason"),
    [
        ("remote_state", "SourceIpConfig.Cidrs", "data.terraform_remote_state.network"),
        ("import", "SourceIpConfig", "an import block adopts this workforce"),
    ],
)
def test_what_only_the_plan_reads_is_unknown_with_the_reason(
    name: str, path: str, reason: str
) -> None:
    (static,) = StaticTerraformSource(str(CORPUS_DIR / name), environ={}).records()
    (planned,) = TerraformSource(str(CORPUS_DIR / name / "plan.json")).records()
    assert path in static.unknown_paths
    assert reason in static.unknown_reasons[path]
    assert path not in planned.unknown_paths


def test_a_moved_block_keeps_the_new_address() -> None:
    """The plan updates the old object under its new address; the static scan names the same."""
    (static,) = StaticTerraformSource(str(CORPUS_DIR / "moved"), environ={}).records()
    (planned,) = TerraformSource(str(CORPUS_DIR / "moved" / "plan.json")).records()
    assert static.resource.address == planned.resource.address == "aws_sagemaker_workforce.renamed"
    assert planned.resource.action == "update"


@pytest.mark.skipif(terraform_available() is not None, reason="terraform is not installed")
def test_committed_plans_are_what_terraform_writes(tmp_path: Path) -> None:
    assert main(["--check", "world_v4", "module_for_each"]) == 0
