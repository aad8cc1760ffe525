"""``wfcheck validate .wfcheck.yaml``: the schema, every key and value as each command would take
it, and ``vars`` and ``severity`` against the configured policies, each problem at file:line."""

from __future__ import annotations

from checker.cli.commands import COMMANDS, RULES
from checker.cli.config import file_values, read_config
from checker.cli.options import PolicyOptions
from checker.cli.parser import Invocation
from checker.cli.settings import settle
from checker.errors import PolicyError
from checker.text import suggest


def validate_config_file(name: str) -> None:
    from checker.policy.loader import load_policies, resolve_vars

    config = read_config(name)
    for entry in COMMANDS.values():
        file_values(config, entry.command)
    settings = settle(RULES, Invocation("rules"), config)
    policy = PolicyOptions.of(settings)
    policies = load_policies(policy.paths, policy.var_files)
    defaults = {var: (value, "policy") for var, value in policies.vars.items()}
    for text in policy.vars:
        var = text.partition("=")[0]
        if var not in defaults:
            raise config.error(
                ("vars", var), f"var {var}: unknown var", suggest(var, sorted(defaults))
            )
        try:
            resolve_vars(defaults, (), [text])
        except PolicyError as exc:
            message = exc.message.replace("--var ", "var ", 1)
            raise config.error(("vars", var), message, exc.hint) from None
    known = {rule.info.id for rule in policies.rules}
    for rule_id in config.data.get("severity") or {}:
        if rule_id not in known:
            raise config.error(
                ("severity", rule_id),
                f"severity override for unknown rule {rule_id!r}",
                suggest(str(rule_id), sorted(known)),
            )
