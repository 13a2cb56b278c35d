"""Output-neutral speed-ups of WeasyPrint for our books: the same pages, less work.

- Page styles once per kind of page. WeasyPrint gives every page its own page type (side,
  blank, name, *index*, page groups), so it computes the styles of the page and of its sixteen
  margin boxes again for every page, and every property of them again, lazily, while laying out
  the margin boxes: about a tenth of the layout time of a book. When no `@page` rule selects
  pages by index (`:nth()`), the styles depend only on the side, blankness, page name and
  whether the page is the document's first, so the style objects of the first page of the same
  kind are reused.
- One text box per dot leader. WeasyPrint fills a leader with one text box per repetition of
  its string (ten thousand boxes in the table of contents of a 400-story volume, each shaped
  and drawn on its own); the repetitions are contiguous, so one box holding the repeated
  string draws the same dots.
- One Pango font description per font instead of one per line (Pango copies it anyway).
- Lines drawn with the layout that measured them. WeasyPrint frees each line's Pango layout
  after measuring it and builds and shapes it again to draw it; in a chunk the layouts are
  kept, set up for drawing from the start (one paragraph), and shaped again only when the
  line is justified (its spacing changed) or its text was changed (folios).

They wrap WeasyPrint internals (`layout.page.set_page_type_computed_styles`,
`layout.leader.handle_leader` as imported by `layout.inline`, `get_font_description` as
imported by `text.line_break`, and `set_text`, `deactivate` and `reactivate` of
`text.line_break.Layout`). Our builds install them; the reference of
bench/build.py and of the tests is stock WeasyPrint, with which the pages are compared (boxes,
text and its positions, rasters).
"""

from __future__ import annotations

import copy
import re

_originals: dict[str, object] = {}  # WeasyPrint's functions, while the patches are installed


def install(layouts: bool = True) -> None:
    """Patch WeasyPrint in this process (idempotent).

    layouts=False leaves out the kept Pango layouts, which hold the memory of every line until
    the document is drawn: right for a chunk, not for a whole book in one pass.
    """
    from weasyprint.layout import inline
    from weasyprint.layout import page as page_layout

    if layouts and "layout" not in _originals:
        _keep_layouts()
    elif not layouts and "layout" in _originals:
        _restore_layouts()
    if "styles" in _originals:
        return
    original_styles = page_layout.set_page_type_computed_styles
    original_leader = inline.handle_leader
    _originals.update(styles=original_styles, leader=original_leader)

    def set_page_type_computed_styles(page_type, html, style_for):
        known = style_for.__dict__.setdefault("_anthology_page_styles", {})
        if "by_index" not in known:
            known["by_index"] = _selects_by_index(style_for)
        if known["by_index"]:
            return original_styles(page_type, html, style_for)
        kind = (page_type.side, page_type.blank, page_type.name, page_type.index == 0)
        styles = known.get(kind)
        computed = style_for.get_computed_styles()
        if styles is None:
            original_styles(page_type, html, style_for)
            known[kind] = [(pseudo, style) for (element, pseudo), style in computed.items()
                           if element == page_type]  # fmt: skip
            return None
        for pseudo, style in styles:
            computed[page_type, pseudo] = style
        return None

    def handle_leader(context, line, containing_block):
        original_leader(context, line, containing_block)
        _merge_leader(line)

    page_layout.set_page_type_computed_styles = set_page_type_computed_styles
    inline.handle_leader = handle_leader
    _share_font_descriptions()


def _share_font_descriptions() -> None:
    """One Pango font description per font, not one per line: Pango copies it into each layout."""
    from weasyprint.text import line_break

    original = line_break.get_font_description
    _originals["description"] = original
    known: dict[tuple, object] = {}

    def get_font_description(style):
        variations = style["font_variation_settings"]
        key = (tuple(style["font_family"]), style["font_style"], style["font_stretch"],
               style["font_weight"], style["font_size"], style["font_variant_caps"],
               variations if variations == "normal" else tuple(map(tuple, variations)))  # fmt: skip
        description = known.get(key)
        if description is None:
            description = known[key] = original(style)
        return description

    line_break.get_font_description = get_font_description


