"""Where a Terraform address is written: the file and line of its ``resource`` block.

The ``.tf`` files are parsed with python-hcl2 (a maintained HCL2 parser), never matched with
regexes. ``module.x["k"].aws_sagemaker_workforce.main`` is followed through the ``source`` of each
module call that is a local path (``./modules/labeling``) to the block in that module's files.
Registry and git sources are not on disk: their resources are not located and a note says why.

Paths are relative to the repository root (the nearest parent holding ``.git``, else the source
directory), which is what SARIF's ``%SRCROOT%`` and GitHub code scanning expect. Locating is an
aid to reading findings, never part of a verdict: a ``.tf`` file python-hcl2 cannot read becomes a
note, not an error (Terraform validates the configuration; wfcheck checks the plan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.model import Location

MAX_TF_BYTES = 4 * 1024 * 1024
LOCAL_PREFIXES = ("./", "../", ".\\", "..\\")


@dataclass(frozen=True, slots=True)
class ResourceBlock:
    """One ``resource "TYPE" "NAME"`` block: where it starts and which blocks it writes."""

    file: Path
    line: int
    column: int
    blocks: frozenset[str]  # nested blocks written literally (source_ip_config { ... })
    dynamic: frozenset[str]  # nested blocks written by dynamic "NAME" { ... }


@dataclass
class ModuleFiles:
    """What the ``.tf`` files of one module directory declare (top-level blocks only)."""

    resources: dict[tuple[str, str], ResourceBlock] = field(default_factory=dict)
    module_sources: dict[str, str | None] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)  # "file:line: why", for notes
    json_files: bool = False  # *.tf.json: not located (a note says so)


def is_local_source(source: str) -> bool:
    """Terraform reads a module source as a local directory only when it starts ./ or ../."""
    return source.startswith(LOCAL_PREFIXES)


def repository_root(directory: Path) -> Path:
    """The nearest directory at or above ``directory`` holding ``.git`` (a directory, or the
    file of a worktree or submodule), else ``directory`` itself."""
    start = directory.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def has_tf_files(directory: Path) -> bool:
    try:
        return any(_tf_files(directory))
    except OSError:
        return False


def _tf_files(directory: Path) -> Iterator[Path]:
    """The ``.tf`` files Terraform reads as one module, in name order; override files only
    change blocks declared elsewhere, so they never hold the block a finding should point at."""
    for path in sorted(directory.iterdir()):
        name = path.name
        if not name.endswith(".tf") or not path.is_file():
            continue
        if name == "override.tf" or name.endswith("_override.tf"):
            continue
        yield path


class SourceTree:
    """A Terraform configuration on disk, from its root module directory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.repository = repository_root(self.root)
        self._modules: dict[Path, ModuleFiles] = {}

    def module_dir(
        self, calls: tuple[str, ...], plan_source: Callable[[tuple[str, ...]], str | None]
    ) -> Path | str:
        """The directory of the module at ``calls``, or why it is not on disk.

        ``plan_source`` gives a call's ``source`` from the plan's configuration (as Terraform
        resolved it); the ``.tf`` files' own ``source`` is the fallback (states have no
        configuration section).
        """
        directory = self.root
        for depth, call in enumerate(calls):
            files = self.module_files(directory)
            source = plan_source(calls[: depth + 1]) or files.module_sources.get(call)
            label = ".".join(f"module.{name}" for name in calls[: depth + 1])
            if source is None:
                return f"{label} is not declared in {self.display(directory)}"
            if not is_local_source(source):
                # not shown: a git source may carry a token (git::https://user:token@host/...)
                return f"{label} comes from a registry or remote source, which is not on disk"
            directory = (directory / source.replace("\\", "/")).resolve()
            if not directory.is_dir():
                return f"{label}'s source {source!r} is not a directory"
        return directory

    def resource(
        self,
        calls: tuple[str, ...],
        resource_type: str,
        name: str,
        plan_source: Callable[[tuple[str, ...]], str | None],
    ) -> ResourceBlock | str:
        """The resource's block, or why it cannot be found."""
        directory = self.module_dir(calls, plan_source)
        if isinstance(directory, str):
            return directory
        files = self.module_files(directory)
        block = files.resources.get((resource_type, name))
        if block is not None:
            return block
        where = self.display(directory) or "."
        if files.unreadable:
            return f"{where} has .tf files python-hcl2 cannot read ({'; '.join(files.unreadable)})"
        if files.json_files:
            return f"{where} declares it in a .tf.json file, which wfcheck does not locate"
        return f"no resource {resource_type}.{name} in {where}"

    def location(self, block: ResourceBlock) -> Location | None:
        """The block's place relative to the repository root; None when it lies outside."""
        try:
            relative = block.file.resolve().relative_to(self.repository)
        except ValueError:
            return None
        return Location(relative.as_posix(), block.line, block.column)

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.repository).as_posix()
        except ValueError:
            return str(path)

    def module_files(self, directory: Path) -> ModuleFiles:
        """Parsed once per directory: a plan names the same module for every instance."""
        directory = directory.resolve()
        found = self._modules.get(directory)
        if found is None:
            found = self._modules[directory] = self._read_module(directory)
        return found

    def _read_module(self, directory: Path) -> ModuleFiles:
        files = ModuleFiles()
        try:
            paths = list(_tf_files(directory))
            files.json_files = any(path.name.endswith(".tf.json") for path in directory.iterdir())
        except OSError as exc:
            files.unreadable.append(f"{self.display(directory)}: {exc.strerror or 'unreadable'}")
            return files
        for path in paths:
            _read_file(path, files, self.display(path))
        return files


