"""The front matter of a chunked build: title page, imprint, prefaces and the contents.

It is laid out in the coordinating process while the workers lay out the body: first early,
with estimated TOC numbers (`lay_out_early`); once every TOC number is known (`prepare`) they
are put into that layout (anthology.pdf.weasy.folios.rewrite_toc), or it is laid out again
where its lines would change. It is drawn when the whole book's page count is known too
(`finish`; at once in `prepare` when it already is), with the imprint's 印张 and 字数 for that
count written in (anthology.pdf.imprint, anthology.pdf.weasy.fill). The drawn PDF is cached
like a chunk, under its HTML and the body's page count.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from anthology.pdf.cache import ChunkCache
from anthology.pdf.document import roman
from anthology.pdf.html import front_html
from anthology.pdf.imprint import figures
from anthology.pdf.weasy.fill import fill
from anthology.pdf.weasy.folios import rewrite_toc
from anthology.pdf.worker import draw_front, lay_out, padded
from anthology.sources.manuscript import Manuscript

FrontResult = tuple[Path, int, dict[str, int | str]]  # its PDF, its pages, the chapter pages


class FrontMatter:
    def __init__(self, manuscript: Manuscript, style: str, variant: str, cache: ChunkCache,
                 say: Callable[[str], None], salt: str) -> None:  # fmt: skip
        """`salt`: what the cache key must hold besides the HTML (the first chunk's key: the
        code, fonts and WeasyPrint version)."""
        self.manuscript, self.style, self.variant = manuscript, style, variant
        self.cache, self.say, self.salt = cache, say, salt
        self.early = None  # laid out with estimated TOC numbers
        self.html = ""  # with the real TOC numbers (once prepared)
        self.chapter_pages: dict[str, int | str] = {}
        self.document = None  # laid out with the real TOC numbers, not drawn yet
        self.result: FrontResult | None = None
        self.meta: dict = {}  # the drawn PDF's pages, anchors, fonts and page starts

    @property
    def prepared(self) -> bool:
        return bool(self.html)

    def lay_out_early(self, guess: dict[str, int]) -> None:
        html = front_html(self.manuscript, self.style, self.variant, dict[str, int | str](guess))
        try:
            self.early = lay_out(html)
        except Exception:  # only a head start: `prepare` lays it out again and reports it
            self.early = None

    def prepare(self, chapter_pages: dict[str, int | str], body: int | None) -> None:
        """Lay out with the real TOC numbers (unless cached); draw too if `body`, the body's
        page count, is known."""
        self.chapter_pages = chapter_pages
        self.html = front_html(self.manuscript, self.style, self.variant, chapter_pages)
        early, self.early = self.early, None
        if body is not None and self._cached(body):
            return
        numbers = {id_: str(page) for id_, page in chapter_pages.items()}
        if early is not None and rewrite_toc(early, numbers):
            self.say(f"{self.variant}: front matter (page numbers put into its contents)")
            self.document = early
        else:
            self.say(f"{self.variant}: front matter and table of contents")
            self.document = lay_out(self.html)
        if body is not None:
            self.result = self._draw(body)

    def finish(self, body: int) -> FrontResult:
        """The drawn front matter for a body of `body` pages (after `prepare`)."""
        if self.result is None and not self._cached(body):
            self.result = self._draw(body)
        assert self.result is not None
        return self.result

    def _key(self, body: int) -> str:
        text = f"{self.salt}:{body}:{self.html}"
        return "front-" + hashlib.sha256(text.encode()).hexdigest()[:32]

    def _cached(self, body: int) -> bool:
        key = self._key(body)
        pdf, meta = self.cache.pdf(key, 0), self.cache.meta(key)
        if meta is None or not pdf.is_file():
            return False
        self.result = self._done(pdf, meta)
        return True

    def _draw(self, body: int) -> FrontResult:
        document, self.document = self.document, None
        if document is None:  # prepared from the cache for another body length
            document = lay_out(self.html)
        book_pages = padded(len(document.pages)) + body
        fill(document, figures(self.manuscript.meta, book_pages).as_dict())
        key = self._key(body)
        pdf = self.cache.pdf(key, 0)
        temporary = self.cache.folder / f".{key}.{os.getpid()}.part"
        pages, anchors, fonts, starts = draw_front(document, str(temporary), self.variant)
        meta = {"pages": pages, "anchors": anchors, "fonts": fonts, "starts": starts}
        os.replace(temporary, pdf)
        self.cache.store_meta(key, meta)
        return self._done(pdf, meta)

    def _done(self, pdf: Path, meta: dict) -> FrontResult:
        self.meta = meta
        chapter_pages = dict(self.chapter_pages)
        for chapter in self.manuscript.front:
            chapter_pages[chapter.id] = roman(meta["anchors"][chapter.id] + 1)
        return pdf, meta["pages"], chapter_pages
