"""Workforces in ``terraform show -json PLANFILE``: every object that exists after apply.

Terraform's action lists (``internal/plans/action.go``, encoded by ``internal/command/jsonplan``)
and what wfcheck does with each; anything else is an error, never a silent skip:

=======================  ==========  ==========================================================
actions                  action      evaluated
=======================  ==========  ==========================================================
create                   create      yes, ``change.after``
update                   update      yes
delete, create           replace     yes, the new object
create, delete           replace     yes, the new object (create_before_destroy)
create, forget           replace     yes, the new object (the old one leaves the state)
no-op                    no-op       yes, unless ``--changed-only``
no-op/update + importing import      yes (``change.importing``: an import block)
delete                   -           no: nothing exists after apply
forget                   -           no: AWS keeps it, Terraform stops managing it (a note)
read                     -           data sources only; on a managed resource: an error
deferred_changes[]       deferred    yes when the plan has its values; else a note
=======================  ==========  ==========================================================

A change with ``deposed`` concerns an object left behind by an interrupted create_before_destroy
replacement, not the current one: it is not evaluated, and a note says it exists.
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
    deferred_reason_text,
    entry_module,
    entry_name,
    workforce_address,
)
from checker.sources.terraform.configuration import module_calls
from checker.sources.terraform.document import Document, check_marker, merge
from checker.sources.terraform.related import RELATED_TYPES, Declared, RelatedIndex

ACTIONS: Mapping[tuple[str, ...], str | None] = {
    ("create",): "create",
    ("update",): "update",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("create", "forget"): "replace",
    ("no-op",): "no-op",
    ("delete",): None,
    ("forget",): None,
}
CREATING = frozenset({"create", "replace"})
IMPORTABLE = frozenset({"no-op", "update"})
MARKERS = ("after_unknown", "after_sensitive", "before_sensitive")


class PlanReader:
    """The records of one plan document, and the notes about what it holds besides them."""

    def __init__(self, reading: Reading, data: Mapping[str, Any], changed_only: bool) -> None:
        self.reading = reading
        self.data = data
        self.changed_only = changed_only
        self.unchanged = 0

    def records(self) -> list[Record]:
        doc, notes = self.reading.doc, self.reading.notes
        changes = self.data.get("resource_changes")
        changes = [] if changes is None else changes
        if not isinstance(changes, list):
            raise doc.error(f"resource_changes: expected a list, got {type_name(changes)}")
        doc.start = max(doc.text.find('"resource_changes"'), 0)
        self.reading.related = self._related(changes)
        records: list[Record] = []
        for index, change in enumerate(changes):
            records.extend(self._change(change, f"resource_changes[{index}]", None))
        deferred = self.data.get("deferred_changes")
        deferred = [] if deferred is None else deferred
        if not isinstance(deferred, list):
            raise doc.error(f"deferred_changes: expected a list, got {type_name(deferred)}")
        for index, item in enumerate(deferred):
            where = f"deferred_changes[{index}]"
            if not isinstance(item, dict):
                raise doc.error(f"{where}: expected an object, got {type_name(item)}")
            reason = deferred_reason_text(item.get("reason"))
            records.extend(
                self._change(item.get("resource_change"), f"{where}.resource_change", reason)
            )
        if self.data.get("complete") is False:
            notes.add(
                "the plan is incomplete (complete: false): Terraform deferred changes to a later "
                "plan; deferred workforces are evaluated on the values this plan has"
            )
        if self.data.get("errored") is True:
            notes.add(
                "terraform plan stopped with errors (errored: true): this plan may not list "
                "every change"
            )
        if self.unchanged:
            notes.add(
                f"--changed-only: {self.unchanged} workforce(s) this plan leaves unchanged "
                "were not evaluated"
            )
        return records

    def _change(self, change: Any, where: str, deferred: str | None) -> list[Record]:
        reading = self.reading
        doc, notes = reading.doc, reading.notes
        found = workforce_address(doc, change, where)
        if found is None:
            return []
        address, kind = found
        body = change.get("change")
        if not isinstance(body, dict):
            raise doc.error(
                f"{where}.change ({address}): expected an object, got {type_name(body)}", address
            )
        key = _action_key(doc, body, where, address)
        if self._left_out(change, key, where, address):
            return []
        action = ACTIONS[key]
        assert action is not None  # _left_out answered for the actions that leave nothing
        importing = body.get("importing")
        if importing is not None and not isinstance(importing, dict):
            raise doc.error(
                f"{where}.change.importing ({address}): expected an object, "
                f"got {type_name(importing)}",
                address,
            )
        creates = action in CREATING
        if importing is not None and action in IMPORTABLE:
            action = "import"
        after = body.get("after")
        if not isinstance(after, dict):
            if deferred is not None:
                notes.add(
                    "{what}: deferred by Terraform without planned values: evaluated by the "
                    "plan that applies them",
                    address,
                )
                return []
            raise doc.error(
                f"{where}.change.after ({address}): expected an object for an object that "
                f"exists after apply, got {type_name(after)}",
                address,
            )
        for marker in MARKERS:
            check_marker(doc, body.get(marker), f"{where}.change.{marker} ({address})", address)
        reading.claim(address, where)
        if self.changed_only and action == "no-op":
            self.unchanged += 1
            return []
        entry = Entry(
            address=address,
            module_address=entry_module(doc, change, where, address),
            name=entry_name(doc, change, where, address),
            provider_name=change.get("provider_name"),
            values=after,
            unknown=body.get("after_unknown"),
            sensitive=merge(body.get("after_sensitive"), body.get("before_sensitive")),
            action="deferred" if deferred is not None else action,
            creates=creates,
            unknown_reason=(
                None
                if deferred is None
                else f"known only after a later plan and apply (Terraform deferred this change: "
                f"{deferred})"
            ),
            kind=kind,
        )
        return [build_record(reading, entry)]

    def _related(self, changes: list[Any]) -> RelatedIndex:
        """The related objects that exist after apply (work teams, pools, security groups,
        ...). An entry that cannot be read is left out: it refines, never decides, and what
        it would have decided stays unknown."""
        index = RelatedIndex()
        reading = self.reading
        for change in changes:
            if not isinstance(change, dict) or change.get("type") not in RELATED_TYPES:
                continue
            body = change.get("change")
            address, name = change.get("address"), change.get("name")
            module = change.get("module_address") or ""
            if (
                change.get("mode", "managed") != "managed"
                or change.get("deposed") is not None
                or not isinstance(body, dict)
                or not isinstance(body.get("after"), dict)
                or not isinstance(address, str)
                or not isinstance(name, str)
                or not isinstance(module, str)
            ):
                continue
            actions = body.get("actions")
            key = tuple(actions) if isinstance(actions, list) else ()
            if ACTIONS.get(key) is None:
                continue
            kind = str(change["type"])
            calls = module_calls(module) if module else ()
            location = None
            if reading.tree is not None:
                block = reading.tree.resource(
                    calls, kind, name, reading.configuration.module_source
                )
                location = reading.tree.location(block) if not isinstance(block, str) else None
            index.add(
                Declared(
                    address=address,
                    kind=kind,
                    module=f"{module}." if module else "",
                    values=body["after"],
                    unknown=body.get("after_unknown"),
                    expressions=reading.configuration.expressions(calls, kind, name),
                    creates=ACTIONS[key] in CREATING,
                    location=location,
                )
            )
        return index

    def _left_out(self, change: Any, key: tuple[str, ...], where: str, address: str) -> bool:
        """Whether the change leaves no current object to evaluate (a deposed object, a
        delete or a forget), saying so in a note."""
        doc, notes = self.reading.doc, self.reading.notes
        deposed = change.get("deposed")
        if deposed is not None:
            if not isinstance(deposed, str):
                raise doc.error(f"{where}.deposed ({address}): expected a string", address)
            notes.add(
                "{what}: deposed object(s) left by an interrupted create_before_destroy "
                "replacement; only current objects are evaluated",
                address,
            )
            return True
        if ACTIONS[key] is not None:
            return False
        if "forget" in key:
            notes.add(
                "{what}: forgotten by this plan (removed from the state, kept in AWS): no "
                "longer checked here; scan them live",
                address,
            )
        return True


def _action_key(doc: Document, body: dict[str, Any], where: str, address: str) -> tuple[str, ...]:
    """The change's actions, refused when they are not a list Terraform writes for a managed
    resource (what exists after apply could not be told)."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise doc.error(f"{where}.change.actions ({address}): expected a list of strings", address)
    key = tuple(actions)
    if key == ("read",):
        raise doc.error(
            f"{where}.change.actions ({address}): read is an action for data sources; a "
            "managed resource cannot have it",
            address,
        )
    if key not in ACTIONS:
        known = "; ".join(",".join(k) for k in ACTIONS)
        raise doc.error(
            f"{where}.change.actions ({address}): an action list Terraform does not write "
            f"(known: {known}, read for data sources): what exists after apply cannot be told",
            address,
        )
    return key
