"""anthology.pdf.weasy.speedups: less work for WeasyPrint, the same pages as stock WeasyPrint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from anthology.pdf import pdf_options, write_pdf
from anthology.pdf.weasy import justify, speedups
from anthology.sources import load_manuscript

from . import DATA
from .pdfcheck import page_texts

BOOK = DATA / "volumes" / "small.toml"

pytestmark = pytest.mark.slow


def _glyph_boxes(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Every word of every page with its position (pdftotext -bbox), rounded to 0.05 pt."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    pages: list[list[tuple[str, float, float]]] = []
    for line in html.splitlines():
        line = line.strip()
        if line.startswith("<page"):
            pages.append([])
        elif line.startswith("<word"):
            attrs = dict(part.split("=", 1) for part in line[6:].split(">")[0].split())
            x, y = (float(attrs[k].strip('"')) for k in ("xMin", "yMin"))
            pages[-1].append((line.split(">")[1].split("<")[0], round(x / 0.05), round(y / 0.05)))
    return pages


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_a_book_with_speedups_equals_stock_weasyprint(tmp_path, variant):
    manuscript = load_manuscript(BOOK)
    stock = write_pdf(manuscript, tmp_path / "stock.pdf", variant, stock=True)
    fast = write_pdf(manuscript, tmp_path / "fast.pdf", variant)
    assert fast.pages == stock.pages
    assert fast.chapter_pages == stock.chapter_pages
    assert page_texts(fast.path, layout=True) == page_texts(stock.path, layout=True)
    # Leaders: the dots are one text box now; every word still sits where stock puts it
    # (within 0.05 pt: the dots' advances are summed in the PDF instead of repeated).
    fast_boxes, stock_boxes = _glyph_boxes(fast.path), _glyph_boxes(stock.path)
    assert len(fast_boxes) == len(stock_boxes)
    for number, (ours, theirs) in enumerate(zip(fast_boxes, stock_boxes, strict=True), 1):
        if ours != theirs:  # leader runs are split into words differently: compare the text
            assert "".join(w for w, _, _ in ours) == "".join(w for w, _, _ in theirs), number
            assert _without_dots(ours) == _without_dots(theirs), number


def _without_dots(words):
    """Words with their leader dots taken out (a word starts where it did)."""
    return [(w.strip("."), x, y) for w, x, y in words if w.strip(".")]


def _render(html: str, path: Path) -> list[str]:
    from weasyprint import HTML

    HTML(string=html).render().write_pdf(path, **pdf_options("screen"))
    return page_texts(path)


def test_pages_selected_by_index_keep_their_own_styles(tmp_path):
    """With an @page :nth() rule, page styles cannot be shared between pages of one kind."""
    justify.install()
    html = """<style>
      @page { size: 100mm 80mm; @top-center { content: "every page"; } }
      @page :nth(3) { @top-center { content: "the third page"; } }
      @page :left { @bottom-center { content: "left " counter(page); } }
    </style>""" + "".join(f'<p style="break-after: page">page {n}</p>' for n in range(1, 6))
    speedups.uninstall()
    try:
        stock = _render(html, tmp_path / "stock.pdf")
    finally:
        speedups.install()
    fast = _render(html, tmp_path / "fast.pdf")
    assert fast == stock
    assert ["the third page" in text for text in fast] == [False, False, True, False, False]
    assert ["left" in text for text in fast] == [False, True, False, True, False]


def test_lines_drawn_with_kept_layouts_look_the_same(tmp_path):
    """Chunks keep each line's Pango layout for drawing: same words, places and pixels."""
    from weasyprint import HTML

    from anthology.fonts.families import resolve
    from anthology.pdf.html import book_html, css

    manuscript = load_manuscript(BOOK)
    fonts, _ = resolve(manuscript.meta.fonts)
    html = book_html(manuscript, css(manuscript.meta, fonts, "print"), "print")
    justify.install()
    rasters = {}
    for kind in ("stock", "kept"):
        if kind == "stock":
            speedups.uninstall()
        else:
            speedups.install(layouts=True)
        path = tmp_path / f"{kind}.pdf"
        HTML(string=html, base_url=str(BOOK.parent)).render().write_pdf(path)
        subprocess.run(["pdftoppm", "-r", "60", "-gray", "-f", "8", "-l", "14", str(path),
                        str(tmp_path / kind)], check=True)  # fmt: skip
        rasters[kind] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{kind}-*.pgm"))]
    speedups.uninstall()
    kept, stock = _glyph_boxes(tmp_path / "kept.pdf"), _glyph_boxes(tmp_path / "stock.pdf")
    assert len(kept) == len(stock) > 14
    for ours, theirs in zip(kept, stock, strict=True):
        assert "".join(w for w, _, _ in ours) == "".join(w for w, _, _ in theirs)
        assert _without_dots(ours) == _without_dots(theirs)
    assert len(rasters["kept"]) == 7
    assert rasters["kept"] == rasters["stock"]
