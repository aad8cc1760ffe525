"""``.wfcheck.yaml``: option values kept in a file, merged as data (never through argparse).

Which file: ``--config FILE`` (trusted: it may set every option), else the first
``.wfcheck.yaml``/``.yml`` found in the working directory or its parents (*discovered*: in a
pull request it is written by the author of the change, so it may not set ``trusted`` options:
those that send credentials or data elsewhere, choose whose credentials and which estate are
read, or write files). ``--no-config`` or ``WFCHECK_NO_CONFIG=1`` skip discovery.

Keys are the options' config keys (``fail_on``; the dest works too), plus ``vars``, ``severity``,
``disable`` (rule ids or globs) and ``commands`` (options for one command, winning over the top
level). Paths are relative to the file's folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.cli.arguments import Command
from checker.cli.commands import COMMANDS
from checker.cli.option import Option, OptionValueError
from checker.errors import InputError, UsageError
from checker.files.reading import Located, PathKey
from checker.files.schemacheck import check_document, load_schema
from checker.files.yaml_documents import load_yaml
from checker.text import suggest

CONFIG_NAMES = (".wfcheck.yaml", ".wfcheck.yml")
NO_CONFIG_VAR = "WFCHECK_NO_CONFIG"
SCHEMA = "config.schema.json"
SPECIAL_KEYS = ("version", "vars", "severity", "disable", "commands")
# Commands whose policies are under test rather than scanned: no severity overrides.
NO_SEVERITY_COMMANDS = frozenset({"test"})


@dataclass(frozen=True)
class ConfigFile:
    """A config file read and schema-checked; ``discovered`` when nobody named it."""

    doc: Located
    discovered: bool

    @property
    def name(self) -> str:
        return self.doc.file

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    def where(self, path: PathKey) -> str:
        return f"{self.name}:{self.doc.where((*path, '<key>'))[0]}"

    def error(self, path: PathKey, message: str, hint: str | None = None) -> InputError:
        error = self.doc.error(InputError, (*path, "<key>"), message, hint)
        assert isinstance(error, InputError)
        return error


@dataclass(frozen=True)
class FileValue:
    """One option's value from the file, converted and checked, and where it was written."""

    value: Any
    origin: str
    key: str


