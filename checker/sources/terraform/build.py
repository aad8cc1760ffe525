"""One workforce entry of a plan or state -> a :class:`Record`, with everything the document
and the ``.tf`` sources add: region, action, source location, provider defaults, notes."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.files.reading import type_name
from checker.model import Location, Record, Resource, arn_parts
from checker.related import MEMBER, identified
from checker.sources.base import normalize_workforce
from checker.sources.terraform.configuration import Configuration, ProviderRegions, module_calls
from checker.sources.terraform.document import Document, child
from checker.sources.terraform.locations import ResourceBlock, SourceTree
from checker.sources.terraform.mapping import (
    AWS_WORKFORCE,
    REGION_PATH,
    WORKFORCE_TYPES,
    Mapped,
    Mapper,
    WorkforceType,
)
from checker.sources.terraform.related import Declared, RelatedIndex

NOTE_ADDRESSES = 5  # a note names this many addresses, then counts the rest


class Notes:
    """What a source tells the reader besides records, one line per kind, in first-seen order.

    Each kind collects the addresses it concerns, so a plan with a thousand deposed objects
    gives one note, not a thousand.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._groups: dict[str, list[str]] = {}

    def add(self, template: str, address: str | None = None) -> None:
        """``template`` may hold ``{what}``: the addresses added under the same template."""
        addresses = self._groups.setdefault(template, [])
        if address is not None and address not in addresses:
            addresses.append(address)

    def lines(self) -> list[str]:
        lines = []
        for template, addresses in self._groups.items():
            shown = ", ".join(addresses[:NOTE_ADDRESSES])
            if len(addresses) > NOTE_ADDRESSES:
                shown += f" and {len(addresses) - NOTE_ADDRESSES} more"
            lines.append(f"{self.source}: " + template.replace("{what}", shown))
        return lines


@dataclass
class Reading:
    """What every entry of one document is read with."""

    doc: Document
    source_name: str
    default_region: str | None
    tree: SourceTree | None
    notes: Notes
    configuration: Configuration = field(default_factory=lambda: Configuration(None))
    regions: ProviderRegions = field(default_factory=lambda: ProviderRegions(None))
    seen: dict[str, str] = field(default_factory=dict)  # current address -> where it was read
    related: RelatedIndex | None = None
    """The related resources the document declares (work teams, pools, ...), when any."""
    evaluated: Callable[[str], Record | None] = lambda address: None
    """The record the ``.tf`` files give for an address with the plan's variable values
    (the static evaluation): it decides the ``dynamic`` blocks ``configuration`` leaves out."""

    def claim(self, address: str, where: str) -> None:
        """Each current object once: the same address twice would be two records with one
        fingerprint, and which one Terraform means cannot be told."""
        first = self.seen.get(address)
        if first is not None:
            raise self.doc.error(
                f"{where} ({address}): the same address as {first}: one current object per address",
                address,
            )
        self.seen[address] = where


@dataclass(frozen=True, slots=True)
class Entry:
    """One workforce object as a plan or state lists it."""

    address: str
    module_address: str
    name: str
    provider_name: Any
    values: Mapping[str, Any]
    unknown: Any = None
    sensitive: Any = None
    action: str | None = None  # None for a state
    creates: bool = False  # apply creates a new object (create, replace): defaults apply
    unknown_reason: str | None = None  # why its unknown values are unknown, when not "apply"
    kind: WorkforceType = AWS_WORKFORCE


_DEFERRED_REASON = re.compile(r"^[a-z_]{1,64}$")


def deferred_reason_text(reason: Any) -> str:
    """Terraform's reason for deferring (``resource_config_unknown``), shown only when it is
    one of its plain tokens."""
    if isinstance(reason, str) and _DEFERRED_REASON.match(reason):
        return reason
    return "no reason given"


