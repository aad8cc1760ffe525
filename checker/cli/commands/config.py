"""``wfcheck config [COMMAND [OPTION...]]``: the options a command would run with, and where
each value came from, as YAML that can be pasted into a ``.wfcheck.yaml``.

Options no config file may set are left out; trusted options (see ``checker.cli.config``) are
written as comments, since only a file named with ``--config`` may set them.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from checker.cli.provenance import shown

if TYPE_CHECKING:
    from checker.cli.settings import Settings


def run(settings: Settings) -> int:
    from checker.cli.command_options import explained_argv
    from checker.cli.main import settings_for
    from checker.cli.parser import parse

    argv = explained_argv(settings)
    explained = settings_for(parse(argv), announce=False)
    sys.stdout.write(explain(explained))
    return 0


def _json(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def explain(settings: Settings) -> str:
    config = settings.config
    lines = [
        f"# effective configuration of: wfcheck {' '.join(settings.argv)}",
        f"# config file: {config.name if config is not None else 'none'}",
    ]
    for option in settings.command.options():
        key = option.config_key
        if key is None or option.hidden:
            continue
        setting = settings.by_dest[option.dest]
        value = shown(option.dest, setting.value)
        if option.dest == "var":
            lines.append(f"{key}: {_json(_vars(value))}  # {setting.origin}")
            continue
        if value is None:
            lines.append(f"# {key}:  (not set)  # {setting.origin}")
        elif option.trusted:
            lines.append(
                f"# {key}: {_json(value)}  # {setting.origin}; trusted: only in a file "
                "named with --config"
            )
        else:
            lines.append(f"{key}: {_json(value)}  # {setting.origin}")
    if "policy" in settings.by_dest and settings.command.name != "test":
        lines.append(f"severity: {_json(dict(settings.severity))}  # {settings.severity_origin}")
    return "\n".join(lines) + "\n"


def _vars(items: list[str]) -> dict[str, Any]:
    shown_vars: dict[str, Any] = {}
    for item in items or []:
        name, _, text = str(item).partition("=")
        try:
            shown_vars[name] = json.loads(text) if text.startswith(("[", "{")) else text
        except ValueError:
            shown_vars[name] = text
    return shown_vars
