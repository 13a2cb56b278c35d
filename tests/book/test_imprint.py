"""The imprint page (版本记录, GB/T 12450) and the page labels, on the demo book and on a
chunked 40-story book, checked in the text pdftotext reads and the labels pypdf reads."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from anthology import resources
from anthology.pdf import write_pdf
from anthology.pdf.imprint import grid
from anthology.sources import load_manuscript

from . import DATA
from .pdfcheck import flat, folio, label_mismatches, page_texts

pytestmark = pytest.mark.slow
DEMO = resources.CONTENT / "volumes" / "demo.toml"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]+")  # a line of Chinese only


def _imprint(pdf: Path) -> str:
    return next(flat(text) for text in page_texts(pdf) if "书名" in flat(text))


def _forty(folder: Path) -> Path:
    """A volume of 40 stories (the demo's, repeated) with the demo's recipe and chapters."""
    shutil.copytree(resources.CONTENT, folder / "content")
    stories_file = folder / "content" / "demo" / "stories.json"
    doc = json.loads(stories_file.read_text("utf-8"))
    originals = [story for part in doc["parts"] for story in part["stories"]]
    parts = []
    for p in range(4):
        items = []
        for i in range(10):
            story = dict(originals[(p * 10 + i) % len(originals)])
            story["id"] = 1000 + p * 10 + i
            story["title"] = f"{story['title']}（{p * 10 + i + 1}）"
            items.append(story)
        parts.append({"title": f"第{p + 1}组", "stories": items})
    doc["parts"] = parts
    stories_file.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder / "content" / "volumes" / "demo.toml"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = tmp_path_factory.mktemp("imprint")
    forty = _forty(out / "forty")
    built = {}
    for name, recipe, chunk_pages in (("demo", DEMO, 60), ("forty", forty, 20)):
        manuscript = load_manuscript(recipe)
        for variant in ("print", "screen"):
            built[name, variant] = write_pdf(
                manuscript, out / f"{name}-{variant}.pdf", variant, chunk_pages=chunk_pages,
                workers=2, cache_dir=out / "cache",
            )  # fmt: skip
        built[name] = manuscript
    return built


@pytest.mark.parametrize("name", ["demo", "forty"])
@pytest.mark.parametrize("variant", ["print", "screen"])
def test_page_labels_are_the_printed_folios_on_every_page(books, name, variant):
    result = books[name, variant]
    if name == "forty":
        assert result.chunks >= 4 and len(books[name].stories()) == 40
    labels = PdfReader(result.path).page_labels
    texts = page_texts(result.path)
    assert len(labels) == len(texts) == result.pages
    with_folio = [i for i, text in enumerate(texts) if folio(text).isdigit()]
    assert len(with_folio) > result.pages // 3  # the check below is not vacuous
    assert labels[0] == "i" and labels.index("1") % 2 == 0  # the body starts on a recto
    assert label_mismatches(result.path) == []


def test_the_imprint_prints_every_gbt12450_item_the_recipe_gives(books):
    result, meta = books["demo", "print"], books["demo"].meta
    text = _imprint(result.path)
    im = meta.imprint
    for label, value in (
        ("责任编辑", im.responsible_editors[0]), ("封面设计", im.cover_designers[0]),
        ("责任校对", im.proofreaders[0]), ("社址", im.address), ("邮编：", im.postcode),
        ("印刷", im.printer), ("经销", im.seller), ("出版发行", meta.publisher),
        ("开本", "787mm×1092mm1/16"), ("书号", "ISBN978-7-5123-4567-6"),
    ):  # fmt: skip
        assert flat(label + value) in text, (label, value, text)
    pages = result.pages + result.pages % 2
    sheets = f"{pages / 16:.4f}".rstrip("0").rstrip(".")
    assert f"印张{sheets}字数" in text
    chars, lines = grid(meta)
    # 16开: a 39-character measure of 10.5 pt; 214 mm of type area / (10.5 pt × 1.8) = 32 lines
    assert (chars, lines) == (39, 32)
    han = Counter(len(line.strip()) for text in page_texts(result.path)
                  for line in text.splitlines() if HAN.fullmatch(line.strip()))  # fmt: skip
    # the full lines of the text are that measure (a line holding compressed punctuation pairs,
    # 1.5 em each, can set one character more per pair)
    assert han[chars] > 50 and chars <= max(han) <= chars + 2
    assert f"字数{math.ceil(chars * lines * pages / 1000)}千字" in text


def test_the_chunked_imprint_counts_the_whole_book(books):
    result = books["forty", "print"]
    pages = result.pages + result.pages % 2
    assert f"印张{f'{pages / 16:.4f}'.rstrip('0').rstrip('.')}" in _imprint(result.path)


def test_items_not_given_are_not_printed_and_a_custom_trim_has_no_sheets(tmp_path):
    m = load_manuscript(DATA / "volumes" / "small.toml")
    custom = dataclasses.replace(m.meta.trim, name="custom", width_mm=150.0, height_mm=220.0)
    m = dataclasses.replace(m, meta=dataclasses.replace(m.meta, trim=custom, paper=None))
    result = write_pdf(m, tmp_path / "small.pdf", "print")
    text = _imprint(result.path)
    for label in ("责任编辑", "封面设计", "责任校对", "社址", "印刷", "经销", "发行", "印张"):
        rest = text.replace(flat(m.meta.printing), "").replace("印次", "").replace("出版发行", "")
        assert label not in rest, label
    assert "开本150mm×220mm" in text and "出版发行测试出版社" in text


def test_the_epub_imprint_names_the_same_people_and_the_print_editions_figures(books, tmp_path):
    import zipfile

    from anthology.epub import write_epub

    result, manuscript = books["demo", "print"], books["demo"]
    epub = write_epub(manuscript, tmp_path / "demo.epub", chapter_pages=result.chapter_pages,
                      print_pages=result.pages)  # fmt: skip
    with zipfile.ZipFile(epub.path) as archive:
        text = flat(re.sub(r"<[^>]+>", "", archive.read("EPUB/text/imprint.xhtml").decode()))
    printed = _imprint(result.path)
    words = re.search(r"字数(\d+千字)", printed)
    assert words and f"字数{words.group(1)}" in text
    for item in ("责任编辑示例责编", "封面设计示例设计", "责任校对示例校对", "经销全国新华书店"):
        assert item in text and item in printed
