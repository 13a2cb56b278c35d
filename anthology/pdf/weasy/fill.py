"""Write figures known only after layout into laid-out pages (the imprint's 印张 and 字数).

The imprint page is laid out before the book's page count is final (anthology.pdf.imprint).
Its figures are one-line, left-aligned table cells marked `data-fill="<key>"`; `fill` replaces
the text of each such cell in WeasyPrint's page tree (the text box's Pango layout included, so
that it is drawn with its real glyphs) before the PDF is drawn.
"""

from __future__ import annotations

from anthology.pdf.weasy.folios import _text_boxes, _text_width


def fill(document, values: dict[str, str]) -> int:
    """Put `values` (key -> text) into the `data-fill` cells of `document`; returns how many."""
    from weasyprint.formatting_structure import boxes

    done = 0
    for page in document.pages:
        for cell in _cells(page._page_box, boxes):
            key = cell.element.get("data-fill")
            texts = list(_text_boxes(cell, boxes))
            if key not in values or not texts:
                continue
            first, rest = texts[0], texts[1:]
            first.width = _text_width(first, values[key])
            first.text = values[key]
            for extra in rest:  # a figure laid out in pieces: the first piece holds it all
                extra.text = ""
                extra.width = 0
                extra.pango_layout.text = ""
            done += 1
    return done


def _cells(box, boxes):
    element = getattr(box, "element", None)
    if (isinstance(box, boxes.BlockContainerBox) and element is not None
            and element.get("data-fill") is not None):  # fmt: skip
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _cells(child, boxes)
