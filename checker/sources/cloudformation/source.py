"""Records from CloudFormation templates and CDK output: ``wfcheck scan --cloudformation PATH``.

Every ``AWS::SageMaker::Workforce`` becomes a record in the API's ``Workforce`` shape, named
``stack/LogicalId`` and located at its template line, so every rule is written once for the live
API, snapshots, Terraform and CloudFormation. A PATH is a template file, a CDK cloud assembly
(``cdk.out`` or its ``manifest.json``), or a folder searched for both. Nested stacks whose
template is a local file (the CDK's ``*.nested.template.json`` assets, or a relative
``TemplateURL`` before ``aws cloudformation package``) are read with the parameters their parent
passes, and named ``parent/NestedLogicalId``; one whose template is only at a URL is reported as
not collected (exit 3) rather than silently skipped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError, UsageError
from checker.files.reading import Located, PathKey, type_name
from checker.model import ErrorEntry, Location, Record, UnitStatus
from checker.related import MEMBER, identified
from checker.sources.base import RecordSource, make_record
from checker.sources.cloudformation.cdk import MANIFEST, is_assembly_manifest, read_assembly
from checker.sources.cloudformation.intrinsics import (
    DEPLOY_TIME,
    NO_VALUE,
    Resolver,
    Unresolved,
    short_form,
)
from checker.sources.cloudformation.parameters import (
    GivenValue,
    load_parameters_file,
    merge_given,
    parameter_values,
    parse_assignments,
)
from checker.sources.cloudformation.related import TemplateRelated
from checker.sources.cloudformation.template import (
    TEMPLATE_SUFFIXES,
    is_template,
    load_json_located,
    load_template,
    repository_path,
    require_object,
    resource_position,
    stack_name_of,
)
from checker.sources.cloudformation.workforce import RESOURCE_TYPE, WorkforceMapper
from checker.text import shorten

SOURCE_KIND = "cloudformation"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
REGION_PATH = "_region"
MAX_NESTING = 16
# Transforms that add no workforce: SAM, and the language extensions (Fn::ForEach is checked).
KNOWN_TRANSFORMS = frozenset({"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"})
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# What a template that failed to parse looks like, so a broken one is reported, not skipped.
_LOOKS_LIKE_TEMPLATE = re.compile(
    r'AWSTemplateFormatVersion|^Resources\s*:|"Resources"\s*:\s*\{', re.MULTILINE
)
# (prefix of the region name, partition, URL suffix); the first match wins.
PARTITIONS: tuple[tuple[str, str, str], ...] = (
    ("cn-", "aws-cn", "amazonaws.com.cn"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
    ("eusc-", "aws-eusc", "amazonaws.eu"),
    ("", "aws", "amazonaws.com"),
)

if TYPE_CHECKING:
    from checker.sources import SourceRequest


@dataclass(frozen=True)
class StackSpec:
    """One stack to read: how it is named, its template, its environment and its inputs."""

    name: str
    template: Path
    account: str | None
    region: str | None
    stack_name: str | None
    given: Mapping[str, GivenValue] = field(default_factory=dict)
    nested: bool = False
    chain: tuple[Path, ...] = ()


class CloudFormationSource(RecordSource):
    """The workforces of one ``--cloudformation PATH`` (a template, an assembly, a folder).

    ``given`` are the ``--parameter`` and parameters-file values for top-level stacks;
    ``region`` (the first ``--region``) places stacks whose CDK environment names none.
    ``declared`` lists the parameters top-level templates declare (to refuse a ``--parameter``
    that matches none); ``property_locations`` maps each address to where each API path is
    written, for writers that can point at a property rather than the resource.
    """

    kind = SOURCE_KIND

    def __init__(
        self,
        path: str,
        *,
        given: Mapping[str, GivenValue] | None = None,
        region: str | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.given = dict(given or {})
        self.region = region
        self.declared: set[str] = set()
        self.property_locations: dict[str, dict[str, Location]] = {}
        self._templates: dict[Path, Located] = {}
        self._records = self._load()

    @property
    def name(self) -> str:
        return self.path

    def records(self) -> Iterator[Record]:
        yield from self._records

    # --- finding stacks -------------------------------------------------------------------------

    def _load(self) -> list[Record]:
        root = Path(self.path)
        if not root.exists():
            raise InputError("no such file or directory", file=self.path)
        stacks = list(self._stacks(root))
        if not stacks:
            raise InputError(
                "no CloudFormation template or CDK cloud assembly found here "
                f"(templates are {', '.join('*' + s for s in TEMPLATE_SUFFIXES)} "
                "files with a Resources object)",
                file=self.path,
            )
        records: list[Record] = []
        for spec in stacks:
            records.extend(self._stack(spec))
        return records

    def _stacks(self, root: Path) -> Iterator[StackSpec]:
        if root.is_file():
            if root.name == MANIFEST and _assembly_folder(root.parent):
                yield from self._assembly(root.parent)
                return
            doc = self._template(root)
            if not is_template(doc.data):
                raise InputError(
                    "not a CloudFormation template: it has no Resources object", file=str(root)
                )
            yield self._plain(root)
            return
        if _assembly_folder(root):
            yield from self._assembly(root)
            return
        yield from self._walk(root)

    def _assembly(self, folder: Path) -> Iterator[StackSpec]:
        for stack in read_assembly(folder):
            yield StackSpec(
                name=stack.display_name,
                template=stack.template,
                account=stack.account,
                region=stack.region or self.region,
                stack_name=stack.stack_name,
                given=self.given,
            )

    def _plain(self, path: Path) -> StackSpec:
        """A template deployed on its own: named by its file, region from --region, and the
        stack name chosen at deploy time."""
        return StackSpec(stack_name_of(path), path, None, self.region, None, self.given)

    def _walk(self, root: Path) -> Iterator[StackSpec]:
        """Templates and assemblies under a folder, sorted; hidden folders and node_modules are
        skipped, and a template another one nests (a local TemplateURL) is read only as nested."""
        plain: list[Path] = []
        assemblies: list[Path] = []
        for folder, folders, files in os.walk(root):
            here = Path(folder)
            if _assembly_folder(here):
                assemblies.append(here)
                folders[:] = []
                continue
            folders[:] = sorted(
                name for name in folders if not name.startswith(".") and name not in SKIPPED_FOLDERS
            )
            for name in sorted(files):
                if name.endswith(TEMPLATE_SUFFIXES) and self._is_template_file(here / name):
                    plain.append(here / name)
        nested = {child.resolve() for path in plain for child in self._local_children(path)}
        found = [(path, False) for path in plain if path.resolve() not in nested]
        found.extend((folder, True) for folder in assemblies)
        for path, is_assembly in sorted(found, key=lambda item: item[0].as_posix()):
            if is_assembly:
                yield from self._assembly(path)
            else:
                yield self._plain(path)

    def _is_template_file(self, path: Path) -> bool:
        return is_template_file(path, self._template)

    def _local_children(self, path: Path) -> list[Path]:
        """Templates a plain template nests through a relative TemplateURL."""
        resources = self._template(path).data.get("Resources", {})
        children = []
        for resource in resources.values():
            if not isinstance(resource, dict) or resource.get("Type") != NESTED_STACK_TYPE:
                continue
            child = _child_template(path, resource)
            if child is not None:
                children.append(child)
        return children

    def _template(self, path: Path) -> Located:
        key = path.resolve()
        if key not in self._templates:
            self._templates[key] = load_template(str(path))
        return self._templates[key]

    # --- reading one stack ----------------------------------------------------------------------

    def _stack(self, spec: StackSpec) -> list[Record]:
        doc = self._template(spec.template)
        if not is_template(doc.data):
            raise InputError(
                f"stack {spec.name}: not a CloudFormation template (no Resources object)",
                file=str(spec.template),
            )
        values = parameter_values(doc, spec.given, hint=not spec.nested)
        if not spec.nested:
            self.declared.update(values)
        resolver = Resolver(doc, parameters=values, pseudo=pseudo_parameters(spec))
        self._check_transforms(doc, spec)
        resources = require_object(doc, ("Resources",), "Resources")
        related = TemplateRelated(
            doc,
            repository_path(spec.template),
            resolver,
            lambda logical, resource: (
                "Condition" not in resource
                or resolver.condition(resource["Condition"], ("Resources", logical, "Condition"))
                is not False
            ),
        )
        unit_position = len(self.units)  # a parent's unit comes before its nested stacks'
        records: list[Record] = []
        nested: list[Record] = []
        undecided: list[str] = []
        not_created = 0
        for logical_id, resource in resources.items():
            path: PathKey = ("Resources", logical_id)
            if logical_id.startswith("Fn::ForEach::"):
                self._check_for_each(spec, logical_id, resource)
                continue
            if not isinstance(resource, dict):
                raise doc.error(
                    InputError,
                    path,
                    f"resource {logical_id}: expected an object, got {type_name(resource)}",
                )
            kind = resource.get("Type")
            if not isinstance(kind, str):
                raise doc.error(InputError, path, f"resource {logical_id}: Type must be a string")
            if kind not in (RESOURCE_TYPE, NESTED_STACK_TYPE):
                continue
            if "Condition" in resource:
                created = resolver.condition(resource["Condition"], (*path, "Condition"))
                if created is False:
                    not_created += 1
                    continue
                if isinstance(created, Unresolved):
                    undecided.append(logical_id)
            if kind == RESOURCE_TYPE:
                records.append(self._workforce(spec, doc, resolver, logical_id, resource, related))
            else:
                nested.extend(self._nested(spec, resolver, logical_id, resource))
        notes = [f"cloudformation stack {spec.name}"]
        if not_created:
            notes.append(f"{not_created} resource(s) not created: their Condition is false")
        if undecided:
            notes.append(
                "checked although their Condition is not decided before deploy: "
                + ", ".join(undecided)
            )
        unit = UnitStatus(str(spec.template), "ok", len(records), note="; ".join(notes))
        self.units.insert(unit_position, unit)
        return records + nested

    def _workforce(
        self,
        spec: StackSpec,
        doc: Located,
        resolver: Resolver,
        logical_id: str,
        resource: Mapping[str, Any],
        related: TemplateRelated,
    ) -> Record:
        address = f"{spec.name}/{logical_id}"
        display = repository_path(spec.template)
        path: PathKey = ("Resources", logical_id, "Properties")
        mapped = WorkforceMapper(resolver, doc, display, address).map(
            resource.get("Properties"), path
        )
        reasons = dict(mapped.unknown)
        if spec.region is None:
            reasons[REGION_PATH] = Unresolved(DEPLOY_TIME, "AWS::Region", "give --region").render()
        linked = related.link(logical_id, mapped.workforce)
        workforce = dict(mapped.workforce)
        if linked.member:
            workforce[MEMBER] = linked.member
        reasons.update(linked.unknown)
        identities = identified(workforce, linked.identities, frozenset(reasons))
        record = make_record(
            workforce,
            source=str(spec.template),
            source_kind=SOURCE_KIND,
            account=spec.account,
            region=spec.region,
            address=address,
            unknown_paths=frozenset(reasons),
            related=dict.fromkeys(sorted(linked.kinds)) if linked.kinds else None,
            identity_paths=identities,
        )
        line, column = resource_position(doc, logical_id)
        located = replace(
            record.resource,
            location=Location(display, line, column),
            related_locations=tuple(linked.locations),
        )
        self.property_locations[address] = mapped.locations
        return replace(record, resource=located, unknown_reasons=reasons)

    def _nested(
        self, spec: StackSpec, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]
    ) -> list[Record]:
        name = f"{spec.name}/{logical_id}"
        child = _child_template(spec.template, resource)
        if child is None or not child.is_file():
            properties = resource.get("Properties")
            url = properties.get("TemplateURL") if isinstance(properties, dict) else None
            where = "is not a local file" if child is None else "is missing"
            self.errors.append(
                ErrorEntry(
                    source=str(spec.template),
                    code="NestedStackNotRead",
                    message=f"nested stack {name}: its template ({shorten(short_form(url), 80)}) "
                    f"{where}; workforces it creates are not checked",
                )
            )
            return []
        key = child.resolve()
        if key in spec.chain or len(spec.chain) >= MAX_NESTING:
            doc = self._template(spec.template)
            raise doc.error(
                InputError,
                ("Resources", logical_id),
                f"nested stack {name}: nests its own template or goes deeper than {MAX_NESTING}",
            )
        given = self._passed_parameters(spec, resolver, logical_id, resource)
        return self._stack(
            StackSpec(
                name=name,
                template=child,
                account=spec.account,
                region=spec.region,
                stack_name=None,  # CloudFormation names it parent-Logical-RANDOM
                given=given,
                nested=True,
                chain=(*spec.chain, spec.template.resolve(), key),
            )
        )

    def _passed_parameters(
        self, spec: StackSpec, resolver: Resolver, logical_id: str, resource: Mapping[str, Any]
    ) -> dict[str, GivenValue]:
        """The values a parent passes in the nested stack's ``Parameters`` (strings)."""
        doc = self._template(spec.template)
        path: PathKey = ("Resources", logical_id, "Properties", "Parameters")
        properties = resource.get("Properties")
        raw = properties.get("Parameters") if isinstance(properties, dict) else None
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise doc.error(
                InputError, path, f"Parameters: expected an object, got {type_name(raw)}"
            )
        given: dict[str, GivenValue] = {}
        for key, value in raw.items():
            resolved = resolver.resolve(value, (*path, key))
            if resolved is NO_VALUE:
                continue
            origin = f"stack {spec.name}"
            if isinstance(resolved, Unresolved):
                passed = replace(resolved, expression=f"{resolved.expression} in stack {spec.name}")
                given[key] = GivenValue(passed, origin)
            elif isinstance(resolved, (str, int, float)) and not isinstance(resolved, bool):
                given[key] = GivenValue(str(resolved), origin)
            elif isinstance(resolved, bool):
                given[key] = GivenValue("true" if resolved else "false", origin)
            else:
                raise doc.error(
                    InputError,
                    (*path, key),
                    f"nested stack parameter {key}: expected a string, got {type_name(resolved)}",
                )
        return given

    def _check_transforms(self, doc: Located, spec: StackSpec) -> None:
        transform = doc.data.get("Transform")
        names = transform if isinstance(transform, list) else [transform]
        for name in names:
            if name is None or name in KNOWN_TRANSFORMS:
                continue
            self.errors.append(
                ErrorEntry(
                    source=str(spec.template),
                    code="MacroNotExpanded",
                    message=f"stack {spec.name}: the {shorten(short_form(name), 80)} transform "
                    "runs at deploy time; workforces it adds are not checked",
                )
            )

    def _check_for_each(self, spec: StackSpec, logical_id: str, resource: Any) -> None:
        if RESOURCE_TYPE in json.dumps(resource, default=str):
            self.errors.append(
                ErrorEntry(
                    source=str(spec.template),
                    code="ForEachNotExpanded",
                    message=f"stack {spec.name}: {shorten(logical_id, 80)} creates workforces "
                    "wfcheck does not expand; they are not checked",
                )
            )


