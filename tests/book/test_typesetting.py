"""Chinese book typesetting measured on built PDFs (issue 13): 孤字, punctuation pairs, story
openings, the TOC's leaders, footnote markers. Glyph and line boxes come from Ghostscript and
poppler (tests/book/typography.py)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from anthology.epub import write_epub
from anthology.fonts.families import resolve
from anthology.pdf import write_pdf
from anthology.pdf.document import pdf_options, render
from anthology.pdf.geometry import geometry
from anthology.pdf.html import body_blocks, css, front_html
from anthology.pdf.weasy import justify
from anthology.sources import load_manuscript
from anthology.sources.manuscript import Openings

from . import DATA
from .pdfcheck import flat, page_texts
from .typography import glyphs, lone_characters, punctuation_pairs

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "volumes" / "demo.toml"
SMALL = DATA / "volumes" / "small.toml"

pytestmark = pytest.mark.slow


def _bench():
    spec = importlib.util.spec_from_file_location("bench_build", ROOT / "bench" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return write_pdf(load_manuscript(DEMO), out / "demo-print.pdf", "print").path


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated volume of 40 stories (bench/build.py's generator), built in chunks."""
    folder = tmp_path_factory.mktemp("generated")
    recipe = _bench().generate(folder, 40)
    target = folder / "generated.pdf"
    write_pdf(load_manuscript(recipe), target, "print", chunk_pages=40, workers=2,
              cache_dir=folder / "cache")  # fmt: skip
    return target


def test_no_paragraph_ends_with_a_lone_character(demo, generated):
    assert lone_characters(demo) == []
    assert lone_characters(generated) == []


def test_adjacent_punctuation_pairs_take_less_than_two_em(demo):
    pairs = punctuation_pairs(demo)
    assert len(pairs) > 20  # ：“ ”。 ）， ... in the demo stories
    wide = [p for p in pairs if p.em >= 1.75]  # 1.5 em, plus what justification adds
    assert wide == [], wide[:5]


def _openings(tmp_path, **chosen):
    """The demo built with these openings: (blocks, result, {folio: page text}, blank folios)."""
    manuscript = load_manuscript(DEMO)
    meta = replace(manuscript.meta, openings=Openings(**chosen))
    manuscript = replace(manuscript, meta=meta)
    result = write_pdf(manuscript, tmp_path / f"{chosen}.pdf", "print")
    labels = PdfReader(result.path).page_labels
    texts = {label: flat(t) for label, t in zip(labels, page_texts(result.path), strict=True)}
    blanks = [int(label) for label, text in texts.items() if not text and label.isdigit()]
    return body_blocks(manuscript, html=False), result, texts, blanks


def test_story_openings(tmp_path):
    blocks, right, _, right_blanks = _openings(tmp_path, story="right")
    _, page, _, page_blanks = _openings(tmp_path, story="page")
    same_blocks, same, same_texts, _ = _openings(tmp_path, story="same")
    assert right.pages > page.pages > same.pages
    stories = [b.id for b in blocks if b.kind == "story"]
    # On a right-hand page: odd folios. On the next page: some stories on a verso.
    assert all(right.chapter_pages[s] % 2 == 1 for s in stories)
    assert any(page.chapter_pages[s] % 2 == 0 for s in stories)
    # Blank pages only where the next page must be a recto: before a part, the back matter,
    # or after a part page (its verso).
    assert len(page_blanks) < len(right_blanks)
    parts = {page.chapter_pages[b.id] for b in blocks if b.kind == "part"}
    after_part = {c.id for c, b in zip(blocks[1:], blocks, strict=False) if b.kind == "part"}
    rectos = {page.chapter_pages[b.id] for b in blocks if b.kind != "story" or b.id in after_part}
    for blank in page_blanks:
        assert blank + 1 in rectos or blank - 1 in parts, (blank, sorted(rectos))
    # On the same page: a story begins on the page where the one before it ends (its last
    # words are on that page, above the rule and the title).
    shared = 0
    for before, block in zip(same_blocks, same_blocks[1:], strict=False):
        if block.start == "same":
            last_words = flat(before.markdown.strip().splitlines()[-1])[-8:]
            shared += last_words in same_texts[str(same.chapter_pages[block.id])]
    assert shared >= 2  # the others begin on a new page: the one before ends near the foot


