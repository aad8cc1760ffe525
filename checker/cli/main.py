"""The error edge: argv in, exit code out; every error one line on stderr.

Domain errors (:class:`checker.errors.WfcheckError`) are caught here and only here; a crash (a
bug) is one line too, exit 2 in every mode (``WFCHECK_DEBUG=1`` adds the traceback, and the exit
code stays 2: never 1, which means "findings").
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from importlib import import_module

from checker.cli.commands import COMMANDS
from checker.cli.console import error, say
from checker.cli.parser import Invocation, parse, print_help
from checker.cli.settings import Settings, settle
from checker.errors import WfcheckError
from checker.gate import EXIT_USAGE

DEBUG_VAR = "WFCHECK_DEBUG"
# Commands that read the config file themselves (config) or must be able to check a broken one.
NO_CONFIG_COMMANDS = frozenset({"validate", "config"})


def settings_for(invocation: Invocation, *, announce: bool = True) -> Settings:
    """The invocation's settings after the config file (found or named) and the defaults."""
    from checker.cli.config import find_config
    from checker.cli.provenance import announce as say_config

    entry = COMMANDS[invocation.command]
    config = find_config(invocation.given.get("config"), bool(invocation.given.get("no_config")))
    settings = settle(entry.command, invocation, config)
    if announce:
        say_config(settings)
    return settings


def run(invocation: Invocation) -> int:
    entry = COMMANDS[invocation.command]
    if invocation.command in NO_CONFIG_COMMANDS:
        settings = settle(entry.command, invocation, None)
    else:
        settings = settings_for(invocation)
    code: int = import_module(entry.module).run(settings)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if not arguments:
            print_help()
            return 0
        return run(parse(arguments))
    except WfcheckError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        return 0
    except Exception as exc:  # a bug, not bad input
        if os.environ.get(DEBUG_VAR):
            traceback.print_exc(file=sys.stderr)
        say(
            f"internal error: {type(exc).__name__}: {exc} "
            f"(a bug in wfcheck; {DEBUG_VAR}=1 shows the traceback)"
        )
        return EXIT_USAGE
