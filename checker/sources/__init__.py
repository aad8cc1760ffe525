"""Record sources: one module per origin behind :class:`checker.sources.base.RecordSource`.

``SOURCE_BY_NAME`` maps each kind of offline input to the module that reads it. Each module
offers ``open_sources(paths, request) -> list[RecordSource]`` and ``recognizes(path) -> bool``
(used for inputs given without saying their kind: ``wfcheck scan FILE``), and may name in
``OWN_OPTIONS`` the options that mean nothing without its inputs. Modules load only when used.
Adding a source is one module, one line here and one option in ``checker/cli``. The live AWS
API is not in the table: it is what a scan reads when no offline input is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from checker.errors import UsageError
from checker.sources.base import RecordSource

SOURCE_BY_NAME: dict[str, str] = {
    "input": "checker.sources.files",
    "terraform": "checker.sources.terraform",
    "cloudformation": "checker.sources.cloudformation",
}
FALLBACK = "input"
"""The kind of an input no other source recognizes (it recognizes any JSON)."""


@dataclass(frozen=True)
class SourceRequest:
    """What the command line asks of every offline source besides its paths.

    ``options`` holds source-specific options by their command-line dest (``terraform_source``,
    ``changed_only``, ``parameter``, ...), so a new source needs no change here.
    """

    max_input_bytes: int
    regions: tuple[str, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)


def recognize(path: str) -> str:
    """The kind of an input given without one: the first module that recognizes it."""
    if path == "-":
        return FALLBACK
    for kind, module in SOURCE_BY_NAME.items():
        if kind != FALLBACK and import_module(module).recognizes(path):
            return kind
    return FALLBACK


def open_all(paths: Mapping[str, Sequence[str]], request: SourceRequest) -> list[RecordSource]:
    """Sources for every offline input, by kind in ``SOURCE_BY_NAME`` order."""
    stdin = sum(list(items).count("-") for items in paths.values())
    if stdin > 1:
        raise UsageError("- (stdin) can be read only once: give it to one input")
    check_own_options(paths, request)
    sources: list[RecordSource] = []
    for kind, module in SOURCE_BY_NAME.items():
        if paths.get(kind):
            sources.extend(import_module(module).open_sources(list(paths[kind]), request))
    return sources


def check_own_options(paths: Mapping[str, Sequence[str]], request: SourceRequest) -> None:
    """An option that means nothing without its source's inputs is a usage error (before a
    live scan starts, too: ``--parameter`` without a template must not read AWS instead)."""
    for kind, module in SOURCE_BY_NAME.items():
        if paths.get(kind):
            continue
        for dest in getattr(import_module(module), "OWN_OPTIONS", ()):
            if request.options.get(dest):
                flag = "--" + dest.replace("_", "-")
                raise UsageError(f"{flag} needs --{kind} (or a {kind} input)")
