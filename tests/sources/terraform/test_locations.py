"""Terraform addresses -> the file and line of their ``resource`` block (python-hcl2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.model import Location
from checker.sources.terraform import TerraformSource, terraform_sources
from checker.sources.terraform.locations import SourceTree, repository_root
from tests.conftest import NOW
from tests.helpers import run_cli
from tests.sources.terraform.plans import EXAMPLE

RESOURCE = 'resource "aws_sagemaker_workforce" "{name}" {{\n  workforce_name = "x"\n}}\n'


def no_module(calls: tuple[str, ...]) -> str | None:
    return None


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def locate(root: Path, calls: tuple[str, ...], name: str) -> Any:
    tree = SourceTree(root)
    found = tree.resource(calls, "aws_sagemaker_workforce", name, no_module)
    return found if isinstance(found, str) else tree.location(found)


# --- the line numbers python-hcl2 gives ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        (RESOURCE.format(name="w"), 1, 1),
        ("# a comment\n\n" + RESOURCE.format(name="w"), 3, 1),
        ("/* a block\ncomment */\n" + RESOURCE.format(name="w"), 3, 1),
        (
            'locals {\n  x = <<EOT\nresource "aws_sagemaker_workforce" "w" {}\nEOT\n}\n'
            + RESOURCE.format(name="w"),
            6,
            1,
        ),
        ('variable "v" {\n  default = "a\\nb"\n}\n\n  ' + RESOURCE.format(name="w"), 5, 3),
        (RESOURCE.format(name="other") + "\n" + RESOURCE.format(name="w"), 5, 1),
        ("resource aws_sagemaker_workforce w {\n}\n", 1, 1),  # bare labels are valid HCL
    ],
    ids=[
        "first",
        "after-comments",
        "after-block-comment",
        "heredoc-lookalike",
        "indented",
        "second",
        "bare-labels",
    ],
)
def test_line_and_column_of_the_resource_block(
    tmp_path: Path, text: str, line: int, column: int
) -> None:
    write_tree(tmp_path, {"main.tf": text})
    assert locate(tmp_path, (), "w") == Location("main.tf", line, column)


@pytest.mark.parametrize(
    "content",
    [
        b'\xef\xbb\xbf# bom\r\n\r\nresource "aws_sagemaker_workforce" "w" {\r\n}\r\n',
        b'# crlf\r\n\r\nresource "aws_sagemaker_workforce" "w" {\r\n}\r\n',
    ],
    ids=["bom-crlf", "crlf"],
)
def test_byte_order_mark_and_crlf_do_not_shift_lines(tmp_path: Path, content: bytes) -> None:
    write_tree(tmp_path, {"main.tf": content})
    assert locate(tmp_path, (), "w") == Location("main.tf", 3, 1)


def test_files_are_read_in_name_order_and_override_files_are_skipped(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "b.tf": "\n" + RESOURCE.format(name="w"),
            "override.tf": RESOURCE.format(name="w"),
            "a_override.tf": RESOURCE.format(name="w"),
            "a.tf": RESOURCE.format(name="other"),
        },
    )
    assert locate(tmp_path, (), "w") == Location("b.tf", 2, 1)


# --- modules -------------------------------------------------------------------------------------


def test_local_modules_are_followed_at_any_depth(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": 'module "outer" {\n  source = "./modules/outer"\n}\n',
            "modules/outer/main.tf": 'module "inner" {\n  source = "../inner"\n}\n',
            "modules/inner/wf.tf": "# inner\n" + RESOURCE.format(name="this"),
        },
    )
    assert locate(tmp_path, ("outer", "inner"), "this") == Location("modules/inner/wf.tf", 2, 1)


def test_the_plan_configuration_source_comes_first(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  source = "./a"\n}\n',
            "a/main.tf": RESOURCE.format(name="this"),
            "b/main.tf": "\n\n" + RESOURCE.format(name="this"),
        },
    )
    tree = SourceTree(tmp_path)
    found = tree.resource(("m",), "aws_sagemaker_workforce", "this", lambda calls: "./b")
    assert not isinstance(found, str)
    assert tree.location(found) == Location("b/main.tf", 3, 1)


@pytest.mark.parametrize(
    ("files", "calls", "reason"),
    [
        (
            {"main.tf": 'module "m" {\n  source = "terraform-aws-modules/x/aws"\n}\n'},
            ("m",),
            "module.m comes from a registry or remote source, which is not on disk",
        ),
        (
            {"main.tf": 'module "m" {\n  source = "git::https://u:tok3n@example.com/m.git"\n}\n'},
            ("m",),
            "module.m comes from a registry or remote source, which is not on disk",
        ),
        (
            {"main.tf": 'module "m" {\n  source = "./gone"\n}\n'},
            ("m",),
            "module.m's source './gone' is not a directory",
        ),
        ({"main.tf": ""}, ("m",), "module.m is not declared in"),
        (
            {"main.tf": RESOURCE.format(name="other")},
            (),
            "no resource aws_sagemaker_workforce.w in",
        ),
        (
            {"main.tf": 'resource "aws_sagemaker_workforce" "w" {\n  x = \n}\n'},
            (),
            "has .tf files python-hcl2 cannot read (main.tf:",
        ),
        (
            {"main.tf": "", "wf.tf.json": json.dumps({"resource": {}})},
            (),
            "declares it in a .tf.json file",
        ),
    ],
    ids=["registry", "git", "missing-dir", "undeclared", "no-resource", "syntax-error", "tf-json"],
)
def test_what_cannot_be_located_says_why(
    tmp_path: Path, files: dict[str, str], calls: tuple[str, ...], reason: str
) -> None:
    write_tree(tmp_path, files)
    name = "this" if calls else "w"
    found = locate(tmp_path, calls, name)
    assert isinstance(found, str)
    assert reason in found
    assert "tok3n" not in found  # a token in a git source never reaches a note


def test_a_remote_module_falls_back_to_the_plan_file_with_a_note(tmp_path: Path) -> None:
    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLE, tree, ignore=shutil.ignore_patterns("*.tfstate"))
    plan = json.loads((tree / "plan.json").read_text())
    plan["configuration"]["root_module"]["module_calls"]["vendor"]["source"] = (
        "app.terraform.io/acme/labeling/aws"
    )
    (tree / "plan.json").write_text(json.dumps(plan))
    source = TerraformSource(str(tree / "plan.json"))
    found = {r.resource.address: r.resource.location for r in source.records()}
    assert found["module.vendor[0].aws_sagemaker_workforce.this"] is None
    module = (tree / "modules" / "labeling" / "main.tf").read_text().splitlines()
    line = module.index('resource "aws_sagemaker_workforce" "this" {') + 1
    assert found['module.labeling["ap"].aws_sagemaker_workforce.this'] == Location(
        "modules/labeling/main.tf", line, 1
    )
    assert source.notes == [
        f"{tree / 'plan.json'}: findings for module.vendor[0].aws_sagemaker_workforce.this point "
        "at the plan file: module.vendor comes from a registry or remote source, which is not "
        "on disk"
    ]


# --- which directory, and relative to what --------------------------------------------------------


def test_paths_are_relative_to_the_git_top_level(tmp_path: Path) -> None:
    write_tree(tmp_path, {"infra/prod/main.tf": RESOURCE.format(name="w")})
    (tmp_path / ".git").write_text("gitdir: /elsewhere/worktrees/x\n")  # a worktree's .git file
    assert repository_root(tmp_path / "infra" / "prod") == tmp_path.resolve()
    assert locate(tmp_path / "infra" / "prod", (), "w") == Location("infra/prod/main.tf", 1, 1)


def test_a_module_outside_the_repository_is_not_pointed_at(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "repo/main.tf": 'module "shared" {\n  source = "../shared"\n}\n',
            "shared/main.tf": RESOURCE.format(name="this"),
        },
    )
    (tmp_path / "repo" / ".git").mkdir()
    assert locate(tmp_path / "repo", ("shared",), "this") is None


def _plan_for(name: str) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": f"aws_sagemaker_workforce.{name}",
                "mode": "managed",
                "type": "aws_sagemaker_workforce",
                "name": name,
                "change": {"actions": ["update"], "after": {"workforce_name": name}},
            }
        ],
    }


def test_default_source_is_the_plan_files_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": "\n" + RESOURCE.format(name="w")})
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    (record,) = TerraformSource(str(tmp_path / "plan.json")).records()
    assert record.resource.location == Location("main.tf", 2, 1)


def test_the_option_names_another_directory(tmp_path: Path) -> None:
    write_tree(tmp_path, {"src/main.tf": RESOURCE.format(name="w")})
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    (source,) = terraform_sources([str(tmp_path / "plan.json")], source_dir=str(tmp_path / "src"))
    (record,) = source.records()
    assert record.resource.location == Location("main.tf", 1, 1)
    assert source.notes == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "nope", "not a directory"),
        (lambda root: write_tree(root / "empty", {"README.md": "x"}), "no .tf files"),
    ],
)
def test_a_source_option_that_is_not_a_configuration_exits_2(
    tmp_path: Path, make: Any, message: str
) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    directory = make(tmp_path)
    result = run_cli(
        "scan", "--terraform", str(tmp_path / "plan.json"), "--terraform-source", str(directory)
    )
    assert result.code == 2
    assert f"--terraform-source {directory}: {message}" in result.err


def test_without_sources_a_note_says_how_to_get_locations(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    source = TerraformSource(str(tmp_path / "plan.json"))
    (record,) = source.records()
    assert record.resource.location is None
    assert len(source.notes) == 1
    assert "give --terraform-source DIR" in source.notes[0]


def test_validate_reads_no_sources(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": "this is { not HCL"})
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    result = run_cli("validate", str(tmp_path / "plan.json"))
    assert result.code == 0, result.err


def test_an_unreadable_tf_file_is_a_note_not_an_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {"main.tf": 'resource "aws_sagemaker_workforce" "w" {\n  = broken\n}\n'})
    (tmp_path / "plan.json").write_text(json.dumps(_plan_for("w")))
    result = run_cli(
        "scan", "--terraform", str(tmp_path / "plan.json"), "--format", "json", "--now", NOW
    )
    assert result.code in (0, 1), result.err
    notes = json.loads(result.out)["notes"]
    assert any("python-hcl2 cannot read (main.tf:2)" in note for note in notes)
