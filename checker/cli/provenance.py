"""Saying where a run's options came from: the stderr line for a config file, and the record
the reports keep (JSON, SARIF and HTML), so a reviewer sees what the gate ran with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from checker.cli.console import say

if TYPE_CHECKING:
    from checker.cli.settings import Settings

SECRET_DESTS = frozenset({"external_id"})
NAMES_ONLY = frozenset({"parameter"})
"""Options whose values may be secrets (a NoEcho template parameter): reports show the names."""
NOT_RECORDED = frozenset({"config", "no_config", "args"})


def announce(settings: Settings) -> None:
    """One line on stderr whenever a config file is used: which file, and the keys it set."""
    config = settings.config
    if config is None:
        return
    how = "discovered" if config.discovered else "--config"
    keys = settings.from_file()
    what = ", ".join(keys) if keys else f"nothing for wfcheck {settings.command.name}"
    say(f"using config {config.name} ({how}); it sets: {what}")


def shown(dest: str, value: Any) -> Any:
    """A value as reports may show it: no ExternalId, no user:password in a URL."""
    value = _plain(value)
    if value is None or value == [] or value is False:
        return value
    if dest in SECRET_DESTS:
        return "(set)"
    if dest in NAMES_ONLY and isinstance(value, list):
        return [f"{str(item).partition('=')[0]}=(not shown)" for item in value]
    if isinstance(value, str) and "://" in value and "@" in value:
        parts = urlsplit(value)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return value


def configuration_record(settings: Settings) -> dict[str, Any]:
    """The options that are not defaults, each with its value and origin; the config file."""
    values: dict[str, Any] = {}
    for dest, setting in settings.by_dest.items():
        if dest in NOT_RECORDED or setting.origin == "default":
            continue
        values[setting.key or dest] = {
            "value": shown(dest, setting.value),
            "origin": setting.origin,
        }
    if settings.severity:
        values["severity"] = {"value": dict(settings.severity), "origin": settings.severity_origin}
    record: dict[str, Any] = {"command": settings.command.name, "options": values}
    if settings.config is not None:
        record["file"] = settings.config.name
        record["found"] = "discovered" if settings.config.discovered else "--config"
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return "=".join(str(part) for part in value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
