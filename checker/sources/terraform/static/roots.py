"""Which root modules a set of changed ``.tf`` / ``.tfvars`` files belongs to.

A pre-commit hook or a pull request check is given files, but Terraform evaluates root modules:
a change to ``modules/wf/main.tf`` matters through every root module that calls it. A directory
is a root module when no other directory of the repository calls it as a local module; a
``.tfvars`` file belongs to its own directory (variables are given to a root).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from checker.sources.terraform.locations import SourceTree, is_local_source, repository_root

MAX_DIRECTORIES = 10_000
SKIPPED_DIRECTORIES = frozenset({".terraform", ".git", "node_modules"})


def is_terraform_file(path: str) -> bool:
    return path.endswith((".tf", ".tfvars")) and Path(path).is_file()


def root_modules(changed: Sequence[str]) -> list[Path]:
    """The root module directories of ``changed`` files, sorted, each once."""
    roots: set[Path] = set()
    callers_by_top: dict[Path, dict[Path, set[Path]]] = {}
    for name in changed:
        directory = Path(name).resolve().parent
        if name.endswith(".tfvars"):
            roots.add(directory)
            continue
        top = repository_root(directory)
        callers = callers_by_top.get(top)
        if callers is None:
            callers = callers_by_top[top] = _callers(top)
        roots.update(_roots_of(directory, callers))
    return sorted(roots)


def _roots_of(directory: Path, callers: dict[Path, set[Path]]) -> set[Path]:
    """The directories at the top of every chain of local module calls that reaches
    ``directory`` (itself when nothing calls it); a loop of calls ends where it closes."""
    found: set[Path] = set()
    seen: set[Path] = set()
    pending = [directory]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        calling = callers.get(current, set()) - {current}
        if not calling:
            found.add(current)
        pending.extend(calling)
    return found


def _callers(top: Path) -> dict[Path, set[Path]]:
    """Directory -> the directories under ``top`` whose ``.tf`` files call it as a module."""
    tree = SourceTree(top)
    callers: dict[Path, set[Path]] = {}
    for directory in _tf_directories(top):
        for source in tree.module_files(directory).module_sources.values():
            if source is None or not is_local_source(source):
                continue
            called = (directory / source.replace("\\", "/")).resolve()
            if called.is_relative_to(top):
                callers.setdefault(called, set()).add(directory)
    return callers


def _tf_directories(top: Path) -> Iterable[Path]:
    """Directories under ``top`` holding ``.tf`` files (bounded; symlinks not followed)."""
    count = 0
    for current, subdirectories, files in os.walk(top):
        subdirectories[:] = sorted(d for d in subdirectories if d not in SKIPPED_DIRECTORIES)
        if any(name.endswith(".tf") for name in files):
            count += 1
            if count > MAX_DIRECTORIES:
                return
            yield Path(current).resolve()
