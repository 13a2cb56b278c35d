"""Page-break markers where the print edition's pages begin (from anthology.pdf's
`PdfResult.page_starts`, see anthology.pdf.weasy.pagemap).

A page begins in a document (chapter, part, front page), in the `block`-th top-level element of
the chapter's text (-1: at the document's start), after `offset` characters of that element
(whitespace not counted). The same characters are counted here, in the EPUB's XHTML: note
references (①, generated in print) are skipped, as print skips its footnote calls.
"""

from __future__ import annotations

import re

from lxml import etree

from anthology.epub.xhtml import EPUB_TYPE, x

_SPACE = re.compile(r"\s")


def marker(marker_id: str, label: str) -> etree._Element:
    span = etree.Element(x("span"), {"id": marker_id, "role": "doc-pagebreak"})
    span.set(EPUB_TYPE, "pagebreak")
    span.set("aria-label", label)
    span.set("title", label)
    return span


def at_start(section: etree._Element, span: etree._Element) -> None:
    """Put the marker first in `section` (before its heading)."""
    span.tail = section.text
    section.text = None
    section.insert(0, span)


def place(section: etree._Element, blocks: list[etree._Element], block: int, offset: int,
          span: etree._Element) -> None:  # fmt: skip
    """Put the marker before the `offset`-th character of `blocks[block]` (else at the start)."""
    if block < 0 or block >= len(blocks):
        at_start(section, span)
        return
    element = blocks[block]
    if not _insert(element, offset, span):
        element.append(span)  # past its last character: at its end


def _insert(node: etree._Element, remaining: int, span: etree._Element) -> bool | int:
    """Insert `span` before the `remaining`-th counted character in `node`; returns True when
    done, else the count still to go."""
    position = _index(node.text or "", remaining)
    if position is not None:
        span.tail = (node.text or "")[position:]
        node.text = (node.text or "")[:position] or None
        node.insert(0, span)
        return True
    remaining -= _count(node.text)
    for index, child in enumerate(list(node)):
        if not _skipped(child):
            done = _insert(child, remaining, span)
            if done is True:
                return True
            remaining = done
        position = _index(child.tail or "", remaining)
        if position is not None:
            span.tail = (child.tail or "")[position:]
            child.tail = (child.tail or "")[:position] or None
            node.insert(index + 1, span)
            return True
        remaining -= _count(child.tail)
    return remaining


def _skipped(element: etree._Element) -> bool:
    """Note references: their number is generated text in print."""
    if element.get(EPUB_TYPE) == "noteref":
        return True
    return element.tag == x("sup") and any(c.get(EPUB_TYPE) == "noteref" for c in element)


def _count(text: str | None) -> int:
    return len(_SPACE.sub("", text or ""))


def _index(text: str, remaining: int) -> int | None:
    """Index in `text` of its `remaining`-th counted character (0-based), if it has one."""
    seen = 0
    for index, char in enumerate(text):
        if _SPACE.match(char):
            continue
        if seen == remaining:
            return index
        seen += 1
    return None
