"""Book HTML -> PDF with WeasyPrint, in two variants.

- print: PDF/X-4, 3 mm bleed (TrimBox at the trim size), K-only text, CMYK output intent from the
  volume's ICC profile, no link annotations, crop marks only when asked;
- screen: RGB, PDF/UA-1 (tagged), clickable TOC and links, outline for parts and chapters.

`write_pdf` renders in one pass (`chunk_pages=0`) or in chunks in worker processes
(anthology.pdf.chunks); the result is the same book. Output is written to a temporary file in the
target folder and renamed, so nothing half-written is ever left there.

The modules: `html` (plain data -> book HTML, no WeasyPrint), `document` (what every pass shares),
`chunks`, `worker` and `cache` (the chunked build), `join` (the chunks into one PDF), and
`weasy/`, every use of WeasyPrint's internals.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from anthology.errors import BuildError
from anthology.fonts.families import ResolvedFonts, resolve
from anthology.pdf.chunks import build_chunked
from anthology.pdf.document import (
    anchor_pages,
    finisher,
    output_condition,
    pdf_options,
    render,
    roman,
)
from anthology.pdf.html import body_blocks, book_html, css, output_profile, proof_html
from anthology.pdf.imprint import figures
from anthology.pdf.inks import black_in_k, chapter_at, rgb_pages
from anthology.pdf.weasy import fontshare, justify, speedups, tagging
from anthology.pdf.weasy.fill import fill
from anthology.pdf.weasy.pagemap import labelled, page_starts
from anthology.progress import Progress, ProgressCallback
from anthology.sources.manuscript import Chapter, Manuscript


@dataclass(frozen=True)
class PdfResult:
    path: Path
    variant: str
    pages: int
    bytes: int
    seconds: float
    chapter_pages: dict[str, int | str]  # chapter/part id -> folio (int body, roman front)
    # Where each page begins (print): (folio, document id, element index, characters before),
    # see anthology.pdf.weasy.pagemap; the EPUB puts its page-break markers there.
    page_starts: tuple[tuple[str, str, int, int], ...] = ()
    chunks: int = 1
    cached_chunks: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


@contextmanager
def atomic_output(out_path: Path) -> Iterator[Path]:
    """A temporary path next to `out_path`, renamed onto it only when the block succeeds."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent
    )
    os.close(handle)
    temporary = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)
    try:
        yield temporary
        os.replace(temporary, out_path)
    finally:
        temporary.unlink(missing_ok=True)


def write_pdf(
    manuscript: Manuscript,
    out_path: str | Path,
    variant: str = "print",
    *,
    fonts: ResolvedFonts | None = None,
    marks: bool = False,
    chunk_pages: int = 0,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
    stock: bool = False,
) -> PdfResult:
    """Render `manuscript` as a PDF at `out_path`.

    chunk_pages=0 renders the whole book in one WeasyPrint pass; otherwise the body is cut into
    chunks of about that many pages and rendered by `workers` processes (anthology.pdf.chunks).
    stock=True (one pass only) lays out with WeasyPrint's own code, without the speed-ups of
    anthology.pdf.weasy.speedups: the reference of bench/build.py and of the tests.
    """
    started = time.perf_counter()
    out_path = Path(out_path)
    pdf_options(variant)
    if fonts is None:
        fonts, _ = resolve(manuscript.meta.fonts)
    style = css(manuscript.meta, fonts, variant, marks)
    if chunk_pages:
        with atomic_output(out_path) as temporary:
            pages, chapter_pages, stats, starts = build_chunked(
                manuscript, style, variant, fonts, temporary,
                chunk_pages=chunk_pages, workers=workers, cache_dir=cache_dir,
                progress=progress,
            )  # fmt: skip
            _refuse_rgb(temporary, variant, manuscript, chapter_pages, marks)
        chunks, cached = stats
    else:
        if progress:
            progress(Progress(f"{variant}: laying out the book in one pass", variant, 0, 1, 0))
        with atomic_output(out_path) as temporary:
            pages, chapter_pages, starts = _single_pass(
                manuscript, style, variant, temporary, stock
            )
            if not stock:  # the reference of the benchmark and the tests stays stock WeasyPrint
                _refuse_rgb(temporary, variant, manuscript, chapter_pages, marks)
        if progress:
            progress(Progress("", variant, 1, 1, pages))
        chunks, cached = 1, 0
    return PdfResult(
        path=out_path,
        variant=variant,
        pages=pages,
        bytes=out_path.stat().st_size,
        seconds=round(time.perf_counter() - started, 2),
        chapter_pages=chapter_pages,
        chunks=chunks,
        cached_chunks=cached,
        page_starts=starts,
    )


