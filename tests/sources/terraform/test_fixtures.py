"""Plans and states written by real Terraform (tests/sources/terraform/plans.py): the verdicts
Terraform's own data implies, one regression test per "Why" of issue 11 and per Terraform
bullet of issue 9."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.errors import InputError
from checker.sources.terraform import TerraformSource
from tests.conftest import NOW
from tests.helpers import flat_results, run_cli
from tests.sources.terraform.plans import (
    CASES_DIR,
    EXAMPLE,
    cases,
    deferred_plan,
    generate,
    normalized,
    terraform_available,
)

UNSET = CASES_DIR / "unset"
SENSITIVE = CASES_DIR / "sensitive"
IMPORT = CASES_DIR / "import"
DEPOSED = CASES_DIR / "deposed"
SARIF_SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "sarif-schema-2.1.0.json").read_text()
)


def scan(*argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", *argv, "--format", "json", "--now", NOW)
    return result.code, json.loads(result.out) if result.out else {}, result.err


def by_address(report: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for result in flat_results(report):
        found.setdefault(result["resource"]["address"], {})[result["rule_id"]] = result
    return found


def copy_plan(case: Path, tmp_path: Path, name: str = "plan.json") -> Path:
    """The plan alone, away from its .tf files."""
    target = tmp_path / name
    shutil.copy(case / name, target)
    return target


# --- regeneration -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases(), ids=[case.name for case in cases()])
def test_fixtures_are_what_terraform_writes(case: Any) -> None:
    """Regenerating a case with Terraform gives the committed JSON (except the timestamp)."""
    missing = terraform_available()
    if missing:
        pytest.skip(missing)
    with tempfile.TemporaryDirectory(prefix="wfcheck-tf-") as scratch:
        produced = generate(case, Path(scratch))
    assert produced, case.name
    for name, data in produced.items():
        committed = json.loads((case.directory / name).read_text())
        assert normalized(committed) == normalized(data), f"{case.name}/{name}"


def test_the_deferred_plan_is_the_real_plan_with_one_change_moved() -> None:
    real = json.loads((UNSET / "plan.json").read_text())
    committed = json.loads((UNSET / "deferred.json").read_text())
    assert committed == deferred_plan(
        real, "aws_sagemaker_workforce.unset", "resource_config_unknown"
    )


# --- issue 11: a block the configuration does not write (false pass) ---------------------------


def test_unset_source_ip_config_on_create_fails_wf010_and_the_gate() -> None:
    code, report, err = scan("--terraform", str(UNSET / "plan.json"))
    assert code == 1, err
    results = by_address(report)
    for address in (
        "aws_sagemaker_workforce.unset",
        'module.teams["red"].aws_sagemaker_workforce.this',
        'module.teams["blue"].aws_sagemaker_workforce.this',
    ):
        wf010 = results[address]["WF010"]
        assert wf010["status"] == "fail", address
        assert wf010["message"].startswith(
            "source_ip_config is not set in the configuration, so AWS creates the workforce "
            "with no source IP restriction: "
        ), wf010["message"]
        for rule in ("WF011", "WF012", "WF014"):  # no CIDR list: WF010 owns the finding
            assert results[address][rule]["status"] == "skip", (address, rule)


def test_a_dynamic_block_the_plans_values_leave_empty_fails_wf010() -> None:
    """``for_each = []``: the .tf files, evaluated with the plan's variables, write no block, so
    AWS's default (every address) applies; unknown here would let a world-open workforce pass."""
    code, report, _ = scan("--terraform", str(UNSET / "plan.json"))
    assert code == 1
    wf010 = by_address(report)["aws_sagemaker_workforce.dynamic_empty"]["WF010"]
    assert wf010["status"] == "fail"
    assert wf010["message"].startswith(
        "the dynamic source_ip_config block writes no block with the plan's variables, so AWS "
        "creates the workforce with no source IP restriction"
    ), wf010["message"]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        (
            "aws_sagemaker_workforce.dynamic_unknown",
            "which is known only after apply: a dynamic block writes source_ip_config",
        ),
        ("aws_sagemaker_workforce.written_unknown", "which is known only after apply"),
    ],
)
def test_what_the_configuration_cannot_tell_stays_unknown(address: str, reason: str) -> None:
    _, report, _ = scan("--terraform", str(UNSET / "plan.json"))
    wf010 = by_address(report)[address]["WF010"]
    assert wf010["status"] == "unknown"
    assert wf010["message"] == f"depends on SourceIpConfig.Cidrs, {reason}"