def test_toc_leaders_end_the_same_distance_before_any_number(tmp_path):
    manuscript = load_manuscript(SMALL)
    fonts, _warnings = resolve(manuscript.meta.fonts)
    style = css(manuscript.meta, fonts, "print")
    ids = [b.id for b in body_blocks(manuscript, html=False)]
    numbers = [7, 42, 342, 1234, 5, 88, 901, 2026]
    pages = {id_: numbers[i % len(numbers)] for i, id_ in enumerate(ids)}
    justify.install()  # with the book's leaders, as every build does
    document = render(front_html(manuscript, style, "print", pages))
    target = tmp_path / "front.pdf"
    document.write_pdf(target, **pdf_options("print"))
    gaps, widths = [], set()
    by_line: dict[tuple[int, float], list] = {}
    for g in glyphs(target):
        by_line.setdefault((g.page, g.y), []).append(g)
    for line in by_line.values():
        line.sort(key=lambda g: g.x0)
        text = "".join(g.char for g in line)
        found = re.search(r"\.{3,}(\d+)$", text)
        if not found:
            continue
        last_dot = line[found.start(1) - 1]
        first_digit = line[found.start(1)]
        gaps.append(first_digit.x0 - last_dot.x1)
        widths.add(len(found.group(1)))
    assert widths == {1, 2, 3, 4}
    assert max(gaps) - min(gaps) <= 1.0, gaps


def test_footnotes_are_circled_numbers_under_a_short_rule(demo):
    text = "\n".join(page_texts(demo))
    assert "正是在这样的实践中逐渐形成的。①" in re.sub(r"\s", "", text)
    notes = [line for line in text.splitlines() if line.strip().startswith("①")]
    assert notes and "示例脚注" in notes[0]
    assert not re.search(r"^\s*1\.\s*示例脚注", text, re.M)
    # The rule above the notes: a quarter of the measure, not all of it.
    number = next(i for i, t in enumerate(page_texts(demo), 1) if "①示例脚注" in flat(t))
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "144", "-gray",
                        "-png", str(demo), f"{folder}/page"], check=True)  # fmt: skip
        (png,) = Path(folder).glob("page*.png")
        image = Image.open(png).convert("L")
    pixels = image.load()
    rules = []
    for y in range(image.height):
        dark = [x for x in range(image.width) if pixels[x, y] < 128]
        if len(dark) > 40 and dark[-1] - dark[0] + 1 == len(dark):  # one unbroken run
            rules.append(len(dark))
    measure = geometry(load_manuscript(DEMO).meta).text_width / 25.4 * 144
    assert rules and all(0.2 * measure < r < 0.3 * measure for r in rules), (rules, measure)


def _marked_text(epub_path: Path) -> dict[str, str]:
    """EPUB page-list label -> the text that follows its page-break marker (40 characters)."""
    with zipfile.ZipFile(epub_path) as archive:
        nav = etree.fromstring(archive.read("EPUB/text/nav.xhtml"))
        ns = {"h": "http://www.w3.org/1999/xhtml", "e": "http://www.idpf.org/2007/ops"}
        page_list = nav.xpath("//h:nav[@e:type='page-list']//h:a", namespaces=ns)
        out = {}
        for link in page_list:
            file, _, fragment = link.get("href").partition("#")
            doc = etree.fromstring(archive.read(f"EPUB/text/{file}"))
            (span,) = doc.xpath(f"//*[@id='{fragment}']")
            assert span.get("role") == "doc-pagebreak" and span.get("aria-label") == link.text
            following = "".join(span.xpath("following::text()"))
            out[link.text] = flat(following)[:40]
        return out


