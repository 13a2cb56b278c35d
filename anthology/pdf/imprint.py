"""The imprint page's figures that depend on the laid-out book: 印张 and 字数 (GB/T 12450).

Both are computed from the final page count, as Chinese publishers compute them:

- 印张 (printed sheets): the pages, made even, divided by the fold (开数) of the paper format:
  a 16开 book of 250 pages is 250 / 16 = 15.625 印张. Without a paper format (a custom trim
  with no `[page] paper`) there is no 印张 to print.
- 字数 (版面字数, the layout's character count): characters a line x lines a page x pages,
  blank pages and front matter included, in thousands (千字), rounded up. This is what a
  publisher writes on the imprint page and what royalties and printing are reckoned by, not the
  number of characters of the text (`Manuscript.word_count`, which the build's summary prints).

The front matter is laid out before the page count is final (in a chunked build the body's
chunks are still being laid out); the imprint is laid out with provisional figures
(`anthology.pdf.html.provisional_figures`) and `anthology.pdf.weasy.fill` writes the real ones
into the laid-out page before it is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from anthology.pdf.geometry import geometry
from anthology.sources.manuscript import VolumeMeta

LINE_HEIGHT = 1.8  # the body's line-height (templates/book/book.css)


@dataclass(frozen=True)
class Figures:
    sheets: str  # 印张, e.g. "15.625" ("" without a paper format)
    words: str  # 字数, e.g. "412千字"

    def as_dict(self) -> dict[str, str]:
        return {"sheets": self.sheets, "words": self.words}


def printed_pages(pages: int) -> int:
    """The pages the printer binds: an odd last page has a blank back."""
    return pages + pages % 2


def grid(meta: VolumeMeta) -> tuple[int, int]:
    """(characters a line, lines a page) of the body's type area."""
    g = geometry(meta)
    em = g.font_size * 25.4 / 72
    chars = math.floor(g.text_width / em + 1e-6)
    lines = math.floor((g.height - g.top - g.bottom) / (em * LINE_HEIGHT) + 1e-6)
    return chars, lines


def sheets(meta: VolumeMeta, pages: int) -> str:
    """印张: the printed pages over the fold, written without trailing zeros ("" if unknown)."""
    if meta.paper is None:
        return ""
    value = printed_pages(pages) / meta.paper.fold
    return f"{value:.4f}".rstrip("0").rstrip(".")


def layout_words(meta: VolumeMeta, pages: int) -> int:
    chars, lines = grid(meta)
    return chars * lines * printed_pages(pages)


def figures(meta: VolumeMeta, pages: int) -> Figures:
    words = layout_words(meta, pages)
    return Figures(sheets(meta, pages), f"{max(1, math.ceil(words / 1000))}千字")
