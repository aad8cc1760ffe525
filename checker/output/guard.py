"""Output paths are checked before anything is read or collected.

A report, baseline or job summary must never overwrite what the run reads (the evidence, the
plan, a policy, a waiver file, the config): ``--output plan.json`` would destroy the plan the
gate is judging. Paths are compared after resolving symlinks and ``..``; a directory input
counts every file under it. An output whose folder is missing or not writable is found now, not
after a minutes-long live collection (``--create-output-dirs`` creates the folders instead).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from checker.errors import UsageError

NOT_FILES = frozenset({"", "-", "builtin"})


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _input_files(inputs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every file an input names (directories expanded), by real path -> how it was given."""
    found: dict[str, str] = {}
    for label, path in inputs:
        if path in NOT_FILES:
            continue
        if os.path.isdir(path):
            for folder, _, files in os.walk(path):
                for name in files:
                    found.setdefault(_real(os.path.join(folder, name)), f"{label} {path}")
        elif os.path.exists(path):
            found.setdefault(_real(path), f"{label} {path}")
    return found


def check_outputs(
    outputs: Sequence[tuple[str, str | None]],
    inputs: Iterable[tuple[str, str]],
    *,
    create_dirs: bool = False,
) -> None:
    """Raise :class:`UsageError` for an output that is an input or cannot be written.

    ``outputs`` and ``inputs`` are (label, path) pairs, the label naming the option
    (``--output``, ``--report sarif``, ``--policy``); a None or ``-`` output is stdout.
    """
    read = _input_files(inputs)
    for label, path in outputs:
        if path in (None, "-"):
            continue
        assert path is not None
        clash = read.get(_real(path))
        if clash is not None:
            raise UsageError(
                f"{label} {path} would overwrite {clash}, which this run reads",
                hint="write reports, baselines and summaries to another file",
            )
        _check_writable(label, Path(path), create_dirs)


def _check_writable(label: str, path: Path, create_dirs: bool) -> None:
    if path.is_dir():
        raise UsageError(f"{label} {path} is a directory, expected a file name")
    folder = path.parent
    if not folder.exists():
        if not create_dirs:
            raise UsageError(
                f"{label} {path}: folder {folder} does not exist",
                hint="create it, or pass --create-output-dirs",
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"{label} {path}: cannot create folder {folder}: {exc.strerror or exc}"
            ) from None
    if not folder.is_dir():
        raise UsageError(f"{label} {path}: {folder} is not a folder")
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise UsageError(f"{label} {path}: not writable")
