"""``wfcheck scan DIR`` on ``.tf`` files without a plan: values as Terraform computes them,
unknown where the sources cannot decide, nothing dropped, findings at the deciding line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.model import Record
from checker.sources.terraform.static import StaticTerraformSource
from tests.helpers import flat_results, run_cli

HEADER = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region = "eu-west-1"
}
"""

WORKFORCE = """
resource "aws_sagemaker_workforce" "%s" {
  workforce_name = "%s"
  cognito_config {
    client_id = "client"
    user_pool = "eu-west-1_Pool"
  }
%s
}
"""


def workforce(name: str, body: str) -> str:
    return WORKFORCE % (name, name, body)


def root(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def records(directory: Path, **options: Any) -> dict[str, Record]:
    source = StaticTerraformSource(str(directory), environ=options.pop("environ", {}), **options)
    return {record.resource.address or "": record for record in source.records()}


def cidrs(record: Record) -> Any:
    return record.workforce.get("SourceIpConfig", {}).get("Cidrs")


def scan_json(directory: Path, *argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli("scan", str(directory), "--format", "json", "--now", "2026-12-01", *argv)
    return result.code, json.loads(result.out) if result.out else {}, result.err


def statuses(report: dict[str, Any], rule: str) -> dict[str, str]:
    return {
        item["resource"]["address"]: item["status"]
        for item in flat_results(report)
        if item["rule_id"] == rule
    }


VARIABLE = """
variable "cidrs" {
  type    = list(string)
  default = ["10.0.0.0/16"]
}
"""
FROM_VARIABLE = workforce("wf", "  source_ip_config {\n    cidrs = var.cidrs\n  }")


def test_variable_precedence_default_tfvars_auto_files_flags(tmp_path: Path) -> None:
    directory = root(
        tmp_path,
        {
            "main.tf": HEADER + VARIABLE + FROM_VARIABLE,
            "terraform.tfvars": 'cidrs = ["10.1.0.0/16"]\n',
            "b.auto.tfvars": 'cidrs = ["10.3.0.0/16"]\n',
            "a.auto.tfvars": 'cidrs = ["10.2.0.0/16"]\n',
            "extra.tfvars": 'cidrs = ["10.4.0.0/16"]\n',
        },
    )
    (tmp_path / "plain").mkdir()
    root(tmp_path / "plain", {"main.tf": HEADER + VARIABLE + FROM_VARIABLE})
    assert cidrs(records(tmp_path / "plain")["aws_sagemaker_workforce.wf"]) == ["10.0.0.0/16"]
    assert cidrs(records(directory)["aws_sagemaker_workforce.wf"]) == ["10.3.0.0/16"]
    extra = str(tmp_path / "extra.tfvars")
    assert cidrs(records(directory, var_files=[extra])["aws_sagemaker_workforce.wf"]) == [
        "10.4.0.0/16"
    ]
    flagged = records(directory, var_files=[extra], cli_vars=['cidrs=["10.5.0.0/16"]'])
    assert cidrs(flagged["aws_sagemaker_workforce.wf"]) == ["10.5.0.0/16"]
    environ = {"TF_VAR_cidrs": '["10.6.0.0/16"]'}
    plain = records(tmp_path / "plain", environ=environ)
    assert cidrs(plain["aws_sagemaker_workforce.wf"]) == ["10.6.0.0/16"]
    # TF_VAR_ loses to terraform.tfvars
    assert cidrs(records(directory, environ=environ)["aws_sagemaker_workforce.wf"]) == [
        "10.3.0.0/16"
    ]


def test_locals_functions_conditionals_and_for_expressions(tmp_path: Path) -> None:
    body = """
locals {
  base    = ["10.0.0.0/8"]
  offices = { paris = "192.0.2.0/24", tokyo = "198.51.100.0/24" }
  kept    = [for k, v in local.offices : v if k != "tokyo"]
  all     = distinct(concat(local.base, local.kept, local.base))
  subnet  = cidrsubnet("10.20.0.0/16", 8, 3)
}
""" + workforce(
        "wf",
        """  source_ip_config {
    cidrs = length(local.all) > 1 ? concat(local.all, [local.subnet]) : ["0.0.0.0/0"]
  }""",
    )
    found = records(root(tmp_path, {"main.tf": HEADER + body}))
    assert cidrs(found["aws_sagemaker_workforce.wf"]) == [
        "10.0.0.0/8",
        "192.0.2.0/24",
        "10.20.3.0/24",
    ]


def test_unset_variable_and_other_resources_are_unknown_with_the_reason(tmp_path: Path) -> None:
    body = (
        'variable "cidrs" {\n  type = list(string)\n}\n'
        'resource "aws_eip" "egress" {}\n'
        + workforce("unset", "  source_ip_config {\n    cidrs = var.cidrs\n  }")
        + workforce(
            "other", '  source_ip_config {\n    cidrs = ["${aws_eip.egress.public_ip}/32"]\n  }'
        )
    )
    code, report, err = scan_json(root(tmp_path, {"main.tf": HEADER + body}))
    wf010 = {
        item["resource"]["address"]: item
        for item in flat_results(report)
        if item["rule_id"] == "WF010"
    }
    assert wf010["aws_sagemaker_workforce.unset"]["status"] == "unknown"
    assert "var.cidrs has no value" in wf010["aws_sagemaker_workforce.unset"]["message"]
    assert wf010["aws_sagemaker_workforce.other"]["status"] == "unknown"
    assert "aws_eip.egress.public_ip" in wf010["aws_sagemaker_workforce.other"]["message"]
    assert code in (0, 1), err


def test_no_source_ip_config_fails_as_aws_creates_it(tmp_path: Path) -> None:
    code, report, _ = scan_json(root(tmp_path, {"main.tf": HEADER + workforce("open", "")}))
    assert code == 1
    assert statuses(report, "WF010") == {"aws_sagemaker_workforce.open": "fail"}


@pytest.mark.parametrize(
    ("for_each", "expected"),
    [("[]", "fail"), ('[["10.0.0.0/16"]]', "pass"), ("var.blocks", "fail")],
)
def test_dynamic_source_ip_config(tmp_path: Path, for_each: str, expected: str) -> None:
    body = 'variable "blocks" {\n  default = []\n}\n' + workforce(
        "dyn",
        f"""  dynamic "source_ip_config" {{
    for_each = {for_each}
    content {{
      cidrs = source_ip_config.value
    }}
  }}""",
    )
    _, report, _ = scan_json(root(tmp_path, {"main.tf": HEADER + body}))
    assert statuses(report, "WF010") == {"aws_sagemaker_workforce.dyn": expected}


def test_count_and_for_each_expand_and_unknown_ones_are_evaluated_once(tmp_path: Path) -> None:
    body = (
        'resource "aws_eip" "e" {}\n'
        + workforce("counted", '  count = 2\n  source_ip_config {\n    cidrs = ["0.0.0.0/0"]\n  }')
        + workforce("none", '  count = 0\n  source_ip_config {\n    cidrs = ["0.0.0.0/0"]\n  }')
        + workforce(
            "unknowable",
            '  count = aws_eip.e.id == "" ? 0 : 1\n'
            '  source_ip_config {\n    cidrs = ["0.0.0.0/0"]\n  }',
        )
    )
    code, report, _ = scan_json(root(tmp_path, {"main.tf": HEADER + body}))
    assert code == 1
    assert statuses(report, "WF011") == {
        "aws_sagemaker_workforce.counted[0]": "fail",
        "aws_sagemaker_workforce.counted[1]": "fail",
        "aws_sagemaker_workforce.unknowable[*]": "fail",
    }
    assert any("aws_sagemaker_workforce.none" in note for note in report["notes"])


def test_modules_take_the_callers_values_not_the_childs_defaults(tmp_path: Path) -> None:
    child = (
        'variable "cidrs" {\n  default = ["10.9.0.0/16"]\n}\n'
        + 'variable "name" {}\n'
        + WORKFORCE % ("this", "${var.name}", "  source_ip_config {\n    cidrs = var.cidrs\n  }")
    )
    caller = """
module "teams" {
  source   = "./modules/wf"
  for_each = { us = ["0.0.0.0/0"], eu = ["10.1.0.0/16"] }
  name     = each.key
  cidrs    = each.value
}
"""
    directory = root(tmp_path, {"main.tf": HEADER + caller, "modules/wf/main.tf": child})
    found = records(directory)
    assert cidrs(found['module.teams["us"].aws_sagemaker_workforce.this']) == ["0.0.0.0/0"]
    assert cidrs(found['module.teams["eu"].aws_sagemaker_workforce.this']) == ["10.1.0.0/16"]
    assert len(found) == 2


def test_findings_point_at_the_tfvars_line_that_set_the_value(tmp_path: Path) -> None:
    directory = root(
        tmp_path,
        {
            "main.tf": HEADER + VARIABLE + FROM_VARIABLE,
            "terraform.tfvars": '# the office ranges\ncidrs = ["0.0.0.0/0"]\n',
        },
    )
    result = run_cli("scan", str(directory), "--format", "sarif", "--now", "2026-12-01")
    assert result.code == 1, result.err
    sarif = json.loads(result.out)
    (wf011,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "WF011"]
    location = wf011["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("terraform.tfvars")
    assert location["region"]["startLine"] == 2


def test_sensitive_values_are_evaluated_and_never_shown(tmp_path: Path) -> None:
    body = (
        'variable "secret_range" {\n  sensitive = true\n  default = ["203.0.113.77/0"]\n}\n'
        + workforce("wf", "  source_ip_config {\n    cidrs = var.secret_range\n  }")
    )
    for fmt in ("json", "table", "sarif"):
        result = run_cli("scan", str(root(tmp_path, {"main.tf": HEADER + body})), "--format", fmt)
        assert result.code == 1, result.err
        assert "203.0.113.77" not in result.out + result.err


def test_import_makes_what_the_configuration_leaves_out_unknown(tmp_path: Path) -> None:
    body = 'import {\n  to = aws_sagemaker_workforce.adopted\n  id = "adopted"\n}\n' + workforce(
        "adopted", ""
    )
    _, report, _ = scan_json(root(tmp_path, {"main.tf": HEADER + body}))
    assert statuses(report, "WF010") == {"aws_sagemaker_workforce.adopted": "unknown"}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "main.tf": b'resource "aws_sagemaker_workforce" "x" {\n'
                b'  workforce_name = "\xff"\n}\n'
            },
            "main.tf:2: not UTF-8",
        ),
        (
            {"main.tf": b'resource "aws_sagemaker_workforce" "x" {\n  workforce_name = \n'},
            "main.tf",
        ),
    ],
)
def test_unreadable_sources_exit_2_naming_the_file(
    tmp_path: Path, files: dict[str, bytes], expected: str
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = run_cli("scan", str(tmp_path))
    assert result.code == 2
    assert expected in result.err
    assert "Traceback" not in result.err


def test_nesting_too_deep_exits_2_naming_the_file(tmp_path: Path) -> None:
    deep = "[" * 400 + '"10.0.0.0/8"' + "]" * 400
    body = HEADER + workforce("wf", f"  source_ip_config {{\n    cidrs = flatten({deep})\n  }}")
    result = run_cli("scan", str(root(tmp_path, {"main.tf": body})))
    assert result.code == 2
    assert "main.tf: nested too deeply" in result.err
    assert "Traceback" not in result.err


def test_module_sources_outside_the_tree_or_looping_are_notes_not_reads(tmp_path: Path) -> None:
    root(tmp_path / "outside", {"main.tf": workforce("stolen", "")})
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    heredoc = "<<EOT\n" + "x" * 2_000_000 + "\nEOT"
    body = (
        HEADER
        + 'module "escape" {\n  source = "../outside"\n}\n'
        + 'module "loop" {\n  source = "./"\n}\n'
        + f"locals {{\n  big = {heredoc}\n}}\n"
        + workforce("wf", '  source_ip_config {\n    cidrs = ["10.0.0.0/8"]\n  }')
    )
    root(repo, {"main.tf": body})
    code, report, err = scan_json(repo)
    assert code == 1, err  # WF020: no VPC
    assert [item["address"] for item in report["resources"]] == ["aws_sagemaker_workforce.wf"]
    notes = " ".join(report["notes"])
    assert "module.escape: its source leaves the scanned tree" in notes
    assert "module.loop: its source leads back to a module that calls it" in notes


def test_many_root_modules_read_in_two_processes_give_the_sequential_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker.sources.terraform.static import source as static_source

    paths = []
    for index in range(12):
        cidrs = '["0.0.0.0/0"]' if index % 3 else '["192.0.2.0/24"]'
        body = HEADER + workforce(f"wf{index}", f"  source_ip_config {{\n    cidrs = {cidrs}\n  }}")
        paths.append(str(root(tmp_path / f"stack{index}", {"main.tf": body})))

    def snapshot() -> list[tuple[str, list[Record], list[str]]]:
        sources = static_source.static_sources(paths)
        return [(s.name, list(s.records()), s.notes) for s in sources]

    forked = snapshot()
    monkeypatch.setattr("checker.forking.can_fork", lambda: False)
    assert forked == snapshot()
    assert [name for name, _, _ in forked] == paths