def test_without_the_tf_files_an_unset_block_still_fails_and_says_what_was_not_read(
    tmp_path: Path,
) -> None:
    plan = copy_plan(UNSET, tmp_path)
    code, report, _ = scan("--terraform", str(plan))
    assert code == 1
    results = by_address(report)
    message = results["aws_sagemaker_workforce.unset"]["WF010"]["message"]
    assert "wfcheck read no .tf file that could show one" in message
    # the plan cannot tell a dynamic block from none: fail closed
    assert results["aws_sagemaker_workforce.dynamic_empty"]["WF010"]["status"] == "fail"
    assert any("give --terraform-source DIR" in note for note in report["notes"])


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda plan: plan["configuration"]["root_module"]["module_calls"]["teams"].pop(
                "module"
            ),
            "not known: the plan's configuration does not include module.teams, so wfcheck "
            "cannot tell whether source_ip_config is set",
        ),
        (
            lambda plan: plan.pop("configuration"),
            "not known: the plan has no configuration section, so wfcheck cannot tell whether "
            "source_ip_config is set",
        ),
    ],
)
def test_a_module_configuration_the_plan_lacks_stays_unknown_and_says_why(
    tmp_path: Path, edit: Any, reason: str
) -> None:
    plan = json.loads((UNSET / "plan.json").read_text())
    edit(plan)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    _, report, _ = scan("--terraform", str(path))
    wf010 = by_address(report)['module.teams["red"].aws_sagemaker_workforce.this']["WF010"]
    assert (wf010["status"], wf010["message"]) == (
        "unknown",
        f"depends on SourceIpConfig.Cidrs, which is {reason}",
    )


def test_an_update_keeps_what_the_state_holds() -> None:
    """Only a create fills in the default: an update without the block keeps AWS's value."""
    record = next(
        r
        for r in TerraformSource(str(IMPORT / "plan.json")).records()
        if r.resource.address == "aws_sagemaker_workforce.changed"
    )
    assert record.resource.action == "update"
    assert record.workforce["SourceIpConfig"] == {"Cidrs": ["10.8.0.0/16", "10.8.1.0/24"]}
    assert record.default_reasons == {}


# --- issue 11: silent gaps ------------------------------------------------------------------


def test_no_op_import_and_update_are_evaluated_forget_is_noted() -> None:
    code, report, _ = scan("--terraform", str(IMPORT / "plan.json"))
    results = by_address(report)
    assert set(results) == {
        "aws_sagemaker_workforce.imported",
        "aws_sagemaker_workforce.kept",
        "aws_sagemaker_workforce.changed",
    }
    assert results["aws_sagemaker_workforce.imported"]["WF011"]["status"] == "fail"  # 0.0.0.0/0
    assert results["aws_sagemaker_workforce.kept"]["WF036"]["status"] == "fail"  # us-east-1 pool
    assert code == 1
    assert report["summary"]["records"] == 3
    assert any(
        "aws_sagemaker_workforce.old: forgotten by this plan" in note for note in report["notes"]
    )
    actions = {
        r.resource.address: r.resource.action
        for r in TerraformSource(str(IMPORT / "plan.json")).records()
    }
    assert actions == {
        "aws_sagemaker_workforce.imported": "import",
        "aws_sagemaker_workforce.kept": "no-op",
        "aws_sagemaker_workforce.changed": "update",
    }


