"""Left- and right-hand pages after layout: one side's running head and folio kept, and a
laid-out page moved to the other side.

A page's side changes two things only: its inner and outer margins swap, and its margin boxes
(the book's title at the top left and the folio at the bottom left of a left-hand page, the
chapter's title and the folio at the right of a right-hand page). The stylesheet gives every
page all four margin boxes, so WeasyPrint lays out both sides' heads and folios on every page;
`keep_side` then drops the other side's. Every pass does this (the single pass, the front
matter, the chunks), so each kept box is laid out the same way whichever pass made the page.

That makes the layout of a run of pages independent of the side it begins on: a chunk that
begins at a story opening on the next page (anthology.pdf.chunks) is laid out from a right-hand
page before the chunks ahead of it are counted, and when its first page turns out to be a
left-hand one, `keep_side(document, mirror=True)` moves every page to the other side: its
content, footnotes and margin boxes are translated by the difference of its margins (which then
swap), its backgrounds placed again, its links and anchors gathered again, and the boxes of
its new side kept. (A chunk that holds a right-hand start after its first block is never
mirrored: the blank versos before it would fall elsewhere; the plan does not make one.)
"""

from __future__ import annotations

from anthology.errors import BuildError

LEFT = ("@top-left", "@bottom-left")
RIGHT = ("@top-right", "@bottom-right")


def keep_side(document, mirror: bool = False) -> None:
    """Keep each page's own side's margin boxes; with `mirror`, first put every page of
    `document` on the other side."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.background import layout_backgrounds

    for index, page in enumerate(document.pages):
        page_box = page._page_box
        side = page_box.page_type.side
        if mirror:
            side = "left" if side == "right" else "right"
            shift = page_box.margin_right - page_box.margin_left
            for child in page_box.children:
                child.translate(shift, 0)
            page_box.margin_left, page_box.margin_right = (
                page_box.margin_right,
                page_box.margin_left,
            )
            page_box.page_type = page_box.page_type._replace(side=side)
        drop = RIGHT if side == "left" else LEFT
        page_box.children = tuple(
            child
            for child in page_box.children
            if not (isinstance(child, boxes.MarginBox) and child.at_keyword in drop)
        )
        if mirror:
            layout_backgrounds(page_box, _no_images)
            document.pages[index] = Page(page_box)


def _no_images(url: str, **_options):
    """The book's stylesheet has no background or border images to fetch again."""
    raise BuildError(f"a mirrored page cannot fetch its background image again: {url[:200]}")
