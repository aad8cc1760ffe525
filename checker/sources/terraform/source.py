"""The Terraform source: one ``terraform show -json`` document (plan or state) -> records."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError, UsageError
from checker.files.json_documents import parse_json
from checker.files.reading import MAX_JSON_BYTES, read_text, type_name
from checker.model import Record, UnitStatus
from checker.sources.base import RecordSource
from checker.sources.terraform.build import Notes, Reading
from checker.sources.terraform.configuration import Configuration, ProviderRegions
from checker.sources.terraform.document import Document
from checker.sources.terraform.locations import SourceTree, has_tf_files
from checker.sources.terraform.plan import PlanReader
from checker.sources.terraform.state import StateReader

SUPPORTED_MAJOR = "1"
PLAN_KEYS = ("resource_changes", "planned_values", "prior_state", "deferred_changes")


class TerraformSource(RecordSource):
    """One ``terraform show -json`` document: a plan (``resource_changes``) or a state.

    ``source_dir`` is the Terraform configuration the document was made from (``.tf`` files):
    results then point at each resource's block. None means the document's own directory when
    it holds ``.tf`` files; ``locate=False`` reads no sources at all (``wfcheck validate``).
    ``default_region`` is the last resort for the region (the first ``--region``).
    """

    kind = "terraform"

    def __init__(
        self,
        path: str,
        *,
        changed_only: bool = False,
        default_region: str | None = None,
        source_dir: str | None = None,
        locate: bool = True,
    ) -> None:
        super().__init__()
        self.path = path
        self.source_name = "stdin" if path == "-" else path
        self.changed_only = changed_only
        self.default_region = default_region
        self.source_dir = source_dir
        self.locate = locate
        self.document_kind = "plan"
        self._records = self._load()

    @property
    def name(self) -> str:
        return self.source_name

    def records(self) -> Iterator[Record]:
        yield from self._records

    def _tree(self) -> SourceTree | None:
        if not self.locate:
            return None
        if self.source_dir is not None:
            return SourceTree(Path(self.source_dir))
        if self.path == "-":
            return None
        directory = Path(self.path).parent
        return SourceTree(directory) if has_tf_files(directory) else None

    def _load(self) -> list[Record]:
        text = read_text(self.path, limit=MAX_JSON_BYTES, kind="Terraform JSON")
        doc = Document(self.source_name, text)
        data = parse_json(text, self.source_name)
        if not isinstance(data, dict):
            raise doc.error(
                f"expected the JSON object terraform show -json writes, got {type_name(data)}"
            )
        _check_version(doc, data)
        plan = any(key in data for key in PLAN_KEYS)
        self.document_kind = "plan" if plan else "state"
        notes = Notes(self.source_name)
        tree = self._tree()
        reading = Reading(doc, self.source_name, self.default_region, tree, notes)
        try:
            if plan:
                configuration = data.get("configuration")
                reading.configuration = Configuration(configuration)
                reading.regions = ProviderRegions(configuration)
                if tree is not None:
                    reading.evaluated = _evaluated(tree.root, data.get("variables"))
                records = PlanReader(reading, data, self.changed_only).records()
            else:
                records = StateReader(reading, data, self.changed_only).records()
        except RecursionError:
            raise doc.error("values nested too deeply") from None
        if tree is None and records and self.locate and self.document_kind == "plan":
            where = "the plan" if self.path == "-" else "the plan file"
            notes.add(
                f"findings point at {where}: give --terraform-source DIR (the configuration the "
                "plan was made from) to point them at the .tf lines"
            )
        self.notes.extend(notes.lines())
        self.units.append(
            UnitStatus(self.source_name, "ok", len(records), note=f"terraform {self.document_kind}")
        )
        return records


def _evaluated(root: Path, variables: Any) -> Callable[[str], Record | None]:
    """The plan's own ``.tf`` files evaluated with the plan's variable values, by address,
    read once and only when a ``dynamic`` block must be decided."""
    found: dict[str, Record] = {}
    read = False

    def record(address: str) -> Record | None:
        nonlocal read
        if not read:
            read = True
            from checker.sources.terraform.static import StaticTerraformSource

            values = {
                name: entry["value"]
                for name, entry in (variables if isinstance(variables, dict) else {}).items()
                if isinstance(entry, dict) and "value" in entry
            }
            try:
                source = StaticTerraformSource(str(root), plan_values=values, environ={})
            except (InputError, UsageError):
                return None  # the block stays unknown, as without the sources
            found.update((r.resource.address, r) for r in source.records() if r.resource.address)
        return found.get(address)

    return record


def _check_version(doc: Document, data: Mapping[str, Any]) -> None:
    version = data.get("format_version")
    if version is None and "encrypted_data" in data:
        raise doc.error(
            "an encrypted OpenTofu plan or state: show it with its key (tofu show -json) "
            "and scan that output",
            None,
        )
    if version is None:
        raise doc.error("no format_version: not the output of terraform show -json", None)
    if not isinstance(version, str):
        raise doc.error(f"format_version: expected a string, got {type_name(version)}")
    if version.split(".", 1)[0] != SUPPORTED_MAJOR:
        shown = f" {version}" if re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4}){0,3}", version) else ""
        raise doc.error(
            f"unsupported format_version{shown} (wfcheck reads {SUPPORTED_MAJOR}.x; "
            "is this the output of terraform show -json?)"
        )


def terraform_sources(
    paths: Sequence[str],
    *,
    stdin_taken: bool = False,
    changed_only: bool = False,
    source_dir: str | None = None,
    regions: Sequence[str] | str | None = None,
) -> list[RecordSource]:
    """One source per ``--terraform`` file.

    ``changed_only`` is ``--changed-only`` (plans: leave out what the plan does not change);
    ``source_dir`` is ``--terraform-source`` (the ``.tf`` configuration, for source locations;
    default: each plan's own directory when it holds ``.tf`` files); ``regions`` is
    ``--region`` (its first value other than ``all`` is the last-resort region).
    """
    if list(paths).count("-") + (1 if stdin_taken and "-" in paths else 0) > 1:
        raise UsageError("- (stdin) can be read only once: give it to one --input or --terraform")
    if source_dir is not None:
        directory = Path(source_dir)
        if not directory.is_dir():
            raise UsageError(f"--terraform-source {source_dir}: not a directory")
        if not has_tf_files(directory):
            raise UsageError(
                f"--terraform-source {source_dir}: no .tf files (give the directory of the root "
                "module the plan was made from)"
            )
    if isinstance(regions, str):
        regions = [regions]
    # --region all means "every region" to the live source; it names no region here.
    default_region = next((r for r in regions or () if r and r != "all"), None)
    return [
        TerraformSource(
            path, changed_only=changed_only, default_region=default_region, source_dir=source_dir
        )
        for path in paths
    ]


if TYPE_CHECKING:
    from checker.sources import SourceRequest

_TERRAFORM_HEAD = re.compile(r'\A\ufeff?\s*\{\s*"format_version"\s*:')


def looks_like_terraform(path: str) -> bool:
    """Whether a JSON file is ``terraform show -json`` output: Terraform writes format_version
    first, so the first bytes tell, without parsing a large plan twice."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return _TERRAFORM_HEAD.match(head) is not None


def validate_terraform_file(path: str) -> None:
    """``wfcheck validate``: a plan or state file reads without errors."""
    TerraformSource(path, locate=False)


OWN_OPTIONS = ("tf_var", "tf_var_file")
"""Options that mean nothing without Terraform inputs (``checker.sources`` checks them)."""


def open_sources(paths: Sequence[str], request: SourceRequest) -> list[RecordSource]:
    """``checker.sources`` registry interface: ``--terraform`` files (and positional plans);
    a directory of ``.tf`` files is read without a plan (:mod:`.static`), and a ``.tf`` or
    ``.tfvars`` file (as pre-commit passes them) stands for the root modules it belongs to."""
    from checker.sources.terraform.static import is_configuration_dir, static_sources
    from checker.sources.terraform.static.roots import is_terraform_file, root_modules

    changed = [path for path in paths if is_terraform_file(path)]
    directories = [path for path in paths if path != "-" and is_configuration_dir(path)]
    documents = [path for path in paths if path not in directories and path not in changed]
    for root in root_modules(changed):
        shown = os.path.relpath(root)
        if shown not in directories and is_configuration_dir(shown):
            directories.append(shown)
    sources = terraform_sources(
        documents,
        changed_only=bool(request.options.get("changed_only")),
        source_dir=request.options.get("terraform_source"),
        regions=request.regions,
    )
    return sources + static_sources(
        directories,
        var_files=request.options.get("tf_var_file") or (),
        cli_vars=request.options.get("tf_var") or (),
        regions=request.regions,
    )


def recognizes(path: str) -> bool:
    """A plan or state document, a directory of ``.tf`` files (a root module), or a ``.tf`` or
    ``.tfvars`` file of one."""
    from checker.sources.terraform.static.roots import is_terraform_file

    if is_terraform_file(path):
        return True
    if Path(path).is_dir():
        from checker.sources.terraform.static import is_configuration_dir

        return is_configuration_dir(path)
    return looks_like_terraform(path)