def test_changed_only_restricts_the_gate_to_changes() -> None:
    code, report, _ = scan("--terraform", str(IMPORT / "plan.json"), "--changed-only")
    assert set(by_address(report)) == {
        "aws_sagemaker_workforce.imported",
        "aws_sagemaker_workforce.changed",
    }
    assert any("1 workforce(s) this plan leaves unchanged" in n for n in report["notes"])
    assert code == 1


def test_include_unchanged_is_still_accepted_and_changes_nothing() -> None:
    _, with_flag, _ = scan("--terraform", str(IMPORT / "plan.json"), "--include-unchanged")
    _, without, _ = scan("--terraform", str(IMPORT / "plan.json"))
    assert with_flag.pop("configuration")["options"]["include_unchanged"]["value"] is True
    without.pop("configuration")
    assert with_flag == without
    assert "--include-unchanged" not in run_cli("scan", "--help").out


def test_deferred_changes_are_evaluated_and_the_incomplete_plan_is_noted() -> None:
    code, report, _ = scan("--terraform", str(UNSET / "deferred.json"))
    assert code == 1
    unset = by_address(report)["aws_sagemaker_workforce.unset"]
    assert unset["WF010"]["status"] == "fail"
    assert unset["WF036"]["status"] == "pass"
    assert any("the plan is incomplete (complete: false)" in n for n in report["notes"])
    record = next(
        r
        for r in TerraformSource(str(UNSET / "deferred.json")).records()
        if r.resource.address == "aws_sagemaker_workforce.unset"
    )
    assert record.resource.action == "deferred"
    assert "Terraform deferred this change: resource_config_unknown" in record.unknown_reason(
        "WorkforceArn"
    )


def test_a_deferred_change_without_values_is_noted(tmp_path: Path) -> None:
    plan = json.loads((UNSET / "deferred.json").read_text())
    plan["deferred_changes"][0]["resource_change"]["change"]["after"] = None
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    _, report, _ = scan("--terraform", str(path))
    assert "aws_sagemaker_workforce.unset" not in by_address(report)
    assert any(
        "aws_sagemaker_workforce.unset: deferred by Terraform without planned values" in n
        for n in report["notes"]
    )


@pytest.mark.parametrize("document", ["state.json", "plan.json"])
def test_a_deposed_object_is_not_evaluated_as_current(document: str) -> None:
    _, report, _ = scan("--terraform", str(DEPOSED / document))
    results = flat_results(report)
    assert report["summary"]["records"] == 1
    fingerprints = [r["fingerprint"] for r in results]
    assert len(fingerprints) == len(set(fingerprints))
    # the current object allows 10.4.0.0/16; the deposed one 0.0.0.0/0, which must not count
    wf011 = by_address(report)["aws_sagemaker_workforce.main"]["WF011"]
    assert wf011["status"] == "pass"
    assert any(
        "aws_sagemaker_workforce.main: deposed object(s) left by an interrupted "
        "create_before_destroy replacement" in note
        for note in report["notes"]
    )


# --- issue 11: findings point at the .tf line -----------------------------------------------


def test_plan_and_sources_give_sarif_with_the_tf_line(tmp_path: Path) -> None:
    """A .tf tree with a local module, outside any git repository: paths are relative to it."""
    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLE, tree, ignore=shutil.ignore_patterns("*.json", "*.tfstate"))
    plan = copy_plan(EXAMPLE, tmp_path)
    result = run_cli(
        "scan",
        "--terraform",
        str(plan),
        "--terraform-source",
        str(tree),
        "--format",
        "sarif",
        "--now",
        NOW,
    )
    assert result.code == 1, result.err
    sarif = json.loads(result.out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    places = {
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["artifactLocation"].get("uriBaseId"),
            loc["physicalLocation"]["region"]["startLine"],
        )
        for res in sarif["runs"][0]["results"]
        for loc in res["locations"]
    }
    module_line = _line_of(
        tree / "modules" / "labeling" / "main.tf", 'resource "aws_sagemaker_workforce" "this"'
    )
    root_line = _line_of(tree / "main.tf", 'resource "aws_sagemaker_workforce" "annotators"')
    assert ("modules/labeling/main.tf", "%SRCROOT%", module_line) in places
    assert ("main.tf", "%SRCROOT%", root_line) in places
    assert all(uri.endswith(".tf") for uri, _, _ in places)


