"""The shape of checker/sources/aws, read from the source: its modules import each other
without a cycle, no private name crosses a module boundary, and none sees argparse."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "checker" / "sources" / "aws"
PREFIX = "checker.sources.aws"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(module, names) for every import in ``path``, wherever it is (functions included)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name in MODULES:
        targets: set[str] = set()
        for module, names in imports(PACKAGE / f"{name}.py"):
            if module.startswith(PREFIX + "."):
                targets.add(module.removeprefix(PREFIX + ".").split(".")[0])
            elif module == PREFIX:
                targets.update(n for n in names if n in MODULES)
        edges[name] = targets - {name}
    return edges


def test_the_modules_are_the_ones_documented() -> None:
    assert MODULES == [
        "accounts",
        "clients",
        "collect",
        "errors",
        "events",
        "iam",
        "options",
        "plan",
        "processes",
        "related",
    ]


def test_no_import_cycle() -> None:
    edges = package_edges()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for target in sorted(edges[name]):
            visit(target, (*path, name))
        done.add(name)

    for name in MODULES:
        visit(name, ())
    assert edges["processes"] >= {"events", "plan"}  # the graph is really read
    assert "collect" not in edges["processes"]


@pytest.mark.parametrize("name", MODULES)
def test_no_private_name_crosses_modules(name: str) -> None:
    for module, names in imports(PACKAGE / f"{name}.py"):
        if module.startswith("checker"):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{name}.py imports {private} from {module}"


@pytest.mark.parametrize("name", [*MODULES, "__init__"])
def test_no_module_sees_argparse(name: str) -> None:
    assert "argparse" not in {module for module, _ in imports(PACKAGE / f"{name}.py")}


def test_importing_the_package_loads_only_the_options() -> None:
    """``__init__`` re-exports the options only: building the parser stays light."""
    imported = {module for module, _ in imports(PACKAGE / "__init__.py")}
    assert imported == {f"{PREFIX}.options"}
