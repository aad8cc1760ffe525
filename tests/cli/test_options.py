"""The typed options ``scan`` and ``fetch`` read, built from parsed command lines."""

from __future__ import annotations

from checker.cli.main import settings_for
from checker.cli.options import InputOptions, live_options
from checker.cli.parser import parse
from checker.cli.settings import Settings


def settings(*argv: str) -> Settings:
    return settings_for(parse([*argv, "--no-config"]), announce=False)


def test_inputs_carry_the_template_switch_parameter_files_and_source_options() -> None:
    inputs = InputOptions.of(
        settings(
            "scan",
            "stack.yaml",
            "--templates-only",
            "--parameters-file",
            "p.json",
            "--tf-var",
            "a=1",
        )
    )
    assert inputs.unsorted == ("stack.yaml",)
    assert inputs.templates_only is True
    assert inputs.parameter_files == ("p.json",)
    assert inputs.extra["tf_var"] == ["a=1"]
    assert "inputs" not in inputs.extra and "input" not in inputs.extra


def test_inputs_default_to_content_recognition() -> None:
    inputs = InputOptions.of(settings("scan", "a.json"))
    assert inputs.templates_only is False
    assert inputs.parameter_files == ()


def test_live_options_read_every_live_flag() -> None:
    live = live_options(
        settings(
            "fetch",
            "--region",
            "eu-west-1",
            "--region",
            "us-east-1",
            "--workers",
            "7",
            "--related",
            "workteams,user-pool",
            "--name-contains",
            "lab",
            "--accounts",
            "accounts.txt",
            "--role-name",
            "Audit",
        )
    )
    assert live.regions == ("eu-west-1", "us-east-1")
    assert live.workers == 7
    assert live.related == frozenset({"workteams", "user-pool"})
    assert live.listing.name_contains == "lab"
    assert live.accounts_file == "accounts.txt"
    assert live.role_name == "Audit"


def test_live_options_read_every_related_kind_by_default() -> None:
    from checker.related import KINDS

    assert live_options(settings("fetch")).related == frozenset(KINDS)
