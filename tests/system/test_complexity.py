"""No block of the package is worse than radon's rank C (cyclomatic complexity above 20): a
function that needs more branches than that is split into ones a reader can hold."""

from __future__ import annotations

from radon.complexity import cc_rank, cc_visit

from tests.conftest import ROOT

PACKAGE = ROOT / "checker"


def complex_blocks() -> dict[str, int]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if cc_rank(block.complexity) > "C":
                name = block.fullname if hasattr(block, "fullname") else block.name
                found[f"{path.relative_to(ROOT).as_posix()}:{name}"] = block.complexity
    return found


def test_no_block_is_worse_than_rank_c() -> None:
    assert complex_blocks() == {}, "split these (complexity above 20)"


def test_the_ranking_finds_a_complex_function() -> None:
    branches = "\n".join(f"    if x == {n}:\n        return {n}" for n in range(25))
    [block] = cc_visit(f"def f(x):\n{branches}\n    return -1\n")
    assert cc_rank(block.complexity) > "C"
