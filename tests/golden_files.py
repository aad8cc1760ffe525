"""Golden files: the exact output of ``wfcheck scan`` on the examples, one per format.

A change shows up as a readable diff in review. After an intended change, refresh them with::

    WFCHECK_UPDATE_GOLDEN=1 python -m pytest tests -q -p no:cacheprovider

and review ``git diff tests/golden``.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import EXAMPLES, GOLDEN, NOW, ROOT
from tests.helpers import CliResult, run_cli

GOLDEN_VERSION = "0.0.0+golden"
UPDATE_VAR = "WFCHECK_UPDATE_GOLDEN"


def scan_examples(monkeypatch: pytest.MonkeyPatch, *argv: str) -> CliResult:
    """``wfcheck scan`` on the examples from the repository root, tool version pinned (so a
    release does not rewrite every golden file)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("checker.pipeline.__version__", GOLDEN_VERSION)
    return run_cli(
        "scan",
        "--input",
        str((EXAMPLES / "workforces.json").relative_to(ROOT)),
        "--var-file",
        str((EXAMPLES / "vars.yaml").relative_to(ROOT)),
        "--now",
        NOW,
        *argv,
    )


def example_output(monkeypatch: pytest.MonkeyPatch, fmt: str, *extra: str) -> str:
    """The report in ``fmt`` on stdout; the examples trip every rule, so the scan exits 1."""
    result = scan_examples(monkeypatch, "--format", fmt, *extra)
    assert result.code == 1, result.err
    return result.out


def assert_golden(name: str, text: str) -> None:
    """``text`` equals ``tests/golden/NAME`` byte for byte (rewritten first when refreshing)."""
    path = GOLDEN / name
    if os.environ.get(UPDATE_VAR) == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"{path} missing: run with {UPDATE_VAR}=1 to create it"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, f"{name} differs from the golden file ({UPDATE_VAR}=1 refreshes)"
