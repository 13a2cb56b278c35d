"""Where a chunk's pages fall in the book, decided between its pagination and its margin boxes.

A chunk of the body (anthology.pdf.chunks) is laid out as its own document, from a right-hand
page, before the chunks ahead of it are counted. Its first folio, and so the side of its first
page, is known only once they are. The pagination (line and page breaks, footnotes: the cost)
does not depend on either: a page's side changes only its margins, which swap (the text block
is as wide on both sides), and its margin boxes (the running head and the folio are on the
outer side, with different content). WeasyPrint lays the margin boxes out after the whole
document is paginated, page by page, so `placing(callback)` waits there:

- `callback(pages)` is called once the chunk is paginated, before the first margin box, with
  the laid-out page boxes; it returns the chunk's first folio (the worker publishes the page
  count and waits for the chunks before it there);
- when that folio is even (a chunk that begins at a story opening on the next page, after a
  page of the book with an odd folio), every page is moved to the other side: it takes the
  other side's page type and style, its margins swap, and everything on it moves by their
  difference; its backgrounds are laid out after that, as always;
- the page counter of every margin box is offset by the folio, so the folios are the book's
  (WeasyPrint lays them out; nothing is rewritten later).

The margin boxes, the backgrounds, the anchors and links (Page objects) are then made by
WeasyPrint as for any document: each page is what the single pass makes of it. A chunk never
holds a right-hand start after its first block (the plan begins a new chunk there), so the
blank versos inside a chunk do not depend on its side.

WeasyPrint internals (70.0): wraps `layout.make_all_pages` and `layout.make_margin_boxes` as
`layout` (layout_document) imports them; reads `LayoutContext.current_page`, the page boxes'
`page_type` (a named tuple), `style`, `margin_left`, `margin_right` and `children`, the page
state's counter values (`state[1]["page"]`), `Box.translate`, and calls
`layout.page.set_page_type_computed_styles` and `context.style_for`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_callback: list[Callable] = []  # the callback of the render in progress in this process
_installed = False


def install() -> None:
    """Patch WeasyPrint once per process (idempotent); without `placing`, a no-op."""
    global _installed
    if _installed:
        return
    from weasyprint import layout

    original_pages = layout.make_all_pages
    original_margins = layout.make_margin_boxes

    def make_all_pages(context, root_box, html, pages):
        if _callback and not hasattr(context, "_anthology_place"):
            context._anthology_place = _callback[-1]
        if not hasattr(context, "_anthology_place"):
            yield from original_pages(context, root_box, html, pages)
            return
        context._anthology_html = html
        context._anthology_pages = []  # this pass's pages (a repagination makes them again)
        for page in original_pages(context, root_box, html, pages):
            context._anthology_pages.append(page)
            yield page

    def make_margin_boxes(context, page, state):
        place = getattr(context, "_anthology_place", None)
        if place is None:
            return original_margins(context, page, state)
        if not hasattr(context, "_anthology_offset"):
            pages = context._anthology_pages
            folio = place(pages)
            if folio % 2 == 0:
                _mirror(context, pages)
            context._anthology_offset = folio - 1
        return original_margins(context, page, _offset(state, context._anthology_offset))

    layout.make_all_pages = make_all_pages
    layout.make_margin_boxes = make_margin_boxes
    _installed = True


@contextmanager
def placing(callback: Callable[[list], int]) -> Iterator[None]:
    """While the block runs, the document that WeasyPrint lays out is placed by `callback`
    (called with its page boxes once paginated; returns its first folio)."""
    install()
    _callback.append(callback)
    try:
        yield
    finally:
        _callback.pop()


def _mirror(context, pages) -> None:
    """Every page on the other side: its page type and style, margins swapped, content moved."""
    from weasyprint.layout import page as page_layout

    for page in pages:
        side = "left" if page.page_type.side == "right" else "right"
        page_type = page.page_type._replace(side=side)
        page_layout.set_page_type_computed_styles(page_type, context._anthology_html,
                                                  context.style_for)  # fmt: skip
        page.page_type = page_type
        page.style = context.style_for(page_type)
        shift = page.margin_right - page.margin_left
        page.margin_left, page.margin_right = page.margin_right, page.margin_left
        for child in page.children:
            child.translate(shift, 0)


def _offset(state, offset: int):
    """The page state with the page counter moved on by `offset` (for the margin boxes)."""
    if not offset:
        return state
    state = copy.deepcopy(state)
    counters = state[1]
    if counters.get("page"):
        counters["page"] = [*counters["page"][:-1], counters["page"][-1] + offset]
    return state