def test_github_annotations_point_at_the_tf_line() -> None:
    result = run_cli(
        "scan", "--terraform", str(EXAMPLE / "plan.json"), "--format", "github", "--now", NOW
    )
    assert result.code == 1, result.err
    line = _line_of(EXAMPLE / "main.tf", 'resource "aws_sagemaker_workforce" "contractors"')
    wf010 = next(
        text for text in result.out.splitlines() if "WF010" in text and "contractors" in text
    )
    assert wf010.startswith(f"::error file=examples/terraform/main.tf,line={line},")
    assert "source_ip_config is not set in the configuration" in wf010


def test_the_example_points_at_its_files_relative_to_the_repository() -> None:
    found = {
        r.resource.address: r.resource.location
        for r in TerraformSource(str(EXAMPLE / "plan.json")).records()
    }
    location = found['module.labeling["ap"].aws_sagemaker_workforce.this']
    assert location is not None
    assert location.file == "examples/terraform/modules/labeling/main.tf"
    module = EXAMPLE / "modules" / "labeling" / "main.tf"
    assert location.line == _line_of(module, 'resource "aws_sagemaker_workforce" "this"')


def _line_of(path: Path, text: str) -> int:
    return next(
        i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text)
    )


# --- issue 9: Terraform fails closed ----------------------------------------------------------


def test_sensitive_cidrs_are_evaluated_and_fail_the_default_gate() -> None:
    code, report, err = scan("--terraform", str(SENSITIVE / "plan.json"))
    assert code == 1, err
    results = by_address(report)
    for address in (
        "aws_sagemaker_workforce.sensitive_cidrs",
        "aws_sagemaker_workforce.sensitive_block",
    ):
        wf011 = results[address]["WF011"]
        assert wf011["status"] == "fail", address
        assert "(sensitive)" in wf011["message"]
        assert "0.0.0.0" not in wf011["message"]
    wf033 = results["aws_sagemaker_workforce.sensitive_issuer"]["WF033"]
    assert wf033["status"] == "fail"
    assert "(sensitive)" in wf033["message"]


def test_sensitive_values_are_never_unknown() -> None:
    _, report, _ = scan("--terraform", str(SENSITIVE / "plan.json"))
    assert "unknown" not in {r["status"] for r in flat_results(report)}


def test_an_unknown_action_exits_2_naming_the_address(tmp_path: Path) -> None:
    plan = json.loads((IMPORT / "plan.json").read_text())
    plan["resource_changes"][0]["change"]["actions"] = ["frobnicate"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli("scan", "--terraform", str(path), "--now", NOW)
    assert result.code == 2
    assert result.out == ""
    (line,) = result.err.splitlines()
    assert "(aws_sagemaker_workforce.changed): an action list Terraform does not write" in line


@pytest.mark.parametrize("document", ["plan.json", "state.json"])
def test_a_duplicate_key_exits_2_with_line_and_column(tmp_path: Path, document: str) -> None:
    """The reviewer reads the first value, JSON parsers keep the last: refuse both."""
    text = (DEPOSED / document).read_text()
    marker = '"cidrs": [\n'
    index = text.index(marker)
    doubled = text[:index] + '"cidrs": ["0.0.0.0/0"],\n              ' + text[index:]
    path = tmp_path / document
    path.write_text(doubled)
    line = doubled.count("\n", 0, index) + 1
    result = run_cli("scan", "--terraform", str(path), "--now", NOW)
    assert result.code == 2
    assert result.err.startswith(f"wfcheck: error: {path}:{line + 1}:")
    assert 'duplicate key "cidrs"' in result.err
    with pytest.raises(InputError):
        TerraformSource(str(path))
