"""``wfcheck rules``: the rule reference as a table, JSON or Markdown (the README's section)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tabulate import tabulate

from checker.model import RuleInfo


def _var_text(names: Sequence[str], vars_: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={json.dumps(vars_.get(name))}" for name in names)


def render_rules(rules: Sequence[RuleInfo], vars_: Mapping[str, Any], fmt: str) -> str:
    if fmt == "json":
        data = [
            {
                "id": r.id,
                "severity": r.severity,
                "title": r.title,
                "description": r.description,
                "remediation": r.remediation,
                "references": list(r.references),
                "vars": {name: vars_.get(name) for name in r.vars},
            }
            for r in rules
        ]
        return json.dumps(data, indent=2) + "\n"
    if fmt == "markdown":
        lines = ["| id | severity | title | vars (defaults) |", "|---|---|---|---|"]
        for r in rules:
            names = _var_text(r.vars, vars_).replace("|", "\\|")
            lines.append(f"| {r.id} | {r.severity} | {r.title} | {names or '-'} |")
        return "\n".join(lines) + "\n"
    rows = [[r.id, r.severity, r.title, _var_text(r.vars, vars_) or "-"] for r in rules]
    return tabulate(rows, headers=["id", "severity", "title", "vars"], tablefmt="simple") + "\n"
