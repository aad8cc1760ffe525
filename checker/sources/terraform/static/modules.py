"""One module directory's ``.tf`` files -> the declarations the static evaluator needs.

Files are read like every user file: a size limit, strict UTF-8, and a parse error is an
:class:`InputError` naming the file and line (a configuration Terraform cannot read has no plan
to agree with). Only top-level blocks matter here; their bodies stay python-hcl2 nodes and are
evaluated later, per module instance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.model import Location
from checker.sources.terraform.locations import MAX_TF_BYTES
from checker.sources.terraform.static.expressions import line_of, name_of, rules, text_of

MAX_TFVARS_BYTES = MAX_TF_BYTES


@dataclass(frozen=True, slots=True)
class Declared:
    """A top-level block: its body node and where its header is written."""

    body: Any
    location: Location
    attributes: dict[str, Any]  # name -> expression node
    blocks: tuple[tuple[str, tuple[str, ...], Any, Location], ...]  # (type, labels, body, where)


@dataclass
class ModuleDecls:
    """What one module directory declares."""

    directory: Path
    variables: dict[str, Declared] = field(default_factory=dict)
    locals: dict[str, tuple[Any, Location]] = field(default_factory=dict)
    outputs: dict[str, Declared] = field(default_factory=dict)
    resources: dict[tuple[str, str], Declared] = field(default_factory=dict)
    modules: dict[str, Declared] = field(default_factory=dict)
    providers: dict[str, Declared] = field(default_factory=dict)  # "aws", "aws.west"
    imports: list[Declared] = field(default_factory=list)
    json_files: list[str] = field(default_factory=list)


def read_text(path: Path, shown: str, limit: int = MAX_TF_BYTES) -> str:
    """A source file's text; too large, unreadable or not UTF-8 is an error naming it."""
    try:
        if path.stat().st_size > limit:
            raise InputError(f"larger than {limit // (1024 * 1024)} MiB", file=shown)
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read", file=shown) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            "not UTF-8 (Terraform reads .tf files as UTF-8)", file=shown, line=line
        ) from None


def parse(text: str, shown: str) -> Any:
    """python-hcl2's tree of one file; a syntax error names the file and line."""
    import hcl2

    try:
        return hcl2.parses(text, discard_comments=True)
    except RecursionError:
        raise InputError("nested too deeply to read", file=shown) from None
    except Exception as exc:  # lark's syntax errors carry line and column
        line = getattr(exc, "line", None)
        column = getattr(exc, "column", None)
        raise InputError(
            "not valid HCL (terraform validate shows why)",
            file=shown,
            line=line if isinstance(line, int) and line > 0 else None,
            column=column if isinstance(column, int) and column > 0 else None,
        ) from None


def tf_files(directory: Path) -> list[Path]:
    """The ``.tf`` files Terraform reads as one module, in name order (override files are
    merged by Terraform into blocks declared elsewhere: not read here, a limitation noted in
    the docs)."""
    try:
        return sorted(
            path
            for path in directory.iterdir()
            if path.name.endswith(".tf") and path.is_file() and not _override(path.name)
        )
    except OSError:
        return []


def _override(name: str) -> bool:
    return name == "override.tf" or name.endswith("_override.tf")


def read_module(directory: Path, display: Any) -> ModuleDecls:
    """Every top-level declaration of the module in ``directory``; ``display`` shows a path
    relative to the repository."""
    decls = ModuleDecls(directory)
    try:
        decls.json_files = sorted(
            display(p) for p in directory.iterdir() if p.name.endswith(".tf.json")
        )
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read", file=display(directory)) from None
    for path in tf_files(directory):
        shown = display(path)
        tree = parse(read_text(path, shown), shown)
        for node in rules(tree.body):
            if type(node).__name__ == "BlockRule":
                _declare(decls, node, shown)
    return decls


def declared(node: Any, shown: str) -> Declared:
    body = node.body
    attributes: dict[str, Any] = {}
    blocks = []
    for item in rules(body):
        kind = type(item).__name__
        if kind == "AttributeRule":
            attributes[name_of(item.identifier)] = item.expression
        elif kind == "BlockRule":
            labels = [name_of(label) for label in item.labels]
            where = Location(shown, line_of(item) or 1)
            blocks.append((labels[0], tuple(labels[1:]), item.body, where))
    return Declared(body, Location(shown, line_of(node) or 1), attributes, tuple(blocks))


def _declare(decls: ModuleDecls, node: Any, shown: str) -> None:
    labels = [name_of(label) for label in node.labels]
    kind, names = labels[0], labels[1:]
    if kind == "variable" and len(names) == 1:
        decls.variables.setdefault(names[0], declared(node, shown))
    elif kind == "locals":
        for item in rules(node.body):
            if type(item).__name__ == "AttributeRule":
                name = name_of(item.identifier)
                decls.locals.setdefault(
                    name, (item.expression, Location(shown, line_of(item) or 1))
                )
    elif kind == "output" and len(names) == 1:
        decls.outputs.setdefault(names[0], declared(node, shown))
    elif kind == "resource" and len(names) == 2:
        decls.resources.setdefault((names[0], names[1]), declared(node, shown))
    elif kind == "module" and len(names) == 1:
        decls.modules.setdefault(names[0], declared(node, shown))
    elif kind == "provider" and len(names) == 1:
        found = declared(node, shown)
        alias = found.attributes.get("alias")
        key = names[0] + (f".{name_of(rules(alias)[0])}" if alias is not None else "")
        decls.providers.setdefault(key, found)
    elif kind == "import":
        decls.imports.append(declared(node, shown))


def import_target(found: Declared) -> str | None:
    """The address an ``import`` block's ``to`` names, as written."""
    target = found.attributes.get("to")
    return text_of(target).replace(" ", "") if target is not None else None


def installed_modules(root: Path) -> dict[str, str]:
    """``.terraform/modules/modules.json`` (written by ``terraform init``): module key
    (``teams``, ``teams.inner``) -> its directory, relative to the root module."""
    path = root / ".terraform" / "modules" / "modules.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(read_text(path, str(path), 4 * 1024 * 1024))
    except ValueError:
        return {}
    found: dict[str, str] = {}
    for item in data.get("Modules", []) if isinstance(data, dict) else []:
        if isinstance(item, dict):
            key, directory = item.get("Key"), item.get("Dir")
            if isinstance(key, str) and key and isinstance(directory, str):
                found[key] = directory
    return found
