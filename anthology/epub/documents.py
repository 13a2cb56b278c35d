"""The plain data of an EPUB being written: a content document (`Doc`), an entry of the table of
contents (`NavEntry`), and the folder of the package inside the container (`PACKAGE_DIR`).

The shelf (phase one) and the package files (phase two) both use them; the package files read
the shelf, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PACKAGE_DIR = "EPUB"  # EPUB/package.opf, EPUB/text/*.xhtml, EPUB/css/book.css ...


@dataclass
class Doc:
    """One XHTML content document; `data` is filled when it is rendered (the nav document last)."""

    id: str  # manifest id, and the key into chapter_pages
    title: str
    file: str  # file name inside text/
    data: bytes = b""
    linear: bool = True


@dataclass
class NavEntry:
    """An entry of the table of contents (nav and NCX), with the entries nested under it."""

    label: str
    doc: Doc
    children: list[NavEntry] = field(default_factory=list)