def _read_file(path: Path, files: ModuleFiles, shown: str) -> None:
    """Add one file's top-level ``resource`` and ``module`` blocks to ``files``."""
    from hcl2.rules.base import BlockRule

    tree = _parse(path, files, shown)
    if tree is None:
        return
    for node in tree.body.children:
        if not isinstance(node, BlockRule):
            continue
        labels = [_label(label) for label in node.labels]
        if len(labels) == 3 and labels[0] == "resource":
            if (labels[1], labels[2]) not in files.resources:  # Terraform refuses a duplicate
                files.resources[(labels[1], labels[2])] = _resource_block(path, node)
        elif len(labels) == 2 and labels[0] == "module":
            files.module_sources.setdefault(labels[1], _module_source(node))


def _parse(path: Path, files: ModuleFiles, shown: str) -> Any:
    """The file's python-hcl2 tree, or None with the reason in ``files.unreadable``."""
    import hcl2

    try:
        if path.stat().st_size > MAX_TF_BYTES:
            files.unreadable.append(f"{shown}: larger than {MAX_TF_BYTES // (1024 * 1024)} MiB")
            return None
        text = path.read_text(encoding="utf-8-sig")
        return hcl2.parses(text, discard_comments=True)
    except OSError as exc:
        files.unreadable.append(f"{shown}: {exc.strerror or 'unreadable'}")
    except UnicodeDecodeError:
        files.unreadable.append(f"{shown}: not UTF-8")
    except Exception as exc:  # lark's syntax errors, and anything the parser trips on
        line = getattr(exc, "line", None)
        files.unreadable.append(f"{shown}:{line}" if isinstance(line, int) else shown)
    return None


def _resource_block(path: Path, node: Any) -> ResourceBlock:
    """Where a resource block is written, and which nested blocks (plain and dynamic) it has."""
    from hcl2.rules.base import BlockRule

    line, column = _position(node)
    nested = [child for child in node.body.children if isinstance(child, BlockRule)]
    names = [[_label(label) for label in block.labels] for block in nested]
    return ResourceBlock(
        file=path,
        line=line,
        column=column,
        blocks=frozenset(n[0] for n in names if n and n[0] != "dynamic"),
        dynamic=frozenset(n[1] for n in names if len(n) == 2 and n[0] == "dynamic"),
    )


def _module_source(node: Any) -> str | None:
    """A module block's ``source``, when it is a plain string literal."""
    from hcl2.rules.base import AttributeRule

    source = None
    for attribute in node.body.children:
        if isinstance(attribute, AttributeRule) and _label(attribute.identifier) == "source":
            source = _string_literal(attribute.expression.serialize())
    return source


def _label(label: Any) -> str:
    """A block label or attribute name as a plain string: ``"main"`` -> ``main``."""
    text = str(label.serialize())
    literal = _string_literal(text)
    return literal if literal is not None else text


def _string_literal(text: Any) -> str | None:
    """The content of a plain quoted HCL string; None for templates, escapes or other values
    (a module source must be a literal, and labels are plain names)."""
    if not isinstance(text, str) or len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return None
    inner = text[1:-1]
    if "\\" in inner or "${" in inner or "%{" in inner or '"' in inner:
        return None
    return inner


def _position(node: Any) -> tuple[int, int]:
    """The line and column where a block starts (its first label), 1-based, as python-hcl2's
    parser (lark, propagate_positions) records them."""
    meta = node.to_lark().meta
    line = getattr(meta, "line", None)
    column = getattr(meta, "column", None)
    return (line if isinstance(line, int) else 1, column if isinstance(column, int) else 1)