def write_proof(
    manuscript: Manuscript,
    chapter: Chapter,
    out_path: str | Path,
    mark: str,
    *,
    fonts: ResolvedFonts | None = None,
) -> PdfResult:
    """One chapter alone as the print edition sets it (trim, fonts, inks), with `mark` at the
    foot of every page: a proof, in one pass."""
    started = time.perf_counter()
    out_path = Path(out_path)
    if fonts is None:
        fonts, _ = resolve(manuscript.meta.fonts)
    style = css(manuscript.meta, fonts, "print", proof=mark)
    justify.install()
    fontshare.deactivate()
    speedups.install(layouts=False)
    document = render(proof_html(manuscript, style, chapter))
    meta = manuscript.meta
    condition = output_condition(output_profile(meta), meta.press_condition)
    with atomic_output(out_path) as temporary:
        document.write_pdf(temporary, finisher=finisher(0, condition), **pdf_options("print"))
        _refuse_rgb(temporary, "print", manuscript, {chapter.id: 1})
    return PdfResult(
        path=out_path,
        variant="print",
        pages=len(document.pages),
        bytes=out_path.stat().st_size,
        seconds=round(time.perf_counter() - started, 2),
        chapter_pages={chapter.id: 1},
    )


def _refuse_rgb(
    path: Path,
    variant: str,
    manuscript: Manuscript,
    chapter_pages: dict[str, int | str],
    marks: bool = False,
) -> None:
    """A print PDF holds only the press's inks: any RGB left is an error naming its pages."""
    if variant != "print":
        return
    if marks:
        black_in_k(path)  # WeasyPrint's crop marks are drawn in RGB black
    labels = rgb_pages(path)
    if not labels:
        return
    titles = {chapter.id: chapter.title for chapter in manuscript.chapters()}
    places = [_place(label, chapter_at(label, chapter_pages, titles)) for label in labels]
    raise BuildError(
        "the print PDF would contain RGB colour, which a printer's preflight rejects: "
        + ", ".join(places[:10])
        + (f" and {len(places) - 10} more" if len(places) > 10 else "")
    )


def _place(label: str, title: str) -> str:
    return f"page {label} (《{title}》)" if title else f"page {label}"


def _single_pass(
    manuscript: Manuscript, style: str, variant: str, target: Path, stock: bool = False
) -> tuple[int, dict[str, int | str], tuple]:
    justify.install()
    tagging.install()
    fontshare.deactivate()  # real font subsets, even after a chunked build in this process
    if stock:
        speedups.uninstall()
    else:
        speedups.install(layouts=False)  # a whole book's lines would stay in memory
    html = book_html(manuscript, style, variant)
    document = render(html)
    fill(document, figures(manuscript.meta, len(document.pages)).as_dict())
    anchors = anchor_pages(document)
    body_ids = [b.id for b in body_blocks(manuscript, html=False)]
    ids = [c.id for c in manuscript.front] + body_ids
    body_start = anchors[body_ids[0]] if body_ids else len(document.pages)
    chapter_pages: dict[str, int | str] = {}
    for id_ in ids:
        index = anchors.get(id_)
        if index is None:
            raise BuildError(f"chapter {id_!r} has no page in the rendered book")
        chapter_pages[id_] = index - body_start + 1 if index >= body_start else roman(index + 1)
    meta = manuscript.meta
    condition = output_condition(output_profile(meta), meta.press_condition)
    starts = ()
    if variant == "print" and not stock:
        labels = [str(i - body_start + 1) if i >= body_start else roman(i + 1)
                  for i in range(len(document.pages))]  # fmt: skip
        starts = labelled(page_starts(document), labels)
    document.write_pdf(target, finisher=finisher(body_start, condition), **pdf_options(variant))
    return len(document.pages), chapter_pages, starts


__all__ = [
    "PdfResult",
    "anchor_pages",
    "atomic_output",
    "pdf_options",
    "roman",
    "write_pdf",
    "write_proof",
]
