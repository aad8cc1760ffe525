"""``.wfcheck.yaml``: command-line options kept in a file, so CI invocations stay short.

The file is applied as argparse *defaults* before the command line is parsed, so any option given
on the command line wins. Keys map generically onto the options that exist at runtime (``fail_on``
-> ``--fail-on``, ``policies`` -> ``--policy``), so an option added by any feature can be set from
the file without touching this module; a key with no matching option is an error, never ignored.

Four keys are not plain options: ``vars`` (NAME: value, added before any ``--var``), ``severity``
(rule id -> severity, passed to the policy loader), ``disable`` (rule ids or globs, added to
``--skip-rule``) and ``commands`` (options for one command only). Relative paths are taken
relative to the config file.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.files.loading import Located, PathKey, load_yaml
from checker.files.schemacheck import check_document, load_schema, suggest

CONFIG_NAMES = (".wfcheck.yaml", ".wfcheck.yml")
SCHEMA = "config.schema.json"
COMMAND_LINE = "command line"
DEFAULT = "default"

# Keys handled here rather than mapped onto an option.
SPECIAL_KEYS = ("version", "vars", "severity", "disable", "commands")
# Options that steer the config itself, or are not options a file should set.
NOT_CONFIGURABLE = frozenset({"help", "version", "config", "no_config", "command", "handler"})
# List options where the command line adds to the file instead of replacing it: a later --var
# overrides one var by name, and rule exclusions accumulate (so `disable` cannot be undone).
ACCUMULATING = frozenset({"var", "skip_rule"})
# Commands whose policies are under test rather than scanned: no severity overrides.
NO_SEVERITY_COMMANDS = frozenset({"test"})


# --- finding and reading ------------------------------------------------------------------------


def config_option(argv: Sequence[str]) -> tuple[str | None, bool]:
    """(``--config FILE``, ``--no-config``) as written anywhere before a ``--``."""
    explicit: str | None = None
    disabled = False
    items = list(argv)
    for index, item in enumerate(items):
        if item == "--":
            break
        if item == "--no-config":
            disabled = True
        elif item == "--config" and index + 1 < len(items):
            explicit = items[index + 1]
        elif item.startswith("--config="):
            explicit = item.partition("=")[2]
    if explicit is not None and disabled:
        raise UsageError("--config and --no-config cannot be used together")
    return explicit, disabled


def discover(start: Path) -> Path | None:
    """The first .wfcheck.yaml (or .yml) in ``start`` or one of its parents."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def find_config(argv: Sequence[str], cwd: Path | None = None) -> Located | None:
    """The config file this command line uses (``--config``, else discovered), read and checked."""
    explicit, disabled = config_option(argv)
    if disabled:
        return None
    if explicit is not None:
        if not Path(explicit).is_file():
            raise InputError("no such config file", file=explicit)
        return read_config(explicit)
    found = discover(cwd or Path.cwd())
    return read_config(os.path.relpath(found)) if found else None


def uses_config(parser: argparse.ArgumentParser, argv: Sequence[str]) -> bool:
    """False for commands with no option a config file could set (``validate``, ``config``).

    ``wfcheck validate .wfcheck.yaml`` must be able to report a broken config file instead of
    failing on it before it starts; ``wfcheck config`` reads the file itself.
    """
    commands = commands_of(parser)
    command = next((item for item in argv if not item.startswith("-")), None)
    sub = commands.get(command or "")
    if sub is None:
        return True
    return any(
        action.option_strings
        and action.dest not in NOT_CONFIGURABLE
        and not isinstance(action, (argparse._HelpAction, argparse._VersionAction))
        for action in sub._actions
    )


def read_config(name: str) -> Located:
    """Parse and schema-check a config file; an empty file is an empty config."""
    doc = load_yaml(name, kind="config file")
    if doc.data is None:
        return Located({}, doc.file, doc.marks)
    check_document(doc, load_schema(SCHEMA), InputError)
    return doc


def validate_config_file(name: str) -> None:
    """``wfcheck validate`` for a config file: schema, every key maps to an option, and the vars
    and severity overrides name vars and rules of the configured policies."""
    from checker.cli import build_parser, build_policies
    from checker.errors import PolicyError

    doc = read_config(name)
    parser = build_parser()
    apply_config(parser, doc)
    try:
        build_policies(parser.parse_args(["rules", "--config", name]))
    except PolicyError as exc:
        data = doc.data if isinstance(doc.data, dict) else {}
        path: PathKey = ()
        for var in data.get("vars") or {}:
            if exc.message.startswith(f"--var {var}:"):
                path = ("vars", var, "<key>")
        for rule_id in data.get("severity") or {}:
            if f"{rule_id!r}" in exc.message and "severity" in exc.message:
                path = ("severity", rule_id, "<key>")
        if not path:
            raise
        message = exc.message.replace("--var ", "var ", 1)
        raise doc.error(InputError, path, message, exc.hint) from None


