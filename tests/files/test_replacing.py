"""Reports, snapshots and baselines are written whole or not at all."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from checker.files.replacing import replacing
from checker.reports import get_writer
from tests.conftest import EXAMPLES
from tests.helpers import run_cli


def test_the_new_content_replaces_the_file_only_when_complete(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old report")
    with pytest.raises(RuntimeError), replacing(str(path)) as stream:
        stream.write("half a new rep")
        stream.flush()
        assert path.read_text() == "old report"  # readers still see the old one
        raise RuntimeError("stopped half-way")
    assert path.read_text() == "old report"
    assert os.listdir(tmp_path) == ["report.json"]  # no temporary file left behind
    with replacing(str(path)) as stream:
        stream.write("new report")
    assert path.read_text() == "new report"
    assert os.listdir(tmp_path) == ["report.json"]


def test_a_new_file_gets_the_usual_permissions_and_an_old_one_keeps_its_own(
    tmp_path: Path,
) -> None:
    umask = os.umask(0o022)
    try:
        with replacing(str(tmp_path / "new.txt")) as stream:
            stream.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
    kept = tmp_path / "kept.txt"
    kept.write_text("x")
    kept.chmod(0o600)
    with replacing(str(kept)) as stream:
        stream.write("y")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_symlink_stays_and_the_file_it_points_at_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "wfcheck.sarif"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.sarif"
    link.symlink_to(real)
    with replacing(str(link)) as stream:
        stream.write("new")
    assert link.is_symlink()
    assert real.read_text() == "new"
    assert os.listdir(real.parent) == ["wfcheck.sarif"]


def test_a_device_is_written_in_place_never_replaced() -> None:
    before = os.stat("/dev/null")
    with replacing("/dev/null") as stream:
        stream.write("discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_scan_that_fails_while_writing_leaves_the_previous_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SARIF upload or ``diff`` after a failed step must not read half a report as a whole
    one with fewer findings."""
    output = tmp_path / "wfcheck.json"
    argv = ["scan", "--no-config", "-i", str(EXAMPLES / "workforces.json"), "-f", "json"]
    first = run_cli(*argv, "-o", str(output))
    assert first.code == 1, first.err
    complete = output.read_text()
    json.loads(complete)

    writer = type(get_writer("json"))
    real_write = writer.write

    def write_then_fail(self: Any, document: Any, stream: Any, options: Any) -> None:
        real_write(self, document, stream, options)
        stream.flush()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write", write_then_fail)
    failed = run_cli(*argv, "-o", str(output), "--now", "2030-01-01T00:00:00Z")
    assert failed.code == 2
    assert "No space left on device" in failed.err
    assert output.read_text() == complete
    assert os.listdir(tmp_path) == ["wfcheck.json"]


def test_a_baseline_is_replaced_whole(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    code = run_cli(
        "scan", "--no-config", "-i", str(EXAMPLES / "workforces.json"),
        "--write-baseline", str(baseline), "-o", str(tmp_path / "report.txt"),
    ).code  # fmt: skip
    assert code == 1
    assert json.loads(baseline.read_text())["entries"]
    assert sorted(os.listdir(tmp_path)) == ["baseline.json", "report.txt"]
