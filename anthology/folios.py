"""Renumber the folios of a laid-out chunk without laying it out again.

A chunk of the body is laid out as its own document, so its pages count from 1. Its real first
folio is known only when the chunks before it have been laid out (every chunk starts on a
recto, so the layout itself does not depend on that number). `renumber` then rewrites the text
of the folio boxes (@bottom-left / @bottom-right, digits only) in WeasyPrint's page tree and
keeps each folio aligned as the CSS placed it, before the PDF is drawn.
"""

from __future__ import annotations

FOLIO_BOXES = ("@bottom-left", "@bottom-right", "@bottom-center")


def renumber(document, first_folio: int) -> int:
    """Add `first_folio - 1` to every arabic folio of `document`; returns how many changed."""
    if first_folio == 1:
        return 0
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.line_break import line_size

    offset = first_folio - 1
    changed = 0
    for page in document.pages:
        for margin in page._page_box.children:
            if not isinstance(margin, boxes.MarginBox) or margin.at_keyword not in FOLIO_BOXES:
                continue
            for text_box in _text_boxes(margin, boxes):
                if not text_box.text.isdigit():
                    continue
                new = str(int(text_box.text) + offset)
                layout = text_box.pango_layout
                layout.text = new
                layout.reactivate(text_box.style)
                line, _ = layout.get_first_line()
                width, _ = line_size(line, text_box.style)
                layout.deactivate()
                align = margin.style["text_align_all"]
                shift = text_box.width - width
                if align in ("right", "end"):
                    text_box.position_x += shift
                elif align == "center":
                    text_box.position_x += shift / 2
                text_box.text = new
                text_box.width = width
                changed += 1
    return changed


def _text_boxes(box, boxes):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, boxes)
