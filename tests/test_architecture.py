"""The architecture holds: no import cycle between any two modules, and the folders stay small.

import-linter (`lint-imports` in make test) checks the contracts between packages; this test
looks at every single module, including imports made inside functions.
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("stories", "anthology")
MAX_MODULES_PER_FOLDER = 12
MAX_LINES_PER_MODULE = 400


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_no_import_cycle_between_modules(graph: grimp.ImportGraph) -> None:
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.add(" -> ".join((module, *chain)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check above can fail: a graph with a cycle through three modules is reported."""
    graph = grimp.ImportGraph()
    for importer, imported in (("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x")):
        graph.add_import(importer=importer, imported=imported)
    assert graph.find_shortest_chain(importer="a.y", imported="a.x") == ("a.y", "a.z", "a.x")


def _folders() -> list[Path]:
    return [p for name in PACKAGES for p in [ROOT / name, *(ROOT / name).rglob("*")]
            if p.is_dir() and (p / "__init__.py").exists()]  # fmt: skip


def test_no_folder_holds_more_than_twelve_modules() -> None:
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder in _folders()
        if (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_FOLDER
    }
    assert not crowded, crowded


def test_no_module_over_four_hundred_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in _folders()
        for path in folder.glob("*.py")
        if (lines := len(path.read_text("utf-8").splitlines())) > MAX_LINES_PER_MODULE
    }
    assert not long, long