# --- mapping keys onto options ------------------------------------------------------------------


@dataclass
class _Target:
    """Every (command parser, action) that stores into one dest."""

    dest: str
    key: str
    places: list[tuple[str, argparse.ArgumentParser, argparse.Action]] = field(default_factory=list)


def commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {"": parser}


def _is_list(action: argparse.Action) -> bool:
    return (
        isinstance(action, argparse._AppendAction)
        or action.nargs in ("+", "*")
        or isinstance(action.nargs, int)
    )


def config_key(dest: str, action: argparse.Action) -> str:
    """How the file names an option: the dest, plural for repeatable options."""
    if dest == "var":
        return "vars"
    if not isinstance(action, argparse._AppendAction) or dest.endswith("s"):
        return dest
    return dest[:-1] + "ies" if dest.endswith("y") else dest + "s"


def _targets(parser: argparse.ArgumentParser) -> dict[str, _Target]:
    targets: dict[str, _Target] = {}
    for command, sub in commands_of(parser).items():
        for action in sub._actions:
            if not action.option_strings or action.dest in NOT_CONFIGURABLE:
                continue
            if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            target = targets.setdefault(
                action.dest, _Target(action.dest, config_key(action.dest, action))
            )
            target.places.append((command, sub, action))
    return targets


def _lookup(key: str, targets: dict[str, _Target]) -> _Target | None:
    normal = key.replace("-", "_")
    for target in targets.values():
        if normal in (target.dest, target.key):
            return target
    return None


class _ConfigList(list):  # type: ignore[type-arg]
    """A list default that came from the config file (the command line replaces it)."""


_REPLACING: dict[type[argparse._AppendAction], type[argparse._AppendAction]] = {}


