"""Rewrite page numbers in laid-out pages without laying them out again.

The front matter is laid out while the chunks are, with estimated page numbers in the table of
contents (and the contributors list with estimated pages of the stories); `rewrite_toc` (and
`rewrite_pages`) puts the real numbers in, moves each number to stay flush right and
refills its dot leader as WeasyPrint's `layout.leader.handle_leader` would have. It refuses
(returns False) where the layout itself could differ: an entry of more than one line whose
number changes width, or a line the new number no longer fits.
"""

from __future__ import annotations

from anthology.pdf.weasy.leaders import positions
from anthology.pdf.weasy.speedups import leader_run


def _text_boxes(box, boxes):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, boxes)


def rewrite_toc(document, numbers: dict[str, str]) -> bool:
    """Put `numbers` (chapter id -> folio) into the TOC entries (`a[data-page]`) of `document`.

    Returns False, having changed nothing that matters, when the pages must be laid out again.
    """
    return rewrite_pages([page._page_box for page in document.pages], numbers)


def rewrite_pages(pages, numbers: dict[str, str]) -> bool:
    """`rewrite_toc` on page boxes: every `a[data-page]` (the contents, the contributors
    list's stories) gets the number of its `data-ref` from `numbers`."""
    from weasyprint.formatting_structure import boxes

    entries = [entry for page in pages for entry in _toc_entries(page, boxes)]
    fragments: dict[int, int] = {}  # an entry split over two pages has two boxes
    for entry in entries:
        fragments[id(entry.element)] = fragments.get(id(entry.element), 0) + 1
    changes = []
    for entry in entries:
        id_ = entry.element.get("data-ref", "").lstrip("#")
        if id_ not in numbers:
            return False
        lines = [c for c in entry.children if isinstance(c, boxes.LineBox)]
        found = _number_and_leader(lines[-1], boxes) if lines else None
        if found is None:
            continue  # the first part of an entry split over two pages
        number, leader = found
        if number.text != str(numbers[id_]):
            single = len(lines) == 1 and fragments[id(entry.element)] == 1
            changes.append((lines[-1], number, leader, str(numbers[id_]), single))
    plans = []
    for line, number, leader, text, single in changes:
        width = _text_width(number, text)
        delta = width - number.width
        unit = _leader_unit(leader)
        if delta and (not single or unit is None or leader.width - delta < unit[1]):
            return False
        plans.append((line, number, leader, text, width, delta, unit))
    for line, number, leader, text, width, delta, unit in plans:
        _set_text(number, text, width)
        if delta:
            leader.width -= delta
            number.position_x = leader.position_x + leader.width
            _refill(line, leader, unit)
    return True


def _toc_entries(box, boxes):
    """The block boxes of TOC links with a page number to fill in, in `box`."""
    if (isinstance(box, boxes.BlockBox) and box.element_tag == "a"
            and box.element is not None and box.element.get("data-page") is not None):  # fmt: skip
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _toc_entries(child, boxes)


def _number_and_leader(line, boxes):
    """(number text box, leader box) of a TOC line: the leader and what follows it."""
    for inline in line.children:
        children = getattr(inline, "children", ())
        for i, child in enumerate(children):
            if getattr(child, "is_leader", False):
                rest = [c for c in children[i + 1 :] if isinstance(c, boxes.TextBox)]
                return (rest[-1], child) if rest else None
    return None


def _leader_unit(leader) -> tuple[str, float] | None:
    """(string, width) of one repetition of the leader, if the line has any."""
    if not leader.children:
        return None
    first = leader.children[0]
    unit = getattr(first, "leader_unit", None)
    if unit is not None:
        return unit
    return (first.text, first.width) if len(leader.children) == 1 else None


def _text_width(text_box, text: str) -> float:
    """The width of `text` set in `text_box`'s font (its Pango layout now holds `text`)."""
    from weasyprint.text.line_break import line_size

    layout = text_box.pango_layout
    layout.text = text
    layout.reactivate(text_box.style)
    line, _ = layout.get_first_line()
    width, _ = line_size(line, text_box.style)
    layout.deactivate()
    return width


def _set_text(text_box, text: str, width: float) -> None:
    text_box.text = text
    text_box.pango_layout.text = text
    text_box.width = width


def _refill(line, leader, unit: tuple[str, float]) -> None:
    """The leader's repetitions as `handle_leader` (with anthology.pdf.weasy.leaders) places
    them, as one text box."""
    _text, width = unit
    template = leader.children[0]
    xs = positions(leader.position_x, leader.width, width, leader.style["font_size"])
    if not xs:
        leader.children = ()
        return
    run = leader_run(template, unit, len(xs), xs[0], xs[-1] + width - xs[0])
    leader.children = (run,)
