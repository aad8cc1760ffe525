"""Frozen, typed options of the commands besides ``scan`` (whose concerns are in
:mod:`checker.cli.options`), built from a run's settings the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.cli.options import as_tuple

if TYPE_CHECKING:
    from checker.cli.settings import Settings


@dataclass(frozen=True)
class SnapshotOptions:
    """Where ``fetch`` writes its snapshot, and what it says."""

    output: str | None = None
    quiet: bool = False
    create_dirs: bool = False
    now: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> SnapshotOptions:
        return cls(
            output=settings.get("output"),
            quiet=bool(settings.get("quiet")),
            create_dirs=bool(settings.get("create_output_dirs")),
            now=settings.get("now"),
        )


@dataclass(frozen=True)
class DiffOptions:
    """``diff``: the two sides, the report and what fails the run."""

    old: str
    new: str
    format: str = "table"
    output: str | None = None
    show_unchanged: bool = False
    quiet: bool = False
    fail_on: str = "low"
    now: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> DiffOptions:
        return cls(
            old=settings["old"],
            new=settings["new"],
            format=settings.get("format") or "table",
            output=settings.get("output"),
            show_unchanged=bool(settings.get("show_unchanged")),
            quiet=bool(settings.get("quiet")),
            fail_on=settings["fail_on"],
            now=settings.get("now"),
        )


@dataclass(frozen=True)
class TestOptions:
    """``test``: the policy test files, the policies under test, and the clock."""

    __test__ = False  # not a pytest class

    paths: tuple[str, ...] = ()
    policies: tuple[str, ...] = ("builtin",)
    now: str | None = None
    coverage: bool = False

    @classmethod
    def of(cls, settings: Settings) -> TestOptions:
        return cls(
            paths=as_tuple(settings.get("paths")),
            policies=as_tuple(settings.get("policy")) or ("builtin",),
            now=settings.get("now"),
            coverage=bool(settings.get("coverage")),
        )


@dataclass(frozen=True)
class IamPolicyOptions:
    """``iam-policy``: for which scope, role and related resources."""

    scope: str
    role_name: str | None = None
    related: frozenset[str] = frozenset()

    @classmethod
    def of(cls, settings: Settings) -> IamPolicyOptions:
        from checker.related import parse_kinds

        return cls(
            scope=settings["scope"],
            role_name=settings.get("role_name"),
            related=frozenset(parse_kinds(settings.get("related") or "all")),
        )


def operand_paths(settings: Settings) -> tuple[str, ...]:
    """The files and directories ``validate`` checks."""
    return as_tuple(settings.get("paths"))


def explained_argv(settings: Settings) -> list[str]:
    """The command line ``config`` explains: ``scan`` when none is given."""
    return list(settings.get("args") or ()) or ["scan"]


def rules_format(settings: Settings) -> str:
    """``rules --format``."""
    return str(settings["format"])
