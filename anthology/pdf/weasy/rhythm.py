"""Figures and tables that keep the text on its line grid (vertical rhythm).

The book's body has an absolute line pitch (`Geometry.pitch`) and a text block a whole number of
lines high, and every space in the CSS is a whole number of lines; but a picture, its caption
and a table are as high as they are, so the lines after them would leave the grid and no longer
face the lines of the opposite page. `install()` wraps `layout.block.block_level_layout` (as
`layout.block._in_flow_layout` calls it): once a block marked `data-grid` (anthology.pdf.html
marks the chapters' `<figure>` and `<table>`) is laid out whole, its height grows to end on the
next line of the page's grid, the grid of the page's text block (whose foot, `page_bottom`, is
on it), and its content moves down by half the added space, so it sits centred in whole lines.
The pitch is the box's `line-height` (absolute in the book's CSS).

A block that overflows the page after growing goes to the next page, as any block would. The
layout of everything else is unchanged.
"""

from __future__ import annotations

import math

_installed = False


def install() -> None:
    """Patch WeasyPrint once per process (idempotent); justify.install calls it."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import block

    original = block.block_level_layout

    def block_level_layout(context, box, *args, **kwargs):
        result = original(context, box, *args, **kwargs)
        new_box, resume_at = result[0], result[1]
        if new_box is not None and resume_at is None and _marked(box):
            to_grid(new_box, context.page_bottom)
        return result

    block.block_level_layout = block_level_layout
    _installed = True


def _marked(box) -> bool:
    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", "")
    if element is None or element.get("data-grid") is None:
        return False
    return tag == "figure" or (tag == "table" and box.is_table_wrapper)


def to_grid(box, page_bottom: float) -> float:
    """Grow `box` (laid out) to end, margin included, on a line of the grid whose lines are
    `page_bottom` minus whole pitches; returns the added height."""
    pitch = _pitch(box)
    if not pitch:
        return 0.0
    end = box.border_box_y() + box.border_height() + box.margin_bottom
    lines = (page_bottom - end) / pitch
    extra = (lines - math.floor(lines + 1e-6)) * pitch
    if extra < 0.01:
        return 0.0
    for child in box.children:
        child.translate(dy=extra / 2)
    box.height += extra
    return extra


def _pitch(box) -> float:
    height = box.style["line_height"]
    unit = getattr(height, "unit", None)
    return float(height.value) if unit == "px" else 0.0
