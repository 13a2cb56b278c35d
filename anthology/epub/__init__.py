"""The EPUB 3 edition of a volume: the same manuscript, order and text as the print PDF.

`write_epub` works in two phases (DESIGN 5.4). First every content document of the book is built
in memory and checked (`contents` puts them on the `shelf`; chapter HTML becomes XHTML in `xhtml`;
each document must be well-formed with a non-empty body), then the package files are made from
the complete shelf (`package`, with `metadata` and the `fontsubset` subsets) and the container is
written deterministically (`archive`). `cover` draws a cover when the volume has none;
`validator` runs EPUBCheck. The package is written from templates in `templates/book/epub/`
rather than through ebooklib, whose writer re-parses XHTML with an HTML parser, silently empties
a chapter it cannot parse, labels navigation in English and stamps the current time into the file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from anthology.epub import archive, cover, metadata, package
from anthology.epub.contents import gather
from anthology.epub.shelf import Shelf
from anthology.errors import BuildError
from anthology.sources.manuscript import Manuscript


@dataclass(frozen=True)
class EpubResult:
    path: Path
    bytes: int
    documents: int  # XHTML content documents, the navigation document included
    pages: int  # entries in the page-list (print page equivalents)
    images: int
    fonts: int  # embedded font files
    seconds: float
    identifier: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def write_epub(
    manuscript: Manuscript,
    out_path: str | Path,
    *,
    chapter_pages: dict[str, int | str] | None = None,
    page_starts: tuple[tuple[str, str, int, int], ...] = (),
    embed_fonts: bool = False,
    cover_image: str | Path | None = None,
    cover_front: bytes | None = None,
    print_pages: int = 0,
    modified: datetime | None = None,
) -> EpubResult:
    """Write `manuscript` as EPUB 3 to `out_path`.

    chapter_pages: chapter or part id -> the print folio where it starts (from the PDF build);
      gives the page-list and page-break markers at chapter starts. page_starts: where every
      print page begins (`PdfResult.page_starts`): a marker at every print page break instead.
      embed_fonts: embed subsets of the CJK faces.
    cover_image: the volume's own cover (PNG/JPEG/GIF); default the recipe's `cover`, else
      `cover_front` (the printed cover's front as a PNG, anthology.cover.front_image), else one
      is drawn from the title.
    print_pages: the print edition's page count: the imprint gives its 字数 (anthology.pdf.imprint).
    modified: dcterms:modified; default SOURCE_DATE_EPOCH, else now.
    """
    started = time.perf_counter()
    out_path = Path(out_path)
    shelf = Shelf(manuscript, chapter_pages or {}, print_pages, page_starts)
    moment = metadata.modified(modified)
    try:
        cover_image = cover_image or manuscript.meta.cover
        if cover_image:
            picture = cover.load(Path(cover_image))
        elif cover_front:
            picture = cover.Cover(cover_front, "image/png", "png", generated=True)
        else:
            picture = _drawn_cover(manuscript)
    except cover.CoverError as exc:
        raise BuildError(str(exc)) from exc  # the message names the file
    gather(shelf, picture)
    files = package.files(shelf, moment, embed_fonts)
    archive.write(out_path, files, moment)
    return EpubResult(
        path=out_path,
        bytes=out_path.stat().st_size,
        documents=len(shelf.docs),
        pages=len(shelf.pages),
        images=len(shelf.images),
        fonts=shelf.font_count,
        seconds=round(time.perf_counter() - started, 3),
        identifier=metadata.identifier(manuscript),
        warnings=tuple(shelf.warnings),
    )


def _drawn_cover(manuscript: Manuscript) -> cover.Cover:
    meta = manuscript.meta
    return cover.draw(meta.title, meta.subtitle, str(meta.year or ""), meta.publisher)


__all__ = ["EpubResult", "write_epub"]
