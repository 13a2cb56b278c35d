"""Where the project's data folders are: `templates/` and `content/`.

In a checkout they are the repository's top-level folders. A wheel carries them inside this
package as `anthology/share/templates` and `anthology/share/content` (see `pyproject.toml`), so an
installed copy finds its templates, the demo volume and the demo stories without a checkout.
Only paths are computed here: nothing is imported or read.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "share"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(name: str) -> Path:
    packaged = _PACKAGED / name
    return packaged if packaged.is_dir() else _CHECKOUT / name


TEMPLATES = _folder("templates")
"""templates/: `web/` for the site, `book/` for the PDF and EPUB (`book/epub/`)."""

CONTENT = _folder("content")
"""content/: history chapters, front and back matter, volume recipes and the demo stories."""


def checkout() -> Path | None:
    """The repository this package runs from, or None for an installed wheel."""
    return None if _PACKAGED.is_dir() else _CHECKOUT