def pseudo_parameters(spec: StackSpec) -> dict[str, Any]:
    """``AWS::Region`` and friends as far as the stack's environment fixes them."""
    region = spec.region
    partition = next((p for p in PARTITIONS if region and region.startswith(p[0])), None)

    def deploy_time(name: str, hint: str | None = None) -> Unresolved:
        return Unresolved(DEPLOY_TIME, f"!Ref {name}", hint)

    return {
        "AWS::Region": region or deploy_time("AWS::Region", "give --region"),
        "AWS::AccountId": spec.account or deploy_time("AWS::AccountId"),
        "AWS::Partition": partition[1] if partition else deploy_time("AWS::Partition"),
        "AWS::URLSuffix": partition[2] if partition else deploy_time("AWS::URLSuffix"),
        "AWS::StackName": spec.stack_name or deploy_time("AWS::StackName"),
        "AWS::StackId": deploy_time("AWS::StackId"),
        "AWS::NotificationARNs": deploy_time("AWS::NotificationARNs"),
        "AWS::NoValue": NO_VALUE,
    }


def _assembly_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a CDK cloud assembly manifest."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return False
    try:
        doc = load_json_located(str(manifest), kind="CDK manifest", limit=16 * 1024 * 1024)
    except InputError:
        return False  # not JSON: some other manifest.json
    return is_assembly_manifest(doc.data)


