"""Reading CloudFormation templates (JSON or YAML) and CDK manifests with every value's position.

YAML short forms (``!Ref``, ``!GetAtt``, ``!Sub`` ...) become the plain data the long forms are
(``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``) through the project's safe loader, so nothing in a
template is ever constructed or executed, and the alias, depth and size limits of
:mod:`checker.files.yaml_documents` apply. JSON is parsed with :func:`parse_json` (a key
written twice is an error) and then scanned once for positions, so errors and results can name
the line of a resource or a property in either format.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.files.json_documents import JsonStream, parse_json
from checker.files.reading import KEY_MARK, MAX_YAML_BYTES, Located, PathKey, read_text, type_name
from checker.files.yaml_documents import load_yaml

# CloudFormation's documented short forms, and the key each stands for.
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!FindInMap": "Fn::FindInMap",
    "!GetAtt": "Fn::GetAtt",
    "!GetAZs": "Fn::GetAZs",
    "!ImportValue": "Fn::ImportValue",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!Sub": "Fn::Sub",
    "!Transform": "Fn::Transform",
    "!And": "Fn::And",
    "!Equals": "Fn::Equals",
    "!If": "Fn::If",
    "!Not": "Fn::Not",
    "!Or": "Fn::Or",
}

# CloudFormation refuses templates over 1 MB; a file four times that size is no template.
MAX_TEMPLATE_BYTES = MAX_YAML_BYTES
JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
# Longest first: the stack name of labeling.template.json is labeling.
STEM_SUFFIXES = (
    ".template.json",
    ".template.yaml",
    ".template.yml",
    ".template",
    ".json",
    ".yaml",
    ".yml",
)


def load_template(name: str, *, kind: str = "CloudFormation template") -> Located:
    """A template (or any JSON/YAML file) with positions: JSON by suffix or by its first
    character, else YAML with CloudFormation's short-form tags."""
    if _is_json(name):
        return load_json_located(name, kind=kind)
    return load_yaml(name, kind=kind, local_tags=SHORT_FORMS)


def _is_json(name: str) -> bool:
    if name.endswith(JSON_SUFFIXES):
        return True
    if name.endswith(YAML_SUFFIXES):
        return False
    try:
        with open(name, "rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False  # the loader reports it
    return head.startswith(b"{")


def load_json_located(name: str, *, kind: str = "file", limit: int = MAX_TEMPLATE_BYTES) -> Located:
    """Parse JSON (duplicate keys refused) and record where each value and key is written."""
    text = read_text(name, limit=limit, kind=kind)
    data = parse_json(text, name)
    with JsonStream(name, limit=limit, kind=kind, text=text) as stream:
        _, marks = stream.located()
    return Located(data, name, marks)


def resource_position(doc: Located, logical_id: str) -> tuple[int, int]:
    """Where ``LogicalId:`` is written under ``Resources``."""
    return doc.marks.get(("Resources", logical_id, KEY_MARK)) or doc.where(
        ("Resources", logical_id)
    )


def is_template(data: Any) -> bool:
    """A CloudFormation template is an object whose ``Resources`` is an object."""
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)


def stack_name_of(path: Path) -> str:
    """The stack a plain template file names: its file name without the template suffixes."""
    name = path.name
    for suffix in STEM_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def repository_path(path: Path) -> str:
    """``path`` relative to the root of the git repository it is in (SARIF ``%SRCROOT%``), in
    POSIX form; as given when it is in no repository."""
    absolute = path.resolve()
    for folder in absolute.parents:
        if (folder / ".git").exists():
            return absolute.relative_to(folder).as_posix()
    return path.as_posix()


def require_object(doc: Located, path: PathKey, what: str) -> dict[str, Any]:
    """The object at ``path`` (absent: empty), or an error naming its position."""
    value: Any = doc.data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(InputError, path, f"{what}: expected an object, got {type_name(value)}")
    return value


def scalar_text(value: Any) -> str | None:
    """A scalar as the string CloudFormation passes on (``true``, ``5``, ``2024-01-31`` for a
    YAML date); None for lists, objects and null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return None
