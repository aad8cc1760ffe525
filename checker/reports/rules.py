"""``wfcheck rules`` output: the rule reference as a table, JSON or Markdown
(``RULES_WRITER_BY_NAME``; the README's rule section is the Markdown one).

Rule text comes from policy files, which a reviewer may not have written: the table is made of
terminal lines and the Markdown cells are inert (:mod:`checker.reports.escape`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from checker.model import RuleInfo
from checker.reports.escape import json_text, markdown_inline, terminal_line
from checker.reports.interface import RenderOptions, Writer


@dataclass(frozen=True)
class RuleList:
    """The rules to list and the var values they read (defaults and overrides)."""

    rules: Sequence[RuleInfo]
    vars: Mapping[str, Any] = field(default_factory=dict)

    def var_text(self, info: RuleInfo) -> str:
        return ", ".join(f"{name}={json.dumps(self.vars.get(name))}" for name in info.vars)


class RulesTableWriter(Writer[RuleList]):
    name = "table"

    def write(self, document: RuleList, stream: TextIO, options: RenderOptions) -> None:
        from tabulate import tabulate  # only this format needs it

        rows = [
            [
                terminal_line(r.id),
                r.severity,
                terminal_line(r.title),
                terminal_line(", ".join(r.tags)) or "-",
                terminal_line(document.var_text(r)) or "-",
            ]
            for r in document.rules
        ]
        headers = ["id", "severity", "title", "tags", "vars"]
        stream.write(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True))
        stream.write("\n")


class RulesMarkdownWriter(Writer[RuleList]):
    name = "markdown"

    def write(self, document: RuleList, stream: TextIO, options: RenderOptions) -> None:
        stream.write("| id | severity | title | tags | vars (defaults) |\n|---|---|---|---|---|\n")
        for r in document.rules:
            names = document.var_text(r).replace("|", "\\|")
            title = markdown_inline(r.title) if _needs_escape(r.title) else r.title
            tags = ", ".join(markdown_inline(tag) for tag in r.tags) or "-"
            stream.write(
                f"| {markdown_inline(r.id)} | {r.severity} | {title} | {tags} | {names or '-'} |\n"
            )


def _needs_escape(text: str) -> bool:
    """Titles in the bundled pack are plain words; anything with markup is made inert."""
    return markdown_inline(text) != text


class RulesJsonWriter(Writer[RuleList]):
    name = "json"

    def write(self, document: RuleList, stream: TextIO, options: RenderOptions) -> None:
        data = [
            {
                "id": r.id,
                "severity": r.severity,
                "title": r.title,
                "description": r.description,
                "remediation": r.remediation,
                "references": list(r.references),
                "tags": list(r.tags),
                "controls": list(r.controls),
                "vars": {name: document.vars.get(name) for name in r.vars},
            }
            for r in document.rules
        ]
        stream.write(json_text(json.dumps(data, indent=2)) + "\n")


TABLE = RulesTableWriter()
MARKDOWN = RulesMarkdownWriter()
JSON = RulesJsonWriter()
