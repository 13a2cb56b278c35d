"""The text core stands alone: the site uses it without the book builder (anthology.text)."""

from __future__ import annotations

import ast
from pathlib import Path

import anthology.text

FOLDER = Path(anthology.text.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module an import statement of `path` names, inside functions too."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names.add(node.module or "")
    return names


def test_the_text_core_imports_nothing_else_of_anthology_nor_the_site() -> None:
    found = {}
    for path in sorted(FOLDER.glob("*.py")):
        outside = {
            name
            for name in _imports(path)
            if name.split(".")[0] in ("stories", "flask")
            or (name.split(".")[0] == "anthology" and not name.startswith("anthology.text"))
        }
        if outside:
            found[path.name] = sorted(outside)
    assert len(list(FOLDER.glob("*.py"))) >= 5
    assert found == {}
