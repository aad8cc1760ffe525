"""URL operators: https, allow-lists of URLs and hosts, and "same host as another path".

URLs are compared after normalizing what does not change where a request goes: scheme and host
case, a default port, a trailing slash. A value that is not an absolute URL with a host never
satisfies a check.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from checker.policy.display import expected, show, show_literal
from checker.policy.operators.contract import Context, Other
from checker.policy.operators.values import parse_list

_DEFAULT_PORTS = {"https": 443, "http": 80}


@lru_cache(maxsize=16384)
def _normalize_url_text(text: str) -> tuple[str | None, str]:
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None, "is not a valid URL"
    if not parts.scheme or not parts.hostname or parts.username or parts.password:
        return None, "is not an absolute URL with a host"
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}", ""


def normalize_url(value: Any) -> tuple[str | None, str]:
    """Scheme and host lower-cased, default port and trailing slash dropped; or (None, reason)."""
    if not isinstance(value, str):
        return None, "is not a string" if value is not None else "is absent"
    return _normalize_url_text(value)


def url_host(value: Any) -> str | None:
    """The lower-case host of an absolute URL, without a trailing dot; None for anything else."""
    url, _ = normalize_url(value)
    if url is None:
        return None
    host = urlsplit(url).hostname
    return host.lower().rstrip(".") if host else None


def host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


# --- literal parsers -----------------------------------------------------------------------------


def parse_urls(value: Any) -> frozenset[str]:
    normalized = set()
    for item in parse_list(value):
        url, error = normalize_url(item)
        if url is None:
            raise ValueError(f"{show(item)} {error}")
        normalized.add(url)
    return frozenset(normalized)


def parse_host_patterns(value: Any) -> tuple[str, ...]:
    patterns = []
    for item in parse_list(value):
        if not isinstance(item, str) or not item.strip("*.") or " " in item:
            raise ValueError(f"{show(item)} is not a host name or *.domain pattern")
        pattern = item.lower().rstrip(".")
        if "*" in pattern and not (pattern.startswith("*.") and "*" not in pattern[2:]):
            raise ValueError(f"{show(item)}: '*' is only allowed as a leading '*.' label")
        patterns.append(pattern)
    return tuple(patterns)


# --- checks -------------------------------------------------------------------------------------


def url_https(item: str, value: None, ctx: Context) -> str | None:
    url, error = normalize_url(item)
    if url is None:
        return error
    scheme = url.split("://", 1)[0]
    return None if scheme == "https" else expected(f"uses {scheme}", "https")


def url_in(item: str, value: frozenset[str], ctx: Context) -> str | None:
    url, error = normalize_url(item)
    if url is None:
        return error
    return None if url in value else f"is not one of {show_literal(tuple(sorted(value)))}"


def url_host_in(item: str, value: tuple[str, ...], ctx: Context) -> str | None:
    host = url_host(item)
    if host is None:
        return normalize_url(item)[1] or "has no host"
    if any(host_matches(host, pattern) for pattern in value):
        return None
    return f"is on host {show(host)}, which is not one of {show_literal(value)}"


def url_same_host_as(item: str, other: Other, ctx: Context) -> str | None:
    host = url_host(item)
    if host is None:
        return normalize_url(item)[1] or "has no host"
    other_host = url_host(other.value)
    if other_host is None:
        if other.value is None:
            return f"cannot be compared: {other.path} is absent"
        return f"cannot be compared: {other.path} {show(other.value)} is not a URL with a host"
    if host == other_host:
        return None
    return expected(f"is on host {show(host)}", f"{other.path}'s host {show(other_host)}")
