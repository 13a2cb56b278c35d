"""Inter-character justification for Chinese text in WeasyPrint.

WeasyPrint justifies a line only by widening its spaces; a Chinese line has none, so justified
Chinese text ends ragged wherever a line is a little short (line-breaking rules push a character
down, or Latin letters and digits change the widths). Chinese books spread the extra width over
the gaps between characters. `install()` teaches WeasyPrint to do that: Han characters, CJK
punctuation and thin spaces count as expansion opportunities, and the extra width is added after
each of them as Pango letter spacing (only when drawing; line breaking is unchanged).

This touches three WeasyPrint internals (`layout.inline.count_expandable_spaces`,
`layout.inline.justify_line` and `text.line_break.Layout.set_text`); tests/book/test_pdf.py checks
the right edge of real output.

A line-end mark set half-width (W3C clreq 3.1.6), tried before a character is pushed down:
where Pango breaks a line before "X，" (a character and a closing mark, which may not begin a
line) and the line with X and the mark at half width fits the measure, that line is taken, its
last mark set with the font's OpenType `halt`. This wraps `split_first_line` as
`layout.inline` imports it (and uses `text.line_break.create_layout`, `first_line_metrics`,
`line_size`, `Layout.get_first_line`, Pango attribute lists); the mark's byte range is kept on
the `Layout` (`halt_end`) and set again by `set_text`, since WeasyPrint sets a layout's text
again to justify and to draw it. On a pure character grid the mark needs another half em on
its line (a compressed pair, Latin letters or digits); tests/book/test_typesetting.py makes one.
"""

from __future__ import annotations

import re

from anthology.pdf.weasy import leaders, notes, rhythm
from anthology.text.lines import CLOSING, HAN, OPENING

EXPANDABLE = "\u2009\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_EXPANDABLE = re.compile(f"[{EXPANDABLE}]")
_EXPANDABLE_RUN = re.compile(f"[{EXPANDABLE}]+".encode())
_PUSHED = re.compile(f"[{HAN}][{CLOSING}](?![{CLOSING}…—])")  # "X，" not followed by a mark
# A line with "X，" in is at least as wide as the line without plus "X，" alone, less any kerning
# between them (none in CJK fonts; this much is allowed for): a wider sum is not worth a layout.
_SLACK = 0.01
_widths: dict[tuple, float] = {}  # the width of "X，" by font (anthology fonts never change)
_installed = False


def install() -> None:
    """Patch WeasyPrint once per process (idempotent)."""
    global _installed
    if _installed:
        return
    leaders.install()  # the book's leaders too, before anything else wraps handle_leader
    notes.install()  # and footnotes numbered per page when the book asks for it
    rhythm.install()  # and figures and tables a whole number of lines high
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import TO_UNITS, pango

    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text

    def count_expandable_spaces(box):
        count = original_count(box)
        if isinstance(box, boxes.TextBox):
            count += len(_EXPANDABLE.findall(box.text))
        return count

    def set_text(self, text, justify=False):
        original_set_text(self, text, justify)
        halt_end = getattr(self, "halt_end", None)
        if halt_end is not None and len(self.text.encode()) >= halt_end[1]:
            _halt(pango, self.layout, halt_end)
        if not (justify and self.justification_spacing and self.text):
            return
        attr_list = pango.pango_layout_get_attributes(self.layout)
        bytestring = self.text.encode()
        spacing = int(self.justification_spacing * TO_UNITS)
        for match in _EXPANDABLE_RUN.finditer(bytestring):
            # Pango puts half of a range's spacing before its first character: shift the
            # range by one character so that each gets the full spacing after it.
            attr = pango.pango_attr_letter_spacing_new(spacing)
            attr.start_index, attr.end_index = match.start(), match.end()
            pango.pango_attr_list_change(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)

    original_justify = inline.justify_line

    def justify_line(context, line, extra_width):
        if extra_width > 0.01:  # a full line on the type grid needs nothing
            original_justify(context, line, extra_width)

    inline.count_expandable_spaces = count_expandable_spaces
    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text
    inline.split_first_line = _line_end(inline.split_first_line, line_break, pango)
    _installed = True


def _halt(pango, layout, byte_range: tuple[int, int]) -> None:
    """Set the characters of `byte_range` with OpenType `halt` (their half-width forms)."""
    from weasyprint.text.ffi import ffi

    attr_list = pango.pango_layout_get_attributes(layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    attr = pango.pango_attr_font_features_new(b"halt 1")
    attr.start_index, attr.end_index = byte_range
    pango.pango_attr_list_insert(attr_list, attr)
    pango.pango_layout_set_attributes(layout, attr_list)


def _line_end(split_first_line, line_break, pango):
    """`split_first_line` that sets a line-end mark half-width when that lets "X，" in."""

    def split(text, style, context, max_width, justification_spacing, is_line_start=True,
              minimum=False):  # fmt: skip
        result = split_first_line(text, style, context, max_width, justification_spacing,
                                  is_line_start, minimum)  # fmt: skip
        resume = result[2]
        if (resume is None or minimum or max_width is None or style["white_space"] != "normal"
                or style["font_size"] <= 0):  # fmt: skip
            return result
        encoded = text.encode()
        rest = encoded[resume:].decode()
        if not _PUSHED.match(rest) or result[3] > max_width + 0.01:
            return result
        head = encoded[:resume].decode().rstrip(" ")
        if head and head[-1] in OPENING:
            return result
        slack = _SLACK * style["font_size"]
        if result[3] + _pushed_width(rest[:2], style, context) > max_width + slack:
            return result  # "X，" does not fit even with its mark halved: no layout to try
        candidate = encoded[:resume].decode() + rest[:2]
        end = len(candidate.encode())
        layout = line_break.create_layout(candidate, style, context, None,
                                          justification_spacing)  # fmt: skip
        layout.halt_end = (end - len(rest[1].encode()), end)
        _halt(pango, layout.layout, layout.halt_end)
        first_line, index = layout.get_first_line()
        width, _ = line_break.line_size(first_line, style)
        if index is not None or width > max_width + 0.01:
            return result
        return line_break.first_line_metrics(
            first_line, candidate, layout, end if end < len(encoded) else None, True, style
        )

    def _pushed_width(pushed: str, style, context) -> float:
        """The width of "X，" (a character and its mark set half-width) in `style`'s font."""
        key = (pushed, style["font_family"], style["font_size"], style["font_weight"],
               style["font_style"], style["font_stretch"], style["font_feature_settings"],
               style["font_variant_east_asian"], style["letter_spacing"],
               style["lang"])  # fmt: skip
        width = _widths.get(key)
        if width is None:
            layout = line_break.create_layout(pushed, style, context, None, 0)
            _halt(pango, layout.layout, (len(pushed[0].encode()), len(pushed.encode())))
            width, _ = line_break.line_size(layout.get_first_line()[0], style)
            _widths[key] = width
        return width

    return split