def _child_template(parent: Path, resource: Mapping[str, Any]) -> Path | None:
    """The local file a nested stack's template is in: the CDK's asset metadata, or a relative
    TemplateURL; None when it is only at a URL (or computed)."""
    metadata = resource.get("Metadata")
    if isinstance(metadata, dict) and metadata.get("aws:asset:property") == "TemplateURL":
        asset = metadata.get("aws:asset:path")
        if isinstance(asset, str) and _relative(asset):
            return parent.parent / asset
    properties = resource.get("Properties")
    url = properties.get("TemplateURL") if isinstance(properties, dict) else None
    if isinstance(url, str) and not _URL.match(url) and _relative(url):
        return parent.parent / url
    return None


def _relative(text: str) -> bool:
    path = Path(text)
    return bool(text) and not path.is_absolute() and ".." not in path.parts


def cloudformation_sources(
    paths: Sequence[str],
    *,
    parameters: Sequence[str] = (),
    parameter_files: Sequence[str] = (),
    region: Sequence[str] | str | None = None,
) -> list[RecordSource]:
    """One source per ``--cloudformation`` PATH. ``parameters`` are ``--parameter NAME=VALUE``,
    ``parameter_files`` the ``--parameters-file`` files (``--parameter`` wins over a file, a
    later file over an earlier one); ``region`` is ``--region`` (its first, except ``all``)."""
    if (parameters or parameter_files) and not paths:
        raise UsageError("--parameter and --parameters-file need --cloudformation")
    given = merge_given(
        *(load_parameters_file(name) for name in parameter_files), parse_assignments(parameters)
    )
    regions = [region] if isinstance(region, str) else list(region or ())
    default_region = next((r for r in regions if r and r != "all"), None)
    sources = [CloudFormationSource(path, given=given, region=default_region) for path in paths]
    declared: set[str] = set().union(*(source.declared for source in sources))
    unused = sorted(set(given) - declared)
    if unused:
        origin = given[unused[0]].origin
        raise UsageError(f"{origin}: no template declares a parameter {unused[0]!r}")
    return list(sources)


