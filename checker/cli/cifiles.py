"""CI files that run wfcheck (GitHub Actions workflows, GitLab CI): check the wfcheck commands.

``wfcheck validate .github/workflows/`` then catches a misspelt option, an unknown format or a
bad ``--report`` before the pipeline runs. Only commands that start with ``wfcheck`` in a
``run:`` (GitHub) or ``script:``/``before_script:``/``after_script:`` (GitLab) entry are read.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from checker.cli.parser import check_arguments
from checker.errors import InputError
from checker.files.yaml_documents import load_yaml

SCRIPT_KEYS = frozenset({"run", "script", "before_script", "after_script"})


def wfcheck_commands(script: str) -> Iterator[list[str]]:
    """The argument lists of every ``wfcheck ...`` command in a shell script."""
    for line in script.replace("\\\n", " ").splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:  # an unbalanced quote: not ours to judge
            continue
        if words and words[0] == "wfcheck":
            yield words[1:]


def _scripts(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SCRIPT_KEYS:
                items = item if isinstance(item, list) else [item]
                for index, text in enumerate(items):
                    if isinstance(text, str):
                        yield (
                            (*path, key, index) if isinstance(item, list) else (*path, key),
                            text,
                        )
            else:
                yield from _scripts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scripts(item, (*path, index))


def validate_ci_file(path: str) -> None:
    doc = load_yaml(path, kind="CI file")
    for where, script in _scripts(doc.data):
        for argv in wfcheck_commands(script):
            problem = check_arguments(argv)
            if problem:
                raise doc.error(InputError, where, f"wfcheck {shlex.join(argv[:1])}: {problem}")
