"""argv -> :class:`Invocation`: the command and the values given on the command line.

argparse ends here: parsers are built from the declarations in :mod:`checker.cli.commands`,
every option's default is left unset so the invocation holds exactly what the user typed (a
config file and the declared defaults fill the rest, in :mod:`checker.cli.settings`), and every
parse error is one line with a "did you mean" (:class:`checker.errors.UsageError`, exit 2).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from checker import __version__
from checker.cli.arguments import Command
from checker.cli.commands import COMMANDS
from checker.cli.console import PROG
from checker.cli.option import Option
from checker.errors import UsageError
from checker.text import suggest

EXIT_CODES = """exit codes:
  0  no failing result at or above --fail-on
  1  failing results (an 'error' result counts: nothing unproven passes)
  2  usage error, or an invalid policy, var, waiver, config or input file; or a crash
  3  a source could not be fully collected (everything collected is still reported)
precedence 2 > 3 > 1 > 0; --soft-fail turns 1 into 0"""


@dataclass(frozen=True)
class Invocation:
    """A parsed command line: the command, and each option given (by dest) with its value."""

    command: str
    given: dict[str, Any] = field(default_factory=dict)
    argv: tuple[str, ...] = ()


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line with a hint, raised, never printed."""

    def __init__(self, *args: Any, flags: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known_flags = list(flags)

    def error(self, message: str) -> NoReturn:
        hint = None
        if message.startswith("unrecognized arguments:"):
            unknown = [word for word in message.split(":", 1)[1].split() if word.startswith("-")]
            if unknown:
                hint = suggest(unknown[0].split("=")[0], self.known_flags)
        elif "invalid choice:" in message and "argument COMMAND" in message:
            word = message.split("invalid choice:", 1)[1].split("(")[0].strip().strip("'")
            hint = suggest(word, sorted(COMMANDS))
            message = f"unknown command {word!r}"
        where = self.prog.removeprefix(f"{PROG} ").strip()
        prefix = f"{where}: " if where and where != PROG else ""
        raise UsageError(prefix + message, hint=hint)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


def _value_type(option: Option) -> Any:
    def convert(text: str) -> Any:
        try:
            return option.parse(text)
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = option.dest  # argparse names the type in some messages
    return convert


def _metavar(option: Option) -> str | None:
    if option.metavar:
        return option.metavar
    if option.choices:
        return "{" + ",".join(option.choices) + "}"
    return None


def _add(parser: argparse.ArgumentParser | Any, option: Option) -> None:
    help_text = argparse.SUPPRESS if option.hidden else option.help
    if option.positional:
        nargs: Any = "*"
        if option.dest == "args":
            nargs = argparse.REMAINDER
        elif option.dest in ("old", "new"):
            nargs = None
        extra: dict[str, Any] = {} if option.dest == "args" else {"type": _value_type(option)}
        parser.add_argument(
            option.dest, nargs=nargs, metavar=option.metavar, help=help_text, **extra
        )
        return
    common: dict[str, Any] = {"dest": option.dest, "help": help_text, "default": argparse.SUPPRESS}
    if option.kind == "flag":
        parser.add_argument(*option.flags, action="store_true", **common)
    elif option.kind == "list":
        parser.add_argument(
            *option.flags, action="append", type=_value_type(option), metavar=_metavar(option),
            **common,
        )  # fmt: skip
    else:
        parser.add_argument(
            *option.flags, type=_value_type(option), metavar=_metavar(option), **common
        )


def command_parser(command: Command, parent: Any = None) -> argparse.ArgumentParser:
    """The argparse parser of one command, as a subparser of ``parent`` or standalone."""
    flags = [flag for option in command.options() for flag in option.flags if flag[0] == "-"]
    settings: dict[str, Any] = {
        "help": command.help,
        "description": command.description,
        "epilog": EXIT_CODES,
        "formatter_class": _Formatter,
        "flags": flags,
    }
    parser: argparse.ArgumentParser
    if parent is not None:
        parser = parent.add_parser(command.name, **settings)
    else:
        settings.pop("help")
        parser = _Parser(prog=f"{PROG} {command.name}", **settings)
    own = {option.dest for option in command.own}
    if command.own:
        group = parser.add_argument_group("options")
        for option in command.own:
            _add(group if not option.positional else parser, option)
    for declared in command.groups:
        options = [o for o in declared.options if o.dest not in own]
        if not options:
            continue
        group = parser.add_argument_group(declared.title)
        for option in options:
            _add(group if not option.positional else parser, option)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: ``wfcheck [--version] COMMAND ...``."""
    every_flag = sorted(
        {flag for e in COMMANDS.values() for o in e.command.options() for flag in o.flags}
    )
    parser = _Parser(
        prog=PROG,
        flags=[flag for flag in every_flag if flag.startswith("-")],
        description="Compliance checks for SageMaker Ground Truth private workforces.",
        epilog=EXIT_CODES + "\n\nwfcheck COMMAND --help describes a command.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser, title="commands"
    )
    for entry in COMMANDS.values():
        command_parser(entry.command, commands)
    return parser


def parse(argv: Sequence[str]) -> Invocation:
    """The invocation ``argv`` asks for; :class:`UsageError` for anything malformed.

    ``--help`` and ``--version`` print and raise ``SystemExit(0)`` as argparse does.
    """
    arguments = list(argv)
    namespace = build_parser().parse_args(arguments)
    given = dict(vars(namespace))
    command = given.pop("command", None)
    if command is None:
        raise UsageError("no command given", hint=f"wfcheck --help lists them: {_names()}")
    for name in ("inputs", "paths", "args"):
        if given.get(name) == []:
            given.pop(name)
    return Invocation(command, given, tuple(arguments))


def _names() -> str:
    return ", ".join(COMMANDS)


def check_arguments(argv: Sequence[str]) -> str | None:
    """Why ``wfcheck ARGV`` would be rejected, or None (CI files that run wfcheck)."""
    try:
        parse(argv)
    except UsageError as exc:
        return str(exc)
    except SystemExit:  # --help or --version: accepted
        return None
    return None


def print_help() -> None:
    build_parser().print_help(sys.stdout)
