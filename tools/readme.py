"""Generated README sections, so the docs cannot drift from the code.

``python -m tools.readme`` rewrites the parts of README.md between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers, and the operator enum of the shipped policy schema;
``tests/system/test_readme.py`` fails when either is stale.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from checker.cli.arguments import Command
from checker.cli.commands import COMMANDS
from checker.cli.commands.rules import render_rules
from checker.policy.loader import BUILTIN, load_policies
from checker.policy.operators import OPERATORS


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _option_rows(command: Command) -> list[str]:
    rows = []
    for option in command.options():
        if option.hidden:
            continue
        if option.positional:
            name = f"`{option.metavar or option.dest}`"
        else:
            name = ", ".join(f"`{flag}`" for flag in option.flags)
            if option.kind != "flag":
                metavar = option.metavar or "{" + ",".join(option.choices or ()) + "}"
                name += f" `{metavar}`"
        rows.append(f"| {name} | {_cell(option.help)} |")
    return rows


def render_commands() -> str:
    parts = ["`wfcheck --version` prints the version.", ""]
    for name, entry in COMMANDS.items():
        parts.append(f"### `wfcheck {name}`")
        parts.append("")
        parts.append(entry.command.description)
        parts.append("")
        parts.append("| option | meaning |")
        parts.append("|---|---|")
        parts.extend(_option_rows(entry.command))
        parts.append("")
    return "\n".join(parts)


def render_operators() -> str:
    lines = ["| operator | applies to | value | holds when |", "|---|---|---|---|"]
    for name in sorted(OPERATORS):
        op = OPERATORS[name]
        scope = "each item" if op.kind == "each" else "whole value"
        if op.accepts is not None:
            scope += f" ({op.accepts.noun})"
        lines.append(f"| `{name}` | {scope} | {op.value_doc or '-'} | {_cell(op.summary)} |")
    return "\n".join(lines) + "\n"


def render_rules_table() -> str:
    policies = load_policies([BUILTIN])
    return render_rules([rule.info for rule in policies.rules], policies.vars, "markdown")


def render_iam() -> str:
    from checker.sources.aws.iam import render_policy

    return f"```json\n{render_policy().rstrip()}\n```"


SECTIONS: dict[str, Callable[[], str]] = {
    "commands": render_commands,
    "iam": render_iam,
    "operators": render_operators,
    "rules": render_rules_table,
}


def update(text: str) -> str:
    """README text with every generated section refreshed."""
    for name, render in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        body = render().rstrip("\n") + "\n"
        text, count = pattern.subn(lambda m: m[1] + body + m[2], text)  # noqa: B023
        if count != 1:
            raise SystemExit(f"README.md: missing <!-- {name}:start/end --> markers")
    return text


SCHEMA = Path(__file__).resolve().parents[1] / "checker" / "policy" / "schema.json"


def schema_text() -> str:
    """The shipped policy schema as editors read it: the operator enum from the table."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    schema["$defs"]["leaf"]["properties"]["op"]["enum"] = sorted(OPERATORS)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
    SCHEMA.write_text(schema_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