def _replacing(action_class: type[argparse._AppendAction]) -> type[argparse._AppendAction]:
    """A repeatable action whose first use on the command line drops the config file's list."""
    if action_class in _REPLACING or action_class in _REPLACING.values():
        return _REPLACING.get(action_class, action_class)

    def __call__(
        self: argparse._AppendAction,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if isinstance(getattr(namespace, self.dest, None), _ConfigList):
            setattr(namespace, self.dest, [])
        action_class.__call__(self, parser, namespace, values, option_string)

    replacing = type(f"Config{action_class.__name__}", (action_class,), {"__call__": __call__})
    _REPLACING[action_class] = replacing
    return replacing


@dataclass(frozen=True)
class AppliedConfig:
    """Where each (command, dest) default came from (``file:line``), for ``wfcheck config``."""

    file: str | None
    origins: dict[tuple[str, str], str]


def apply_config(parser: argparse.ArgumentParser, doc: Located) -> AppliedConfig:
    """Set the file's values as defaults on every command that has the option.

    ``commands: {scan: {...}, fetch: {...}}`` holds options for one command only; they win over
    the same option at the top level.
    """
    data: dict[str, Any] = doc.data if isinstance(doc.data, dict) else {}
    targets = _targets(parser)
    commands = commands_of(parser)
    applier = _Applier(doc, targets, Path(doc.file).parent)
    sections: dict[str, Any] = data.get("commands") or {}
    for command in sections:
        if command not in commands:
            raise applier.error(
                ("commands", command),
                f"unknown command {command!r}",
                suggest(str(command), sorted(commands)),
            )
    applier.options({key: value for key, value in data.items() if key not in SPECIAL_KEYS}, ())
    if "vars" in data:
        overrides = [_var_text(name, item) for name, item in data["vars"].items()]
        applier.special("vars", "var", lambda command, sub: {"var": list(overrides)})
    if "disable" in data:
        applier.special(
            "disable",
            "skip_rule",
            lambda command, sub: {
                "skip_rule": [*(sub.get_default("skip_rule") or []), *data["disable"]]
            },
        )
    if "severity" in data:
        applier.special(
            "severity",
            "policy",
            lambda command, sub: (
                None
                if command in NO_SEVERITY_COMMANDS
                else {"severity_overrides": dict(data["severity"])}
            ),
            origin_dest="severity_overrides",
        )
    for command, section in sections.items():
        applier.options(section, ("commands", command), only=command)
    return AppliedConfig(doc.file, applier.origins)


class _Applier:
    """Sets converted values as subparser defaults and remembers where each came from."""

    def __init__(self, doc: Located, targets: dict[str, _Target], base: Path) -> None:
        self.doc = doc
        self.targets = targets
        self.base = base
        self.origins: dict[tuple[str, str], str] = {}

    def where(self, path: PathKey) -> str:
        return f"{self.doc.file}:{self.doc.where((*path, '<key>'))[0]}"

    def special(
        self,
        key: str,
        dest: str,
        defaults_for: Callable[[str, argparse.ArgumentParser], dict[str, Any] | None],
        origin_dest: str | None = None,
    ) -> None:
        """A key that is not an option: set ``defaults_for(command)`` where ``dest`` exists."""
        target = self.targets.get(dest)
        for command, sub, _ in target.places if target else []:
            defaults = defaults_for(command, sub)
            if defaults is not None:
                sub.set_defaults(**defaults)
                self.origins.setdefault((command, origin_dest or dest), self.where((key,)))

    def options(self, items: dict[str, Any], prefix: PathKey, only: str | None = None) -> None:
        for key, value in items.items():
            path: PathKey = (*prefix, key)
            if key in SPECIAL_KEYS and prefix:
                raise self.doc.error(
                    InputError, (*path, "<key>"), f"{key!r} can only be set at the top level"
                )
            target = _lookup(str(key), self.targets)
            places = [
                place
                for place in (target.places if target else [])
                if only is None or place[0] == only
            ]
            if target is None or not places:
                raise self._unknown(str(key), path, only)
            problems: list[InputError] = []
            for command, sub, action in places:
                try:
                    default = _convert(action, value, self.doc, path, self.base)
                except InputError as exc:
                    problems.append(exc)
                    continue
                if isinstance(default, list) and action.dest not in ACCUMULATING:
                    default = _ConfigList(default)
                    if isinstance(action, argparse._AppendAction):
                        action.__class__ = _replacing(type(action))
                sub.set_defaults(**{action.dest: default})
                self.origins[(command, action.dest)] = self.where(path)
            if len(problems) == len(places):
                raise problems[0]

    def _unknown(self, key: str, path: PathKey, only: str | None) -> InputError:
        keys = {
            target.key
            for target in self.targets.values()
            if only is None or any(place[0] == only for place in target.places)
        }
        if only is None:
            keys |= set(SPECIAL_KEYS)
            if key in load_schema(SCHEMA).get("properties", {}):
                return self.error(
                    path, f"config key {key!r} needs an option this wfcheck does not have"
                )
        where = f" for wfcheck {only}" if only else ""
        known = sorted(keys)
        return self.error(
            path,
            f"unknown config key {key!r}{where}",
            suggest(key, known) or f"known keys: {', '.join(known)}",
        )

    def error(self, path: PathKey, message: str, hint: str | None = None) -> InputError:
        error = self.doc.error(InputError, (*path, "<key>"), message, hint)
        assert isinstance(error, InputError)
        return error


def _dests(parser: argparse.ArgumentParser) -> set[str]:
    return {action.dest for action in parser._actions}


def _var_text(name: str, value: Any) -> str:
    """A var value as ``--var NAME=VALUE`` text the policy loader reads back with its type."""
    if isinstance(value, (list, dict)):
        return f"{name}={json.dumps(value)}"
    if isinstance(value, bool):
        return f"{name}={'true' if value else 'false'}"
    return f"{name}={value}"


def _option(action: argparse.Action) -> str:
    return max(action.option_strings, key=len)


def _is_path(action: argparse.Action) -> bool:
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    return any(word in metavar for word in ("FILE", "PATH", "DIR"))


def _resolve(text: str, action: argparse.Action, base: Path) -> str:
    """A relative path in the file is relative to the file's folder."""
    if not _is_path(action):
        return text
    prefix = ""
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    if "=" in metavar and "=" in text:
        prefix, _, text = text.partition("=")
        prefix += "="
    if text in ("builtin", "-", "") or os.path.isabs(text):
        return prefix + text
    return prefix + os.path.normpath(os.path.join(base, text))


def _key_name(path: PathKey) -> str:
    """How messages name a config value: ``fail_on``, ``commands.scan.fail_on``."""
    return ".".join(str(part) for part in path if isinstance(part, str))


def _convert(action: argparse.Action, value: Any, doc: Located, path: PathKey, base: Path) -> Any:
    """The default to set for ``action``: checked and converted as argparse would do it."""
    option = _option(action)
    if isinstance(
        action,
        (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse.BooleanOptionalAction),
    ):
        if not isinstance(value, bool):
            message = f"{_key_name(path)}: expected true or false ({option})"
            raise doc.error(InputError, path, message)
        return value
    if isinstance(action, argparse._CountAction):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise doc.error(InputError, path, f"{_key_name(path)}: expected a count ({option})")
        return value
    if isinstance(action, argparse._StoreConstAction):
        message = f"{_key_name(path)}: {option} cannot be set in a config file"
        raise doc.error(InputError, path, message)
    if _is_list(action):
        items = value if isinstance(value, list) else [value]
        return [
            _scalar(
                action,
                item,
                doc,
                (*path, index) if isinstance(value, list) else path,
                base,
                convert=True,
            )
            for index, item in enumerate(items)
        ]
    return _scalar(action, value, doc, path, base, convert=False)


def _scalar(
    action: argparse.Action, value: Any, doc: Located, path: PathKey, base: Path, *, convert: bool
) -> Any:
    option = _option(action)
    if isinstance(value, (dict, list)) or value is None:
        raise doc.error(InputError, path, f"{_key_name(path)}: expected a single value ({option})")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    text = _resolve(text, action, base)
    result: Any = text
    if callable(action.type):
        convert_type: Callable[[str], Any] = action.type
        try:
            result = convert_type(text)
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            detail = str(exc) or f"invalid value {text!r}"
            raise doc.error(InputError, path, f"{_key_name(path)}: {detail} ({option})") from None
    if action.choices is not None and result not in action.choices:
        choices = [str(choice) for choice in action.choices]
        raise doc.error(
            InputError,
            path,
            f"{_key_name(path)}: {text!r} is not one of: {', '.join(choices)} ({option})",
            suggest(text, choices),
        )
    # argparse converts a string default itself (once); other values are used as they are.
    return result if convert or not isinstance(result, str) else text


# --- explaining ---------------------------------------------------------------------------------


def _given_on_command_line(
    make_parser: Callable[[], argparse.ArgumentParser], argv: Sequence[str]
) -> set[str]:
    """Dests the command line itself sets: parse once with every default set to None."""
    parser = make_parser()
    for sub in commands_of(parser).values():
        for action in sub._actions:
            if action.option_strings and not isinstance(action, argparse._HelpAction):
                action.default = None
    namespace = parser.parse_args(list(argv))
    return {dest for dest, value in vars(namespace).items() if value is not None}


def _show(value: Any) -> str:
    return json.dumps(list(value) if isinstance(value, list) else value, default=str)


def _explain_lines(
    command: str,
    sub: argparse.ArgumentParser,
    args: argparse.Namespace,
    applied: AppliedConfig,
    given: set[str],
) -> Iterator[str]:
    seen: set[str] = set()
    for action in sub._actions:
        dest = action.dest
        if (
            not action.option_strings
            or dest in NOT_CONFIGURABLE
            or dest in seen
            or isinstance(action, argparse._HelpAction)
        ):
            continue
        seen.add(dest)
        value = getattr(args, dest, None)
        origins = [applied.origins[command, dest]] if (command, dest) in applied.origins else []
        if dest in given:
            origins.append(COMMAND_LINE)
        origin = (
            " + ".join(origins)
            if dest in ACCUMULATING
            else (COMMAND_LINE if dest in given else origins[0] if origins else DEFAULT)
        )
        if dest == "var":
            shown = {}
            for item in value or []:
                name, _, text = str(item).partition("=")
                try:
                    shown[name] = json.loads(text) if text.startswith(("[", "{")) else text
                except ValueError:
                    shown[name] = text
            yield f"vars: {_show(shown)}  # {origin or DEFAULT}"
            continue
        yield f"{config_key(dest, action)}: {_show(value)}  # {origin or DEFAULT}"
    if "policy" in seen and command not in NO_SEVERITY_COMMANDS:
        overrides = getattr(args, "severity_overrides", None)
        origin = applied.origins.get((command, "severity_overrides"), DEFAULT)
        yield f"severity: {_show(overrides or {})}  # {origin}"


def explain_config(make_parser: Callable[[], argparse.ArgumentParser], argv: Sequence[str]) -> str:
    """The effective options of ``wfcheck ARGV`` and where each came from, as YAML."""
    arguments = list(argv)
    parser = make_parser()
    doc = find_config(arguments)
    applied = apply_config(parser, doc) if doc is not None else AppliedConfig(None, {})
    args = parser.parse_args(arguments)
    given = _given_on_command_line(make_parser, arguments)
    command = str(getattr(args, "command", ""))
    sub = commands_of(parser).get(command, parser)
    lines = [
        f"# effective configuration of: wfcheck {' '.join(arguments)}",
        f"# config file: {applied.file or 'none'}",
        *_explain_lines(command, sub, args, applied, given),
    ]
    return "\n".join(lines) + "\n"
