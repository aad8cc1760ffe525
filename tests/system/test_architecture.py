"""The shape of the package: no import cycle between modules, boto3 and argparse where they
belong, and the command-line layer in modules small enough to read."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "checker"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every checker module ``name`` imports, anywhere in the file (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, set(known))) for name, path in known.items()}


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_only_the_command_line_layer_sees_argparse() -> None:
    for name, path in modules().items():
        if not name.startswith("checker.cli"):
            assert "argparse" not in set(imports(name, path, {"argparse"})) and (
                "import argparse" not in path.read_text(encoding="utf-8")
            ), name


def test_no_command_line_module_is_over_300_lines() -> None:
    for path in (PACKAGE / "cli").rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 300, f"{path.relative_to(ROOT)}: {lines} lines"


OPTION_BUILDERS = {"checker.cli.options", "checker.cli.command_options", "checker.cli.settings"}


def raw_lookups(tree: ast.AST) -> list[int]:
    """Lines that look a setting up by name: ``settings[...]`` or ``settings.get(...)``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            looked_up = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            looked_up = node.func.value if node.func.attr == "get" else None
        else:
            continue
        if isinstance(looked_up, ast.Name) and looked_up.id == "settings":
            lines.append(node.lineno)
    return lines


def test_commands_read_settings_through_the_typed_options_only() -> None:
    for name, path in modules().items():
        if name.startswith("checker.cli") and name not in OPTION_BUILDERS:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert raw_lookups(tree) == [], name


def test_the_lookup_check_finds_both_forms() -> None:
    tree = ast.parse('a = settings["fail_on"]\nb = settings.get("now")\nc = other.get("x")\n')
    assert raw_lookups(tree) == [1, 2]


# The layers, lowest first: a module may import its own layer and the ones below, never above
# (lazy and TYPE_CHECKING imports included). A package's name covers its modules; the longest
# matching name decides.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("checker", "checker.errors", "checker.model", "checker.forking", "checker.text"),
    ("checker.related",),
    ("checker.results",),
    ("checker.files",),
    ("checker.policy",),
    ("checker.engine",),
    ("checker.awsapi",),
    ("checker.sources",),
    ("checker.findings",),
    ("checker.reports",),
    ("checker.output",),
    ("checker.pipeline", "checker.gate"),
    ("checker.cli", "checker.__main__"),
)


def layer_of(module: str) -> int:
    matches = [
        (len(name), number)
        for number, names in enumerate(LAYERS)
        for name in names
        if module == name or module.startswith(f"{name}.")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{name} imports {other}"
        for name, targets in edges.items()
        for other in targets
        if layer_of(other) > layer_of(name)
    )


def test_layers_import_only_downward() -> None:
    assert upward_imports(graph()) == []


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer_of(name)


def test_the_layer_check_finds_an_upward_import() -> None:
    edges = {"checker.files.x": {"checker.cli.parser"}, "checker.cli.main": {"checker.model"}}
    assert upward_imports(edges) == ["checker.files.x imports checker.cli.parser"]
