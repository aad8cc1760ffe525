"""Golden files for the machine-readable formats (SARIF, JUnit, CSV, ASFF).

A golden file is the exact output for the examples; a change shows up as a readable diff in
review. Refresh after an intended change with::

    WFCHECK_UPDATE_GOLDEN=1 python -m pytest tests/reports -q -p no:cacheprovider

and review ``git diff tests/golden``.
"""

from __future__ import annotations

import os

import pytest

from tests.conftest import EXAMPLES, GOLDEN, NOW, ROOT
from tests.helpers import run_cli

GOLDEN_VERSION = "0.0.0+golden"


def example_output(monkeypatch: pytest.MonkeyPatch, fmt: str, *extra: str) -> str:
    """``wfcheck scan`` on the examples, as a user runs it from the repository root.

    The tool version is pinned so a release does not rewrite every golden file.
    """
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("checker.cli.__version__", GOLDEN_VERSION)
    result = run_cli(
        "scan",
        "--input",
        str((EXAMPLES / "workforces.json").relative_to(ROOT)),
        "--var-file",
        str((EXAMPLES / "vars.yaml").relative_to(ROOT)),
        "--now",
        NOW,
        "--format",
        fmt,
        *extra,
    )
    assert result.code == 1, result.err  # the examples trip every rule
    return result.out


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("WFCHECK_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} missing: run with WFCHECK_UPDATE_GOLDEN=1 to create it"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, (
        f"{name} differs from the golden file (WFCHECK_UPDATE_GOLDEN=1 refreshes)"
    )