def build_record(reading: Reading, entry: Entry) -> Record:
    mapped = Mapper(reading.doc, entry.address, entry.unknown, entry.sensitive, entry.kind).map(
        entry.values
    )
    calls = module_calls(entry.module_address) if entry.module_address else ()
    block = _locate(reading, entry, calls)
    defaults = _apply_defaults(reading, entry, calls, mapped, block) if entry.creates else {}
    if entry.unknown_reason:
        for path in mapped.unknown:
            mapped.reasons.setdefault(path, entry.unknown_reason)
    region = _region(reading, entry, mapped)
    workforce = normalize_workforce(mapped.workforce)
    related, related_locations = _related(reading, entry, calls, workforce, mapped)
    arn = workforce.get("WorkforceArn") if "WorkforceArn" not in mapped.sensitive else None
    arn = arn if isinstance(arn, str) else None
    name = workforce.get("WorkforceName") if "WorkforceName" not in mapped.sensitive else None
    location = (
        reading.tree.location(block) if reading.tree and isinstance(block, ResourceBlock) else None
    )
    if isinstance(block, ResourceBlock) and location is None and reading.tree is not None:
        reading.notes.add(
            "findings for {what} point at the plan: their .tf files are outside "
            f"the repository at {reading.tree.repository}",
            entry.address,
        )
    resource = Resource(
        arn=arn,
        name=name if isinstance(name, str) else None,
        account=arn_parts(arn)[2],
        region=region,
        source=reading.source_name,
        source_kind="terraform",
        address=entry.address,
        location=location,
        action=entry.action,
        related_locations=related_locations,
    )
    return Record(
        workforce,
        resource,
        frozenset(mapped.unknown),
        frozenset(mapped.sensitive),
        dict(sorted(mapped.reasons.items())),
        defaults,
        related=related,
        identity_paths=frozenset(mapped.identities),
    )


def _related(
    reading: Reading,
    entry: Entry,
    calls: tuple[str, ...],
    workforce: dict[str, Any],
    mapped: Mapped,
) -> tuple[dict[str, str | None] | None, tuple[tuple[str, Location], ...]]:
    """The related resources the document declares for this workforce, under ``Related``;
    the kinds it declares nothing of stay not read (their rules are not evaluated, noted)."""
    index = reading.related
    if index is None:
        return None, ()
    declared = index.kinds_declared()
    if not declared:
        return None, ()
    me = Declared(
        address=entry.address,
        kind=entry.kind.name,
        module=f"{entry.module_address}." if entry.module_address else "",
        values=entry.values,
        unknown=entry.unknown,
        expressions=reading.configuration.expressions(calls, entry.kind.name, entry.name),
        creates=entry.creates,
    )
    name = workforce.get("WorkforceName") if "WorkforceName" not in mapped.sensitive else None
    linked = index.link(me, workforce, name if isinstance(name, str) else None, declared)
    if linked.member:
        workforce[MEMBER] = linked.member
    for path, reason in linked.unknown.items():
        mapped.unknown.add(path)
        mapped.reasons[path] = reason
    mapped.identities.update(identified(workforce, linked.identities, frozenset(mapped.unknown)))
    return dict.fromkeys(sorted(declared)), tuple(linked.locations)


def _locate(reading: Reading, entry: Entry, calls: tuple[str, ...]) -> ResourceBlock | str | None:
    """The resource's block in the ``.tf`` sources, or why it was not found (noted); None when
    no sources are read."""
    if reading.tree is None:
        return None
    found = reading.tree.resource(
        calls, entry.kind.name, entry.name, reading.configuration.module_source
    )
    if isinstance(found, str):
        reading.notes.add("findings for {what} point at the plan file: " + found, entry.address)
    return found


def _apply_defaults(
    reading: Reading,
    entry: Entry,
    calls: tuple[str, ...],
    mapped: Mapped,
    block: ResourceBlock | str | None,
) -> dict[str, str]:
    """Blocks a create plans unknown only because the configuration leaves them to AWS.

    The provider marks an Optional+Computed block it was not given as unknown; the plan's
    ``configuration`` shows whether it was written. Not written: AWS applies its default (for
    ``source_ip_config``, no restriction), so the record gets that value and a reason. Written
    by a ``dynamic`` block (which ``configuration`` leaves out; the ``.tf`` files show it), or
    not told by the plan: it stays unknown, and the reason says why.
    """
    reasons: dict[str, str] = {}
    for block_name, default in entry.kind.defaults.items():
        field_name = entry.kind.field(block_name)
        if field_name not in mapped.unknown or child(entry.unknown, block_name) is not True:
            continue
        written = reading.configuration.writes(calls, entry.kind.name, entry.name, block_name)
        if written is True:
            continue  # written with values known only after apply: truly unknown
        if isinstance(written, str):
            mapped.reasons[field_name] = (
                f"not known: {written}, so wfcheck cannot tell whether {block_name} is set"
            )
            continue
        dynamic = isinstance(block, ResourceBlock) and block_name in block.dynamic
        if dynamic and not _writes_nothing(reading.evaluated(entry.address), field_name, default):
            mapped.reasons[field_name] = (
                f"known only after apply: a dynamic block writes {block_name}"
            )
            continue
        if isinstance(block, ResourceBlock) and block_name in block.blocks:
            mapped.reasons[field_name] = (
                f"not known: the .tf files write {block_name} but the plan's configuration does "
                "not (are they the files the plan was made from?)"
            )
            continue
        mapped.unknown.discard(field_name)
        if default.value is None:
            continue  # left out by AWS too: the record leaves it out, as the API would
        mapped.workforce[field_name] = copy.deepcopy(default.value)
        reason = f"{block_name} is not set in the configuration, so {default.reason}"
        if dynamic:
            reason = (
                f"the dynamic {block_name} block writes no block with the plan's variables, "
                f"so {default.reason}"
            )
        elif not isinstance(block, ResourceBlock):
            reason += (
                " (a dynamic block would not show in the plan; wfcheck read no .tf file that "
                "could show one)"
            )
        reasons[field_name] = reason
    return reasons


