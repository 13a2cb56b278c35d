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
"""

from __future__ import annotations

import re

from anthology.pdf.weasy import leaders, notes, rhythm

EXPANDABLE = "\u2009\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60"
_EXPANDABLE = re.compile(f"[{EXPANDABLE}]")
_EXPANDABLE_RUN = re.compile(f"[{EXPANDABLE}]+".encode())
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
    _installed = True