def test_every_printed_page_has_its_marker_where_it_begins(generated, tmp_path):
    """The EPUB's page-list has every page of the print PDF but the table of contents, and
    each marker stands before the first words of its printed page."""
    manuscript = load_manuscript(generated.parent / "volumes" / "bench.toml")
    printed = write_pdf(manuscript, tmp_path / "print.pdf", "print", chunk_pages=40, workers=2,
                        cache_dir=generated.parent / "cache")  # fmt: skip
    pages = {"chapter_pages": printed.chapter_pages, "page_starts": printed.page_starts}
    result = write_epub(manuscript, tmp_path / "book.epub", **pages)
    marked = _marked_text(result.path)
    labels = PdfReader(printed.path).page_labels
    texts = page_texts(printed.path)
    toc = {label for label, doc, *_ in printed.page_starts if doc == "toc"}  # not in the EPUB
    assert toc and all(label in labels for label in toc)
    missing = [label for label in labels if label not in marked and label not in toc]
    assert missing == []
    assert result.pages == len(marked) >= printed.pages - 4
    checked = 0
    page_text = dict(zip(labels, texts, strict=True))
    for label, _doc, block, _offset in printed.page_starts:
        if block < 0:  # the page begins with a heading: the marker is before the chapter
            continue
        lines = [line for line in page_text[label].splitlines() if line.strip()]
        body = flat("".join(lines[1:-1]))  # without the running head and the folio
        assert marked[label][:6] in body[:12], (label, marked[label][:20], body[:40])
        checked += 1
    assert checked > 100


def test_a_line_end_mark_sets_half_width_when_that_lets_the_line_fit(tmp_path):
    """clreq: rather than push "甲，" down to the next line, the line takes it with the comma
    at half width when its other marks left half an em (a compressed pair here); with no such
    half em, 甲 goes down with its comma as before."""
    manuscript = load_manuscript(SMALL)
    meta = manuscript.meta
    g = geometry(meta)
    em = g.font_size * 25.4 / 72
    n = round(g.text_width / em)  # characters a line
    han = "社区工作者走进居民家中倾听需要寻找办法" * 5
    # Indent (2 em), 他说“ (3), 社区工 (3), ”， (1.5 em: a compressed pair), then `fill` Han:
    # n - 11 leave 1.5 em for 甲 and a half-width comma; n - 10 leave half an em.
    paragraphs = [
        f"他说“{han[:3]}”，{han[3 : 3 + fill]}甲，乙{han[:30]}。" for fill in (n - 11, n - 10)
    ]
    first = manuscript.stories()[0]

    def swap(item):
        if hasattr(item, "chapters"):
            return replace(item, chapters=tuple(swap(c) for c in item.chapters))
        return replace(item, body="\n\n".join(paragraphs)) if item.id == first.id else item

    manuscript = replace(manuscript, body=tuple(swap(i) for i in manuscript.body))
    pdf = write_pdf(manuscript, tmp_path / "book.pdf", "print").path
    rows: dict[tuple[int, float], list] = {}
    for glyph in glyphs(pdf):
        rows.setdefault((glyph.page, glyph.y), []).append(glyph)
    texts = []
    for key in sorted(rows):
        row = sorted(rows[key], key=lambda glyph: glyph.x0)
        texts.append(("".join(glyph.char for glyph in row), row))
    ends = [(text, row) for text, row in texts if text.startswith("他说")]
    assert len(ends) == 2
    (fits, fits_row), (full, _full_row) = ends
    assert fits.endswith("甲，"), fits
    following = texts[texts.index((fits, fits_row)) + 1][0]
    assert following.startswith("乙"), following
    # The comma starts half an em before the measure's end: its ink stays inside.
    right = max(row[-1].x1 for text, row in texts if not text.endswith("，") and len(text) > n - 2)
    assert abs(fits_row[-1].x0 - (right - em * 72 / 25.4 / 2)) < 0.6, (fits_row[-1], right)
    assert not full.endswith("，") and "甲" not in full, full