def _keep_layouts() -> None:
    """Draw each line with the Pango layout that measured it, instead of shaping it again."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import pango

    layout_class = line_break.Layout
    original = {name: getattr(layout_class, name) for name in ("set_text", "deactivate",
                                                                "reactivate")}  # fmt: skip
    _originals["layout"] = original

    def set_text(self, text, justify=False):
        # One paragraph, as draw_first_line wants it: set before Pango lays the text out, so
        # that drawing does not lay it out again (no effect without paragraph separators).
        single = not _PARAGRAPH_BREAK.search(text)
        pango.pango_layout_set_single_paragraph_mode(self.layout, single)
        original["set_text"](self, text, justify)
        self.shaped = (self.text, bool(justify and self.justification_spacing), single)

    def deactivate(self):
        pass  # keep the layout for drawing; it is freed with its text box

    def reactivate(self, style):
        shaped = getattr(self, "shaped", None)
        if shaped is None or getattr(self, "layout", None) is None or style is not self.style:
            return original["reactivate"](self, style)
        text, justified, single = shaped
        if text == self.text and single and justified == bool(self.justification_spacing):
            return None  # what WeasyPrint would set again: the same text, spacing and lines
        pango.pango_layout_set_width(self.layout, -1)
        return self.set_text(self.text, justify=True)

    layout_class.set_text = set_text
    layout_class.deactivate = deactivate
    layout_class.reactivate = reactivate


_PARAGRAPH_BREAK = re.compile("[\n\r\x1c-\x1e\x85\u2028\u2029]")


def uninstall() -> None:
    """Give WeasyPrint its own functions back (for a stock reference pass)."""
    from weasyprint.layout import inline
    from weasyprint.layout import page as page_layout

    if "layout" in _originals:
        _restore_layouts()
    if "styles" in _originals:
        from weasyprint.text import line_break

        page_layout.set_page_type_computed_styles = _originals.pop("styles")
        inline.handle_leader = _originals.pop("leader")
        line_break.get_font_description = _originals.pop("description")


def _restore_layouts() -> None:
    from weasyprint.text import line_break

    for name, function in _originals.pop("layout").items():
        setattr(line_break.Layout, name, function)


def _selects_by_index(style_for) -> bool:
    """Whether an @page rule of the document selects pages by their index (`:nth()`)."""
    for sheet, _origin, _specificity in style_for._sheets:
        for _rule, selector_list, _declarations in sheet.page_rules:
            for _specificity, _pseudo, selector in selector_list:
                if selector.index is not None:
                    return True
    return False


def _merge_leader(line) -> None:
    """Replace the repetitions of the line's leader string by one text box."""
    from weasyprint.layout.leader import leader_index

    _index, leader = leader_index(line)
    if leader is None or len(leader.children) < 2:
        return
    copies = sorted(leader.children, key=lambda box: box.position_x)
    first, last = copies[0], copies[-1]
    unit = (first.text, first.width)
    leader.children = (leader_run(first, unit, len(copies), first.position_x,
                                  last.position_x + last.width - first.position_x),)  # fmt: skip


def leader_run(template, unit: tuple[str, float], count: int, position_x: float, width: float):
    """One text box holding `count` repetitions of a leader's string (`unit`: string, width),
    made from one of its repetitions; also used by anthology.pdf.weasy.folios.rewrite_toc."""
    merged = template.copy()
    merged.leader_unit = unit
    merged.text = unit[0] * count
    merged.position_x = position_x
    merged.width = width
    merged.pango_layout = layout = copy.copy(template.pango_layout)
    layout.text = merged.text
    for name in ("layout", "language", "style", "shaped"):  # a Pango layout of its own
        layout.__dict__.pop(name, None)
    return merged
