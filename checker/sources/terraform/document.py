"""The parsed ``terraform show -json`` document, and the marker structures Terraform writes
beside values (``after_unknown``, ``after_sensitive``, state ``sensitive_values``).

Error messages built here name JSON paths, addresses and types, never values: a plan carries
secrets in clear text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.errors import InputError
from checker.files.reading import type_name

MAX_VALUE_DEPTH = 32  # aws_sagemaker_workforce nests 3 levels; this bounds recursion safely


class Document:
    """The JSON text and the name reports use for it, so structural errors can name a line."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.start = 0  # where the section being read starts (a plan's resource_changes)

    def error(self, message: str, near: str | None = None) -> InputError:
        return InputError(message, file=self.name, line=self.line_of(near))

    def line_of(self, address: str | None) -> int | None:
        """The line of ``"address": "<address>"``, the closest thing to a position JSON has."""
        if not address:
            return None
        for ascii_only in (True, False):
            quoted = json.dumps(address, ensure_ascii=ascii_only)
            pattern = re.compile(r'"address"\s*:\s*' + re.escape(quoted))
            match = pattern.search(self.text, self.start)
            if match is not None:
                return self.text.count("\n", 0, match.start()) + 1
        return None


def marked(marker: Any) -> bool:
    """Whether a Terraform marker structure (true, or lists/objects of them) marks anything."""
    if marker is True:
        return True
    if isinstance(marker, dict):
        return any(marked(value) for value in marker.values())
    if isinstance(marker, list):
        return any(marked(value) for value in marker)
    return False


def child(marker: Any, key: str | int) -> Any:
    """The marker for one attribute or element; ``True`` covers everything below it."""
    if marker is True:
        return True
    if isinstance(marker, dict) and isinstance(key, str):
        return marker.get(key)
    if isinstance(marker, list) and isinstance(key, int) and key < len(marker):
        return marker[key]
    return None


def merge(*markers: Any) -> Any:
    """One sensitivity marker out of several (after_sensitive and before_sensitive)."""
    present = [marker for marker in markers if marker not in (None, False)]
    if not present:
        return None
    if any(marker is True for marker in present):
        return True
    if all(isinstance(marker, dict) for marker in present):
        keys = sorted({key for marker in present for key in marker})
        return {key: merge(*(marker.get(key) for marker in present)) for key in keys}
    if all(isinstance(marker, list) for marker in present):
        size = max(len(marker) for marker in present)
        return [merge(*(child(marker, i) for marker in present)) for i in range(size)]
    return True  # shapes disagree: treat everything below as sensitive


def check_marker(doc: Document, marker: Any, where: str, address: str) -> None:
    """A marker is absent, a boolean or an object, and nests no deeper than any schema does
    (checked before anything recurses into it)."""
    if marker is not None and not isinstance(marker, (dict, bool)):
        raise doc.error(f"{where}: expected an object, got {type_name(marker)}", address)
    stack = [(marker, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_VALUE_DEPTH:
            raise doc.error(f"{where}: nested deeper than {MAX_VALUE_DEPTH} levels", address)
        if isinstance(item, dict):
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)
