"""The OIDC client secret in a plan never reaches any output, message, error or log.

``terraform show -json`` writes ``oidc_config[0].client_secret`` (and sensitive variables) in
clear text; only ``after_sensitive`` marks them. Every report format is taken from the registry
at test time, so a format added later is covered without editing this file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.reports import WRITER_BY_NAME
from tests.conftest import EXAMPLES, NOW
from tests.helpers import CliResult, run_cli

CANARY = "CANARY-oidc-secret-Zq81xT4w"
SENSITIVE_ISSUER = "https://canary-sensitive-issuer.example.com"
EXAMPLE_SECRETS = ("labeling-client-secret-2f8d6c1a9e", "vendor-client-secret-5b7e3a0c4d")
NEEDLES = (CANARY, "Zq81xT4w", "canary-sensitive-issuer")


def _canary_plan() -> dict[str, Any]:
    """The example plan with every secret replaced by the canary, plus a sensitive issuer."""
    text = (EXAMPLES / "terraform" / "plan.json").read_text()
    for secret in EXAMPLE_SECRETS:
        assert secret in text
        text = text.replace(secret, CANARY)
    plan: dict[str, Any] = json.loads(text)
    # a value Terraform marks sensitive (an issuer from a sensitive variable) is withheld too
    vendor = next(c for c in plan["resource_changes"] if c["address"].startswith("module.vendor"))
    vendor["change"]["after"]["oidc_config"][0]["issuer"] = SENSITIVE_ISSUER
    vendor["change"]["after_sensitive"]["oidc_config"][0]["issuer"] = True
    return plan


@pytest.fixture
def plan_path(tmp_path: Path) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_canary_plan(), indent=2))
    assert CANARY in path.read_text()
    return str(path)


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Capture every log record at DEBUG, so a leak into a debug log fails the test too."""
    with caplog.at_level(logging.DEBUG):
        yield
    assert not any(needle in caplog.text for needle in NEEDLES)


def _assert_clean(result: CliResult, *files: Path) -> None:
    for needle in NEEDLES:
        assert needle not in result.out
        assert needle not in result.err
        for file in files:
            assert needle not in file.read_text(encoding="utf-8", errors="replace"), file


@pytest.mark.parametrize("fmt", sorted(WRITER_BY_NAME))
@pytest.mark.parametrize("extra", [(), ("--show-passed", "--include-unchanged")])
def test_no_format_shows_the_secret(plan_path: str, fmt: str, extra: tuple[str, ...]) -> None:
    result = run_cli("scan", "--terraform", plan_path, "--format", fmt, "--now", NOW, *extra)
    assert result.code == 1, result.err  # the example trips rules: the report is not empty
    assert result.out
    _assert_clean(result)


@pytest.mark.parametrize("fmt", sorted(WRITER_BY_NAME))
def test_no_output_file_shows_the_secret(plan_path: str, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"report.{fmt}"
    result = run_cli(
        "scan",
        "--terraform",
        plan_path,
        "--format",
        fmt,
        "--output",
        str(output),
        "--now",
        NOW,
        "--fail-on-unknown",
    )
    assert result.code == 1, result.err
    assert output.stat().st_size > 0
    _assert_clean(result, output)


def test_no_extra_report_file_shows_the_secret(plan_path: str, tmp_path: Path) -> None:
    parser_help = run_cli("scan", "--help").out
    assert "--report" in parser_help  # the option this test exercises exists
    files = [tmp_path / f"extra.{fmt}" for fmt in sorted(WRITER_BY_NAME)]
    specs = [
        arg
        for fmt, file in zip(sorted(WRITER_BY_NAME), files, strict=True)
        for arg in ("--report", f"{fmt}={file}")
    ]
    result = run_cli("scan", "--terraform", plan_path, *specs, "--now", NOW)
    assert result.code == 1, result.err
    assert all(file.stat().st_size > 0 for file in files)
    _assert_clean(result, *files)


def test_no_baseline_file_shows_the_secret(plan_path: str, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    result = run_cli(
        "scan",
        "--terraform",
        plan_path,
        "--write-baseline",
        str(baseline),
        "--include-unchanged",
        "--now",
        NOW,
    )
    assert result.code in (0, 1), result.err
    assert baseline.stat().st_size > 0
    _assert_clean(result, baseline)


def _broken(edit: Any) -> dict[str, Any]:
    plan = _canary_plan()
    edit(plan)
    return plan


def _vendor(plan: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(
        c for c in plan["resource_changes"] if c["address"].startswith("module.vendor")
    )
    return found


ERRORS: list[tuple[str, Any]] = [
    # a JSON syntax error right after the secret
    ("syntax", json.dumps(_canary_plan(), indent=2).replace(f'"{CANARY}"', f'"{CANARY}" "x"', 1)),
    ("truncated-in-secret", json.dumps(_canary_plan()).split(CANARY)[0] + CANARY),
    # wrong types where the secret sits, or with the secret as the value
    (
        "endpoint-is-secret-object",
        _broken(
            lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(
                token_endpoint={"value": CANARY}
            )
        ),
    ),
    (
        "block-is-secret-string",
        _broken(lambda p: _vendor(p)["change"]["after"].update(oidc_config=CANARY)),
    ),
    (
        "name-is-secret-list",
        _broken(lambda p: _vendor(p)["change"]["after"].update(workforce_name=[CANARY])),
    ),
    ("format-version-is-secret", _broken(lambda p: p.update(format_version=CANARY))),
    ("actions-are-secret", _broken(lambda p: _vendor(p)["change"].update(actions=CANARY))),
    (
        "actions-hold-secret",
        _broken(lambda p: _vendor(p)["change"].update(actions=["create", CANARY], after=[CANARY])),
    ),
    (
        "sensitive-marker-is-secret",
        _broken(lambda p: _vendor(p)["change"].update(before_sensitive=CANARY)),
    ),
    ("after-is-secret", _broken(lambda p: _vendor(p)["change"].update(after=CANARY))),
    ("not-utf8", None),
]


@pytest.mark.parametrize(("name", "content"), ERRORS, ids=[name for name, _ in ERRORS])
@pytest.mark.parametrize("command", ["scan", "validate"])
def test_errors_never_show_the_secret(
    tmp_path: Path, name: str, content: Any, command: str
) -> None:
    path = tmp_path / "plan.json"
    if content is None:
        path.write_bytes(
            json.dumps(_canary_plan())
            .replace(CANARY, CANARY + "\udcff", 1)
            .encode("utf-8", errors="surrogateescape")
        )
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    assert CANARY.encode() in path.read_bytes()
    argv = (
        ["scan", "--terraform", str(path), "--now", NOW]
        if command == "scan"
        else ["validate", str(path)]
    )
    result = run_cli(*argv)
    assert result.code == 2, (name, result.out, result.err)
    assert str(path) in result.err
    _assert_clean(result)


def test_a_sensitive_value_of_a_wrong_type_is_never_read(tmp_path: Path) -> None:
    """The vendor's issuer is marked sensitive: even malformed, it is not looked at."""
    plan = _broken(
        lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(issuer={"value": CANARY})
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli("scan", "--terraform", str(path), "--format", "json", "--now", NOW)
    assert result.code == 1, result.err
    _assert_clean(result)


def test_a_secret_of_a_wrong_type_is_still_never_read(tmp_path: Path) -> None:
    plan = _broken(
        lambda p: _vendor(p)["change"]["after"]["oidc_config"][0].update(
            client_secret={"nested": [CANARY]}
        )
    )
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = run_cli("scan", "--terraform", str(path), "--format", "json", "--now", NOW)
    assert result.code == 1
    _assert_clean(result)
