"""The PDF of a small volume, checked with real tools (pdftotext, pdffonts, pdftoppm, pypdf)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from anthology.pdf import write_pdf
from anthology.sources import load_manuscript

from . import DATA
from .pdfcheck import ROMAN, flat, folio, fonts, line_break_violations, page_texts

BOOK = DATA / "volumes" / "small.toml"
OUTPUT = Path(__file__).parent.parent / "output"  # tests/output/, ignored by git
MM = 72 / 25.4

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def manuscript():
    return load_manuscript(BOOK)


@pytest.fixture(scope="session")
def built(manuscript, tmp_path_factory):
    """The small volume as print and screen PDF, one single pass each."""
    out = tmp_path_factory.mktemp("pdf")
    return {
        variant: write_pdf(manuscript, out / f"small-{variant}.pdf", variant)
        for variant in ("print", "screen")
    }


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_every_font_is_embedded_and_subset(built, variant):
    rows = fonts(built[variant].path)
    assert rows, "no fonts"
    for row in rows:
        emb, sub = row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_all_text_present_in_reading_order(built, manuscript, variant):
    text = flat("".join(page_texts(built[variant].path)))
    markers = ["测试文集", "序言开头句", "目录", "历史章开头句", "历史章结尾句"]
    markers += ["张望的窗口", "开头一句", "这是一条测试脚注", "结尾句甲"]
    markers += ["阿拉丁的灯", "开头一句乙", "测试图片的说明", "结尾句乙"]
    markers += ["最后一个故事", "开头一句丙", "结尾句丙", "作者名录", "后记开头句", "后记结尾句"]
    position = 0
    for marker in markers:
        found = text.find(marker, position)
        assert found >= 0, f"{marker!r} missing or out of order"
        position = found
    for chapter in manuscript.chapters():
        assert flat(chapter.title) in text


def test_toc_page_numbers_are_where_the_titles_are(built, manuscript):
    pages = page_texts(built["print"].path)
    toc_index = next(i for i, t in enumerate(pages) if flat(t).startswith("目录"))
    toc_lines = [flat(line) for line in pages[toc_index].splitlines()]
    folios = [folio(t) for t in pages]
    checked = 0
    for chapter in manuscript.chapters():
        title = flat(chapter.title)
        line = next(x for x in toc_lines if x.startswith(title))
        number = line.rstrip().split(".")[-1]
        start = next(i for i, t in enumerate(pages) if i != toc_index and flat(t).startswith(title))
        assert folios[start] == number, (title, folios[start], number)
        assert built["print"].chapter_pages[chapter.id] in (
            number,
            int(number) if number.isdigit() else None,
        )
        checked += 1
    assert checked == len(manuscript.chapters())


def test_roman_then_arabic_folios_and_blank_versos(built):
    pages = page_texts(built["print"].path)
    folios = [folio(t) for t in pages]
    romans = [i for i, f in enumerate(folios) if ROMAN.match(f)]
    arabic = [i for i, f in enumerate(folios) if f.isdigit()]
    assert romans and arabic and max(romans) < min(arabic)
    for i in arabic:  # folio = position after the front matter
        assert int(folios[i]) == i - arabic[0] + int(folios[arabic[0]])
    for i in arabic:
        assert (int(folios[i]) % 2 == 1) == (i % 2 == 0), "odd folios on right-hand pages"
    blanks = [i for i, t in enumerate(pages) if not t.strip()]
    assert blanks, "chapters start on a recto, so some versos are blank"
    assert all(i % 2 == 1 for i in blanks), "only versos are left blank"


@pytest.mark.parametrize("variant", ["print", "screen"])
def test_no_line_starts_or_ends_with_forbidden_punctuation(built, variant):
    assert line_break_violations(built[variant].path) == []


def test_print_is_pdfx4_with_bleed_and_trim(built, manuscript):
    reader = PdfReader(built["print"].path)
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFX"
    assert "/DestOutputProfile" in intents[0].get_object()
    assert b"PDF/X-4" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    trim = manuscript.meta.trim
    for page in reader.pages:
        media, trimbox, bleed = page.mediabox, page.trimbox, page.bleedbox
        assert media.width == pytest.approx((trim.width_mm + 6) * MM, abs=0.5)
        assert media.height == pytest.approx((trim.height_mm + 6) * MM, abs=0.5)
        assert trimbox.width == pytest.approx(trim.width_mm * MM, abs=0.5)
        assert trimbox.height == pytest.approx(trim.height_mm * MM, abs=0.5)
        assert trimbox.left - bleed.left == pytest.approx(3 * MM, abs=0.2)
        assert not page.get("/Annots"), "no link annotations in print"


def test_print_text_is_k_only_black(built):
    reader = PdfReader(built["print"].path)
    content = reader.pages[4].get_contents().get_data()
    assert b"/DeviceCMYK cs\n0 0 0 1 scn" in content
    assert b" rg" not in content and b"RGB" not in content, "no RGB colour on a body page"


def test_screen_is_tagged_with_outline_links_and_metadata(built, manuscript):
    reader = PdfReader(built["screen"].path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "zh-CN"
    assert reader.metadata.title.startswith("测试文集")
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    for part in manuscript.parts():
        assert part.title in titles
    for chapter in manuscript.chapters():
        assert chapter.title in titles
    mediabox = reader.pages[0].mediabox
    assert mediabox.width == pytest.approx(140 * MM, abs=0.5)
    links = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]
    assert any(link.get("/Dest") == "story-101" for link in links)


def test_page_images_for_a_human_look(built):
    """Title page, a TOC page and a story page as PNG in tests/output/ (not in git)."""
    OUTPUT.mkdir(exist_ok=True)
    pages = page_texts(built["print"].path)
    toc = next(i for i, t in enumerate(pages) if flat(t).startswith("目录")) + 1
    story = next(i for i, t in enumerate(pages) if flat(t).startswith("张望的窗口")) + 1
    for name, number in (("title", 1), ("toc", toc), ("story", story), ("story-2", story + 1)):
        prefix = OUTPUT / f"small-{name}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(number), "-l", str(number),
             str(built["print"].path), str(prefix)],
            check=True,
        )  # fmt: skip
        png = prefix.with_suffix(".png")
        assert png.stat().st_size > 5000, f"{png} looks empty"


def test_chinese_lines_are_justified_flush_right(built):
    """Full lines end at the right margin (inter-character justification: pdf.weasy.justify)."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(built["print"].path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    pages = out.split("<page ")[1:]
    checked = 0
    for page in pages:
        lines = [
            (float(a), float(b))
            for a, b in re.findall(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', page)
        ]
        body = [(x0, x1) for x0, x1 in lines if x1 - x0 > 200]  # text lines, not heads/folios
        if len(body) < 10:
            continue
        right = max(x1 for _, x1 in body)
        near = [x1 for _, x1 in body if x1 > right - 10]  # lines that reach the margin
        assert all(abs(right - x1) < 1.0 for x1 in near), sorted(near)
        checked += 1
    assert checked >= 3
