"""CDK output (a cloud assembly, ``cdk.out``): which templates are stacks, what they are called,
and the account and region each is deployed to.

``manifest.json`` lists artifacts; each ``aws:cloudformation:stack`` names its template file,
its display name (``Stage/Stack``), its CloudFormation stack name and its environment
(``aws://ACCOUNT/REGION``, with ``unknown-account``/``unknown-region`` for an
environment-agnostic stack). Stages are nested assemblies (``cdk:cloud-assembly``) in their own
folder. Nested stacks are not listed: their parents point at them (see ``source.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.files.reading import Located, type_name
from checker.sources.cloudformation.template import load_json_located, require_object

MANIFEST = "manifest.json"
STACK_ARTIFACT = "aws:cloudformation:stack"
ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
MAX_ASSEMBLY_DEPTH = 8
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_ENVIRONMENT = re.compile(r"^aws://(?P<account>[^/]+)/(?P<region>[^/]+)$")
UNKNOWN_ACCOUNT = "unknown-account"
UNKNOWN_REGION = "unknown-region"


@dataclass(frozen=True, slots=True)
class AssemblyStack:
    """One stack of a cloud assembly."""

    display_name: str
    stack_name: str
    template: Path
    account: str | None
    region: str | None


def is_assembly_manifest(data: Any) -> bool:
    """A cloud assembly manifest has a ``version`` and an ``artifacts`` object."""
    return isinstance(data, dict) and "version" in data and isinstance(data.get("artifacts"), dict)


def read_assembly(folder: Path, depth: int = 0) -> list[AssemblyStack]:
    """The stacks of the assembly in ``folder`` (and of its stages), in manifest order."""
    manifest = folder / MANIFEST
    doc = load_json_located(str(manifest), kind="CDK manifest", limit=MAX_MANIFEST_BYTES)
    if not is_assembly_manifest(doc.data):
        raise _fail(doc, (), "not a CDK cloud assembly manifest (no version and artifacts)")
    stacks: list[AssemblyStack] = []
    artifacts = require_object(doc, ("artifacts",), "artifacts")
    for artifact_id, artifact in artifacts.items():
        path = ("artifacts", artifact_id)
        if not isinstance(artifact, dict):
            raise _fail(
                doc, path, f"artifact {artifact_id}: expected an object, got {type_name(artifact)}"
            )
        kind = artifact.get("type")
        if kind == STACK_ARTIFACT:
            stacks.append(_stack(doc, folder, artifact_id, artifact))
        elif kind == ASSEMBLY_ARTIFACT:
            if depth >= MAX_ASSEMBLY_DEPTH:
                raise _fail(doc, path, f"stages nested deeper than {MAX_ASSEMBLY_DEPTH} levels")
            properties = require_object(
                doc, (*path, "properties"), f"artifact {artifact_id}: properties"
            )
            directory = _inside(
                doc, folder, (*path, "properties", "directoryName"), properties.get("directoryName")
            )
            stacks.extend(read_assembly(directory, depth + 1))
    return stacks


def _stack(doc: Located, folder: Path, artifact_id: str, artifact: dict[str, Any]) -> AssemblyStack:
    path = ("artifacts", artifact_id)
    properties = require_object(doc, (*path, "properties"), f"artifact {artifact_id}: properties")
    template = _inside(
        doc, folder, (*path, "properties", "templateFile"), properties.get("templateFile")
    )
    display = artifact.get("displayName", artifact_id)
    stack_name = properties.get("stackName", artifact_id)
    for key, value in (("displayName", display), ("properties.stackName", stack_name)):
        if not isinstance(value, str) or not value:
            raise _fail(doc, path, f"artifact {artifact_id}: {key} must be a non-empty string")
    account, region = _environment(doc, (*path, "environment"), artifact.get("environment"))
    return AssemblyStack(display, stack_name, template, account, region)


def _environment(doc: Located, path: tuple[str, ...], value: Any) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    match = _ENVIRONMENT.match(value) if isinstance(value, str) else None
    if match is None:
        raise _fail(doc, path, "environment: expected aws://ACCOUNT/REGION")
    account = None if match["account"] == UNKNOWN_ACCOUNT else match["account"]
    region = None if match["region"] == UNKNOWN_REGION else match["region"]
    return account, region


def _inside(doc: Located, folder: Path, path: tuple[str, ...], value: Any) -> Path:
    """A file the manifest names, which must be inside the assembly folder."""
    if not isinstance(value, str) or not value:
        raise _fail(doc, path, f"{path[-1]}: expected a file name inside the assembly")
    candidate = Path(value)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise _fail(doc, path, f"{path[-1]}: must name a file inside the assembly folder")
    return folder / candidate


def _fail(doc: Located, path: tuple[str, ...], message: str) -> InputError:
    error = doc.error(InputError, path, message)
    assert isinstance(error, InputError)
    return error