def _writes_nothing(evaluated: Record | None, field_name: str, default: Any) -> bool:
    """Whether the static evaluation knows the block is not written (it then holds AWS's
    default, as a plan of a configuration without the block would)."""
    if evaluated is None or field_name in evaluated.unknown_paths:
        return False
    return bool(evaluated.workforce.get(field_name) == default.value)


def _region(reading: Reading, entry: Entry, mapped: Mapped) -> str | None:
    """The resource's own region, else its ARN's, else its provider's, else ``--region``."""
    if mapped.region is not None or REGION_PATH in mapped.unknown:
        return mapped.region
    arn = mapped.workforce.get("WorkforceArn")
    if isinstance(arn, str) and arn.startswith("arn:") and "WorkforceArn" not in mapped.sensitive:
        region = arn_parts(arn)[1]
        if region is not None:
            return region
    provider = reading.regions.region(
        entry.module_address, entry.kind.name, entry.name, entry.provider_name
    )
    region = provider or reading.default_region
    if region is None:
        mapped.unknown.add(REGION_PATH)  # nothing says where it will live
        if isinstance(arn, str) and "WorkforceArn" in mapped.sensitive:
            mapped.reasons[REGION_PATH] = (
                "not shown: only the workforce's ARN names its region, and the ARN is marked "
                "sensitive (--region gives one)"
            )
    return region


def workforce_address(doc: Document, item: Any, where: str) -> tuple[str, WorkforceType] | None:
    """The address and type of a managed workforce entry (plan change or state resource); None
    for any other resource, for data sources and for OpenTofu's ephemeral resources (they are
    never stored, so never a workforce that exists).

    An entry whose type or mode cannot be read might be a workforce: that is an error, not a
    silent skip.
    """
    if not isinstance(item, dict):
        raise doc.error(f"{where}: expected an object, got {type_name(item)}")
    kind = item.get("type")
    address = item.get("address")
    near = address if isinstance(address, str) else None
    if not isinstance(kind, str):
        raise doc.error(
            f"{where}.type: expected a resource type string, got {type_name(kind)}", near
        )
    workforce = WORKFORCE_TYPES.get(kind)
    if workforce is None:
        return None
    mode = item.get("mode", "managed")
    if mode in ("data", "ephemeral"):
        return None
    if mode != "managed":
        shown = f" ({near})" if near else ""
        raise doc.error(
            f'{where}.mode{shown}: expected "managed", "data" or "ephemeral" for an {kind}, '
            f"got {type_name(mode) if not isinstance(mode, str) else 'another mode'}",
            near,
        )
    if not isinstance(address, str) or not address:
        raise doc.error(f"{where}.address: expected a non-empty string")
    return address, workforce


def entry_name(doc: Document, item: Mapping[str, Any], where: str, address: str) -> str:
    """The resource's name in its module: ``main`` of ``module.x.aws_sagemaker_workforce.main``."""
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise doc.error(f"{where}.name ({address}): expected a non-empty string", address)
    return name


def entry_module(doc: Document, item: Mapping[str, Any], where: str, address: str) -> str:
    module_address = item.get("module_address") or ""
    if not isinstance(module_address, str):
        raise doc.error(f"{where}.module_address ({address}): expected a string", address)
    return module_address