TEMPLATE_KIND = "cloudformation template"
MANIFEST_KIND = "cdk manifest"
ASSEMBLY_FILE_KIND = "cdk assembly file"
PARAMETERS_KIND = "cloudformation parameters"


def cloudformation_kind(path: Path) -> str | None:
    """For ``wfcheck validate``: whether a file is a template, a CDK manifest, or another file
    of a CDK cloud assembly (``tree.json``, ``*.assets.json``); None for anything else."""
    if not path.name.endswith(TEMPLATE_SUFFIXES):
        return None
    if path.suffix == ".json" and _assembly_folder(path.parent):
        if path.name == MANIFEST:
            return MANIFEST_KIND
        if not path.name.endswith(".template.json"):
            return ASSEMBLY_FILE_KIND
    try:
        doc = load_template(str(path))
    except InputError:
        return None  # not a template, or a broken one: the caller's own detection reports it
    if is_template(doc.data):
        return TEMPLATE_KIND
    if path.suffix == ".json" and _looks_like_parameters(doc.data):
        return PARAMETERS_KIND
    return None


def _looks_like_parameters(data: Any) -> bool:
    """A parameters file: ``[{"ParameterKey": ...}]``, ``["NAME=VALUE"]`` or
    ``{"Parameters": {...}}`` (and nothing that reads as records)."""
    if isinstance(data, dict):
        return isinstance(data.get("Parameters"), dict) and not {
            "Resources",
            "Workforce",
            "Workforces",
            "records",
        } & set(data)
    if isinstance(data, list) and data:
        return all(
            (isinstance(item, dict) and "ParameterKey" in item)
            or (isinstance(item, str) and "=" in item)
            for item in data
        )
    return False


