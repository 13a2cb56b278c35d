"""Footnotes numbered from ① on every page (recipe `[page] footnote_numbering = "page"`).

WeasyPrint numbers footnotes while it builds boxes, before layout, so its `footnote` counter can
only restart per element (the CSS restarts it per chapter); `@page { counter-reset: footnote }`
has no effect (WeasyPrint issue #2553: page contexts do not see the document's counters). So
`install()` wraps `layout_document` as `weasyprint.document` imports it (a generator of
the laid-out page boxes; the root box's element is the `<html>`): when the `<body>` says
`data-footnotes="page"`, `per_page` renumbers them in the page tree, as `folios` does folios:
on each page the calls in the text (`::footnote-call`) are numbered ①, ②, ... in reading order
and each note's marker (`::footnote-marker`) gets its call's number. The circled numbers all
have the width of one Han character, so no line moves.

Where the layout allows: a note that did not fit under its call and was carried to the next page
keeps its call's number, and that next page carries on from it (restarting there would print
two ① on one page). A chunk of the chunked build starts on a new page of its own, so numbering
a chunk's pages gives the same numbers as the single pass.
"""

from __future__ import annotations

from anthology.pdf.weasy.folios import _set_text, _text_boxes, _text_width
from anthology.sources.manuscript import CIRCLED

CALL, MARKER = "::footnote-call", "::footnote-marker"
_installed = False


def install() -> None:
    """Patch WeasyPrint once per process (idempotent); justify.install calls it."""
    global _installed
    if _installed:
        return
    from weasyprint import document

    original = document.layout_document

    def layout_document(html, root_box, context, *args, **kwargs):
        pages = original(html, root_box, context, *args, **kwargs)  # a generator
        if _numbering(root_box.element) != "page":
            return pages
        pages = list(pages)
        per_page(pages)
        return pages

    document.layout_document = layout_document
    _installed = True


def _numbering(root) -> str | None:
    for child in root if root is not None else ():
        if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "body":
            return child.get("data-footnotes")
    return None


def per_page(pages) -> int:
    """Renumber the footnotes of laid-out `pages` (page boxes) page by page; returns how many
    numbers changed."""
    from weasyprint.formatting_structure import boxes

    changed = 0
    numbers: dict[int, int] = {}  # id(note element) -> its number
    carried = 0  # the last number of a page whose notes went on to the next one
    for page in pages:
        calls, markers = [], []
        _find(page, boxes, calls, markers)
        number = carried
        for call in calls:
            element = id(call.element)
            if element not in numbers:  # a call split over two pages is one call
                number += 1
                numbers[element] = number
            changed += _renumber(call, numbers[element], boxes)
        marked = {id(marker.element) for marker in markers}
        carried = number if any(id(c.element) not in marked for c in calls) else 0
        for marker in markers:
            if id(marker.element) in numbers:
                changed += _renumber(marker, numbers[id(marker.element)], boxes)
    return changed


def _find(box, boxes, calls: list, markers: list) -> None:
    tag = getattr(box, "element_tag", "") or ""
    if tag.endswith(CALL):
        calls.append(box)
        return
    if tag.endswith(MARKER):
        markers.append(box)
        return
    for child in getattr(box, "children", ()):
        _find(child, boxes, calls, markers)


def _renumber(box, number: int, boxes) -> int:
    """Put `number` in place of the circled number that starts `box`'s text."""
    for text_box in _text_boxes(box, boxes):
        old = text_box.text
        if not old:
            continue
        symbol = CIRCLED[number - 1] if number <= len(CIRCLED) else str(number)
        head = old[0] if old[0] in CIRCLED else old.rstrip("\u2002 ")
        if head == symbol:
            return 0
        new = symbol + old[len(head) :]
        width = _text_width(text_box, new)
        _set_text(text_box, new, width)
        return 1
    return 0
