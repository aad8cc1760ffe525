"""The value of every option of a run and where it came from: default < config file < command line.

List options given on the command line replace the file's list, with two exceptions that merge:
``vars`` and ``--var`` (by name; the command line wins per var), and rule exclusions (the file's
``skip_rules`` and ``disable`` plus ``--skip-rule``). The command line always wins over the
file: a rule named by ``--rule`` runs even if the file disables it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.cli.arguments import Command
from checker.cli.config import ConfigFile, file_values, severity_overrides, var_texts
from checker.cli.parser import Invocation

DEFAULT = "default"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Setting:
    """One option's value; ``file`` is ``FILE:LINE`` when the config file set (part of) it."""

    value: Any
    key: str | None
    file: str | None = None
    command_line: bool = False

    @property
    def origin(self) -> str:
        origins = [self.file] if self.file else []
        if self.command_line:
            origins.append(COMMAND_LINE)
        return " + ".join(origins) or DEFAULT


@dataclass(frozen=True)
class Settings(Mapping[str, Any]):
    """A run's option values by dest (``settings["fail_on"]``), with their origins."""

    command: Command
    by_dest: Mapping[str, Setting]
    config: ConfigFile | None = None
    severity: Mapping[str, str] = field(default_factory=dict)
    severity_origin: str = DEFAULT
    disabled: tuple[str, ...] = ()
    """Rule exclusions from the config file (``skip_rules`` and ``disable``)."""
    argv: tuple[str, ...] = ()

    def __getitem__(self, dest: str) -> Any:
        return self.by_dest[dest].value

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_dest)

    def __len__(self) -> int:
        return len(self.by_dest)

    def given(self, dest: str) -> bool:
        """Whether the command line set this option."""
        setting = self.by_dest.get(dest)
        return setting is not None and setting.command_line

    def from_file(self) -> list[str]:
        """The config keys the file set for this run, in the order the file writes them."""
        placed = [(s.file, s.key) for s in self.by_dest.values() if s.key and s.file]
        if self.severity:
            placed.append((self.severity_origin, "severity"))
        placed.sort(key=lambda item: int(item[0].rsplit(":", 1)[1]))  # in file order
        return list(dict.fromkeys(key for _, key in placed))


def settle(command: Command, invocation: Invocation, config: ConfigFile | None) -> Settings:
    """Every option of ``command``: the command line, else the file, else the default."""
    in_file = file_values(config, command) if config is not None else {}
    values: dict[str, Setting] = {}
    for option in command.options():
        dest = option.dest
        key = option.config_key
        given = dest in invocation.given
        stored = in_file.get(dest)
        if dest == "var":
            values[dest] = _merged(
                var_texts(config) if config is not None and "vars" in config.data else [],
                config.where(("vars",)) if config is not None and "vars" in config.data else None,
                invocation.given.get(dest, []),
                "vars",
            )
        elif dest == "skip_rule":
            exclusions, origin = _exclusions(config, stored)
            values[dest] = _merged(exclusions, origin, invocation.given.get(dest, []), key)
        elif given:
            values[dest] = Setting(invocation.given[dest], key, command_line=True)
        elif stored is not None:
            values[dest] = Setting(stored.value, stored.key, file=stored.origin)
        else:
            values[dest] = Setting(option.shown_default(), key)
    for dest, value in invocation.given.items():  # positionals and --config / --no-config
        values.setdefault(dest, Setting(value, None, command_line=True))
    severity: Mapping[str, str] = {}
    severity_origin = DEFAULT
    if config is not None and "severity" in config.data and "policy" in values:
        severity = severity_overrides(config, command.name)
        if severity:
            severity_origin = config.where(("severity",))
    disabled, _ = _exclusions(config, in_file.get("skip_rule"))
    return Settings(
        command,
        values,
        config,
        severity,
        severity_origin,
        tuple(disabled),
        invocation.argv,
    )


def _exclusions(config: ConfigFile | None, stored: Any) -> tuple[list[str], str | None]:
    """The file's ``skip_rules`` then its ``disable``, and where they were written."""
    if config is None:
        return [], None
    items = list(stored.value) if stored is not None else []
    origins = [stored.origin] if stored is not None else []
    if "disable" in config.data:
        items += list(config.data["disable"] or [])
        origins.append(config.where(("disable",)))
    return items, (origins[0] if origins else None)


def _merged(
    file_items: list[Any], file_origin: str | None, cli_items: list[Any], key: str | None
) -> Setting:
    return Setting(
        [*file_items, *cli_items],
        key,
        file=file_origin if file_items else None,
        command_line=bool(cli_items),
    )