def validate_cloudformation_file(path: str) -> None:
    """``wfcheck validate``: a template or CDK manifest (with its stacks) reads without errors."""
    CloudFormationSource(path)


def validate_parameters_file(path: str) -> None:
    """``wfcheck validate``: a ``--parameters-file`` reads without errors."""
    load_parameters_file(path)


def validate_assembly_file(path: str) -> None:
    """``wfcheck validate``: another JSON file of a cloud assembly is JSON (wfcheck reads no
    more of it)."""
    load_json_located(path, kind="CDK assembly file", limit=32 * 1024 * 1024)


OWN_OPTIONS = ("parameter", "parameters_file", "templates_only")
"""Options that mean nothing without a template (``checker.sources`` checks them)."""


def is_template_file(path: Path, load: Callable[[Path], Located] | None = None) -> bool:
    """Whether a file found in a folder (or passed by a hook) is a template. One that does not
    parse is an error only when it looks like a template, so unrelated files (a Helm chart, a
    workflow) do not stop a scan."""
    try:
        doc = load(path) if load is not None else load_template(str(path))
    except InputError:
        try:
            with path.open("rb") as handle:
                head = handle.read(65536).decode("utf-8", errors="replace")
        except OSError:
            return False
        if _LOOKS_LIKE_TEMPLATE.search(head):
            raise
        return False
    return is_template(doc.data)


def open_sources(paths: Sequence[str], request: SourceRequest) -> list[RecordSource]:
    """``checker.sources`` registry interface: ``--cloudformation`` paths (and positional
    templates, folders and ``cdk.out`` assemblies). ``--templates-only`` keeps the files that
    are templates and folders, as a folder scan would."""
    if request.options.get("templates_only"):
        paths = [p for p in paths if not Path(p).is_file() or is_template_file(Path(p))]
    return cloudformation_sources(
        paths,
        parameters=request.options.get("parameter") or (),
        parameter_files=request.options.get("parameters_file") or (),
        region=request.regions,
    )


_TEMPLATE_HEAD = re.compile(r'"(AWSTemplateFormatVersion|Resources)"\s*:')


def recognizes(path: str) -> bool:
    """A folder (of templates, or a cdk.out), a YAML file (inputs are JSON), or JSON whose first
    64 KiB name a template's sections: the head tells, without parsing a large input twice."""
    candidate = Path(path)
    if candidate.is_dir():
        return True
    if candidate.suffix in (".yaml", ".yml", ".template"):
        return True
    try:
        with candidate.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    return _TEMPLATE_HEAD.search(head) is not None
