"""Workforces in ``terraform show -json`` of a state: every current object, in any module.

An object with a ``deposed_key`` was left behind by an interrupted create_before_destroy
replacement: it shares its address with the current object, so it is not evaluated as one (that
would give two records with one fingerprint); a note says it exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.files.reading import type_name
from checker.model import Record
from checker.sources.terraform.build import (
    Entry,
    Reading,
    build_record,
    entry_name,
    workforce_address,
)
from checker.sources.terraform.document import check_marker
from checker.sources.terraform.related import RELATED_TYPES, Declared, RelatedIndex

MAX_MODULE_DEPTH = 64


class StateReader:
    def __init__(self, reading: Reading, data: Mapping[str, Any], changed_only: bool) -> None:
        self.reading = reading
        self.data = data
        if changed_only:
            reading.notes.add("--changed-only has no effect on a state, which has no changes")

    def records(self) -> list[Record]:
        doc = self.reading.doc
        values = self.data.get("values")
        if values is None:
            return []  # an empty state: terraform show -json writes no values at all
        if not isinstance(values, dict):
            raise doc.error(f"values: expected an object, got {type_name(values)}")
        root = values.get("root_module")
        if root is None:
            return []
        records: list[Record] = []
        self.reading.related = RelatedIndex()
        _collect_related(self.reading.related, root, 0)
        self._module(root, "values.root_module", "", records, 0)
        return records

    def _module(
        self, module: Any, where: str, module_address: str, out: list[Record], depth: int
    ) -> None:
        reading = self.reading
        doc = reading.doc
        if not isinstance(module, dict):
            raise doc.error(f"{where}: expected an object, got {type_name(module)}")
        if depth > MAX_MODULE_DEPTH:
            raise doc.error(f"{where}: modules nested deeper than {MAX_MODULE_DEPTH} levels")
        if depth:
            address = module.get("address")
            if not isinstance(address, str) or not address.startswith("module."):
                raise doc.error(f"{where}.address: expected a module address string")
            module_address = address
        resources = module.get("resources")
        resources = [] if resources is None else resources
        if not isinstance(resources, list):
            raise doc.error(f"{where}.resources: expected a list, got {type_name(resources)}")
        for index, resource in enumerate(resources):
            label = f"{where}.resources[{index}]"
            found = workforce_address(doc, resource, label)
            if found is None:
                continue
            address, kind = found
            attributes = resource.get("values")
            if not isinstance(attributes, dict):
                raise doc.error(
                    f"{label}.values ({address}): expected an object, got {type_name(attributes)}",
                    address,
                )
            sensitive = resource.get("sensitive_values")
            check_marker(doc, sensitive, f"{label}.sensitive_values ({address})", address)
            deposed = resource.get("deposed_key")
            if deposed is not None:
                if not isinstance(deposed, str):
                    raise doc.error(f"{label}.deposed_key ({address}): expected a string", address)
                reading.notes.add(
                    "{what}: deposed object(s) left by an interrupted create_before_destroy "
                    "replacement; only current objects are evaluated",
                    address,
                )
                continue
            reading.claim(address, label)
            entry = Entry(
                address=address,
                module_address=module_address,
                name=entry_name(doc, resource, label, address),
                provider_name=resource.get("provider_name"),
                values=attributes,
                sensitive=sensitive,
                kind=kind,
            )
            out.append(build_record(reading, entry))
        children = module.get("child_modules")
        children = [] if children is None else children
        if not isinstance(children, list):
            raise doc.error(f"{where}.child_modules: expected a list, got {type_name(children)}")
        for index, child_module in enumerate(children):
            self._module(
                child_module, f"{where}.child_modules[{index}]", module_address, out, depth + 1
            )


def _collect_related(index: RelatedIndex, module: Any, depth: int) -> None:
    """The state's related objects (work teams, pools, ...), linked by their known ids. An
    entry that cannot be read is left out: what it would have decided stays unknown."""
    if not isinstance(module, dict) or depth > MAX_MODULE_DEPTH:
        return
    prefix = module.get("address") if depth else ""
    for resource in module.get("resources") or ():
        if (
            isinstance(resource, dict)
            and resource.get("type") in RELATED_TYPES
            and resource.get("mode", "managed") == "managed"
            and resource.get("deposed_key") is None
            and isinstance(resource.get("address"), str)
            and isinstance(resource.get("values"), dict)
        ):
            index.add(
                Declared(
                    address=resource["address"],
                    kind=str(resource["type"]),
                    module=f"{prefix}." if isinstance(prefix, str) and prefix else "",
                    values=resource["values"],
                )
            )
    children = module.get("child_modules")
    for child_module in children if isinstance(children, list) else ():
        _collect_related(index, child_module, depth + 1)