def discover(start: Path) -> Path | None:
    """The first .wfcheck.yaml (or .yml) in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def read_config(name: str, *, discovered: bool = False) -> ConfigFile:
    """Parse and schema-check a config file; an empty file is an empty config."""
    doc = load_yaml(name, kind="config file")
    if doc.data is None:
        return ConfigFile(Located({}, doc.file, doc.marks), discovered)
    check_document(doc, load_schema(SCHEMA), InputError)
    return ConfigFile(doc, discovered)


def find_config(explicit: str | None, disabled: bool, cwd: Path | None = None) -> ConfigFile | None:
    """The config file a run uses: ``--config``, else discovered (unless disabled)."""
    if explicit is not None and disabled:
        raise UsageError("--config and --no-config cannot be used together")
    if explicit is not None:
        if not Path(explicit).is_file():
            raise InputError("no such config file", file=explicit)
        return read_config(explicit)
    if disabled or os.environ.get(NO_CONFIG_VAR, "") not in ("", "0"):
        return None
    found = discover(cwd or Path.cwd())
    if found is None:
        return None
    config = read_config(os.path.relpath(found), discovered=True)
    check_trust(config)
    return config


def _options_by_key(command: Command) -> dict[str, Option]:
    found: dict[str, Option] = {}
    for option in command.options():
        key = option.config_key
        if key is not None:
            found.setdefault(key, option)
            found.setdefault(option.dest, option)
    return found


def all_keys() -> dict[str, list[tuple[str, Option]]]:
    """Every config key (and option dest) -> the (command, option) pairs it sets."""
    keys: dict[str, list[tuple[str, Option]]] = {}
    for name, entry in COMMANDS.items():
        for key, option in _options_by_key(entry.command).items():
            keys.setdefault(key, []).append((name, option))
    return keys


def _sections(config: ConfigFile) -> Iterator[tuple[PathKey, str | None, dict[str, Any]]]:
    """(path prefix, command or None for the top level, its option items)."""
    data = config.data
    yield (), None, {k: v for k, v in data.items() if k not in SPECIAL_KEYS}
    for command, section in (data.get("commands") or {}).items():
        if command not in COMMANDS:
            raise config.error(
                ("commands", command),
                f"unknown command {command!r}",
                suggest(str(command), sorted(COMMANDS)),
            )
        for key in section:
            if key in SPECIAL_KEYS:
                raise config.error(
                    ("commands", command, key), f"{key!r} can only be set at the top level"
                )
        yield ("commands", command), str(command), dict(section)


def check_trust(config: ConfigFile) -> None:
    """A discovered file may not set a trusted option, in any section."""
    keys = all_keys()
    for prefix, _, items in _sections(config):
        for key in items:
            trusted = [option for _, option in keys.get(str(key), []) if option.trusted]
            if trusted:
                raise config.error(
                    (*prefix, key),
                    f"{key!r} cannot be set by a discovered config file: it chooses what is "
                    "read or with whose credentials, sends data elsewhere, or writes files",
                    f"to trust this file, name it: --config {config.name}",
                )


def file_values(config: ConfigFile, command: Command) -> dict[str, FileValue]:
    """The file's values for ``command``'s options, by dest (command sections win)."""
    options = _options_by_key(command)
    keys = all_keys()
    base = Path(config.name).parent
    values: dict[str, FileValue] = {}
    for prefix, only, items in _sections(config):
        for key, raw in items.items():
            path: PathKey = (*prefix, key)
            places = [(c, o) for c, o in keys.get(str(key), []) if only in (None, c)]
            if not places:
                raise _unknown(config, str(key), path, only)
            option = options.get(str(key)) if only in (None, command.name) else None
            if option is None:  # for other commands: it must still be a value one accepts
                _convert_somewhere(config, raw, path, places, base)
                continue
            try:
                value = convert(option, raw, config, path, base)
            except InputError as problem:
                others = [(c, o) for c, o in places if c != command.name]
                if only is not None or not others:
                    raise
                try:  # format: sarif is a scan value, not a rules one
                    _convert_somewhere(config, raw, path, others, base)
                except InputError:
                    raise problem from None
                continue
            values[option.dest] = FileValue(value, config.where(path), option.config_key or key)
    return values


def _convert_somewhere(
    config: ConfigFile, raw: Any, path: PathKey, places: list[tuple[str, Option]], base: Path
) -> None:
    """A value for other commands must still be one that some command accepts."""
    problems: list[InputError] = []
    for _, option in places:
        try:
            convert(option, raw, config, path, base)
            return
        except InputError as exc:
            problems.append(exc)
    raise problems[0]


def _unknown(config: ConfigFile, key: str, path: PathKey, only: str | None) -> InputError:
    known = sorted(
        {
            k
            for k, places in all_keys().items()
            if only is None or any(command == only for command, _ in places)
        }
        | (set(SPECIAL_KEYS) if only is None else set())
    )
    where = f" for wfcheck {only}" if only else ""
    return config.error(
        path,
        f"unknown config key {key!r}{where}",
        suggest(key, known) or f"known keys: {', '.join(known)}",
    )


# --- values ------------------------------------------------------------------------------------


def _label(path: PathKey) -> str:
    return ".".join(str(part) for part in path if isinstance(part, str))


def convert(option: Option, raw: Any, config: ConfigFile, path: PathKey, base: Path) -> Any:
    """A file value checked and converted as the command line would convert it."""
    flag = option.long_flag
    if option.kind == "flag":
        if not isinstance(raw, bool):
            raise _value_error(config, path, f"{_label(path)}: expected true or false ({flag})")
        return raw
    if option.kind == "list":
        items = raw if isinstance(raw, list) else [raw]
        return [
            _scalar(option, item, config, (*path, i) if isinstance(raw, list) else path, base)
            for i, item in enumerate(items)
        ]
    return _scalar(option, raw, config, path, base)


def _value_error(config: ConfigFile, path: PathKey, message: str, hint: str | None = None) -> Any:
    error = config.doc.error(InputError, path, message, hint)
    return error


def _scalar(option: Option, raw: Any, config: ConfigFile, path: PathKey, base: Path) -> Any:
    flag = option.long_flag
    if isinstance(raw, (dict, list)) or raw is None:
        raise _value_error(config, path, f"{_label(path)}: expected a single value ({flag})")
    text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
    if option.path:
        text = resolve_path(text, base, option.metavar or "")
    try:
        return option.parse(text)
    except (OptionValueError, ValueError) as exc:
        message = str(exc)
        hint = None
        if " (did you mean" in message:
            message, _, hint = message.partition(" (")
            hint = hint.rstrip(")")
        raise _value_error(config, path, f"{_label(path)}: {message} ({flag})", hint) from None


def resolve_path(text: str, base: Path, metavar: str) -> str:
    """A relative path in the file is relative to the file's folder (the PATH of FORMAT=PATH)."""
    prefix = ""
    if "=" in metavar and "=" in text:
        name, _, text = text.partition("=")
        prefix = name + "="
    if text in ("builtin", "-", "") or os.path.isabs(text):
        return prefix + text
    return prefix + os.path.normpath(os.path.join(base, text))


def var_texts(config: ConfigFile) -> list[str]:
    """The file's ``vars`` as ``NAME=VALUE`` texts the policy loader reads back with types."""
    return [_var_text(name, value) for name, value in (config.data.get("vars") or {}).items()]


def _var_text(name: str, value: Any) -> str:
    if isinstance(value, (list, dict)):
        return f"{name}={json.dumps(value)}"
    if isinstance(value, bool):
        return f"{name}={'true' if value else 'false'}"
    return f"{name}={value}"


def severity_overrides(config: ConfigFile, command: str) -> Mapping[str, str]:
    if command in NO_SEVERITY_COMMANDS:
        return {}
    return dict(config.data.get("severity") or {})
