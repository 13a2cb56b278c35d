"""Dot leaders that end a fixed distance before the page number (the table of contents).

WeasyPrint places a leader's repetitions on a grid counted from the right edge of the line, so
the gap between the last dot and the number is whatever is left of a repetition: 1-3 pt before
a one- or two-digit number, 9-12 pt before a three-digit one. Chinese tables of contents keep
the gap the same whatever the number. `install()` re-places the repetitions after WeasyPrint's
`layout.inline.handle_leader` (as `layout.inline` imports it): as many as fit, the last one
ending `GAP_EM` before the number. `positions` is the rule, shared with
anthology.pdf.weasy.folios (the chunked build puts the real numbers into a laid-out TOC).

Installed with anthology.pdf.weasy.justify, for every build (the benchmark's stock reference
too: it is part of the book's design, not a speed-up), before anthology.pdf.weasy.speedups
wraps `handle_leader`.
"""

from __future__ import annotations

GAP_EM = 0.25  # between the last dot and the page number, in ems of the entry's font size
_installed = False


def positions(left: float, width: float, unit: float, font_size: float) -> list[float]:
    """The x of each repetition (`unit` wide) in a leader box at `left`, `width` wide."""
    if unit <= 0:
        return []
    end = left + width - GAP_EM * font_size
    count = max(0, int((end - left) // unit))
    return [end - (count - i) * unit for i in range(count)]


def place(leader) -> None:
    """Re-place the repetitions of a laid-out leader box (its width is final)."""
    if not leader.children:
        return
    template = min(leader.children, key=lambda box: box.position_x)
    xs = positions(leader.position_x, leader.width, template.width, leader.style["font_size"])
    children = []
    for x in xs:
        copy = template.copy()
        copy.position_x = x
        children.append(copy)
    leader.children = tuple(children)


def install() -> None:
    """Patch WeasyPrint once per process (idempotent)."""
    global _installed
    if _installed:
        return
    from weasyprint.layout import inline
    from weasyprint.layout.leader import leader_index

    original = inline.handle_leader

    def handle_leader(context, line, containing_block):
        original(context, line, containing_block)
        _index, leader = leader_index(line)
        if leader is not None:
            place(leader)

    inline.handle_leader = handle_leader
    _installed = True
