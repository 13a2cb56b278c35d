"""Footnote numbering (recipe `[page] footnote_numbering`): ① again on every page, or per
chapter; calls and notes agree, in the single pass and the chunked build. Read from the PDF's
text (pdftotext)."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace

import pytest

from anthology.pdf import write_pdf
from anthology.sources import load_manuscript
from anthology.sources.manuscript import CIRCLED, circled

from . import DATA
from .pdfcheck import flat, page_texts

pytestmark = pytest.mark.slow

NOTES = 26
SENTENCE = "社会工作者走进社区，倾听居民的需要，和他们一起寻找解决问题的办法"


def _volume(tmp_path):
    """A volume of two chapters with many notes: 26 in the first, 3 in the second."""
    folder = tmp_path / "volume"
    shutil.copytree(DATA, folder)
    paragraphs = []
    for n in range(1, NOTES + 1):
        text = f"{SENTENCE}。{SENTENCE * (n % 3)}第{n}段结束。[^{n}]"
        paragraphs.append(text)
    notes = [f"[^{n}]: 这是第{n}条注释。" for n in range(1, NOTES + 1)]
    body = "\n\n".join(paragraphs) + "\n\n" + "\n".join(notes)
    (folder / "history" / "a.md").write_text(
        f"---\ntitle: 注释很多的一章\norder: 1\n---\n\n{body}\n", encoding="utf-8"
    )
    second = "\n\n".join(f"{SENTENCE}。第{n}段结束。[^{n}]" for n in range(1, 4))
    second += "\n\n" + "\n".join(f"[^{n}]: 这是第{n}条注释。" for n in range(1, 4))
    (folder / "history" / "b.md").write_text(
        f"---\ntitle: 第二章\norder: 2\n---\n\n{second}\n", encoding="utf-8"
    )
    recipe = folder / "volumes" / "small.toml"
    text = recipe.read_text(encoding="utf-8")
    both = 'chapters = ["history/a.md", "history/b.md"]'
    text = text.replace('chapters = ["history/a.md"]', both)
    recipe.write_text(text, encoding="utf-8")
    return recipe


def _numbers(pdf):
    """[(page, paragraph n, call's number, note's number)] for every note of the first
    chapter, read from the page where its call is (the note must be there too)."""
    found = []
    for page, text in enumerate(page_texts(pdf), 1):
        text = flat(text)
        if "目录" in text:
            continue
        if "第二章" in text:
            break
        for n, call in re.findall(f"第(\\d+)段结束。([{CIRCLED}])", text):
            note = re.search(f"([{CIRCLED}])这是第{n}条注释。", text)
            found.append((page, int(n), call, note.group(1) if note else None))
    return found


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    return _volume(tmp_path_factory.mktemp("notes"))


def test_notes_restart_on_every_page(recipe, tmp_path):
    manuscript = load_manuscript(recipe)
    assert manuscript.meta.footnote_numbering == "page"  # the default
    single = write_pdf(manuscript, tmp_path / "single.pdf", "print").path
    found = _numbers(single)
    assert [n for _page, n, _call, _note in found] == list(range(1, NOTES + 1))
    pages = sorted({page for page, *_ in found})
    assert len(pages) >= 3  # the notes are spread over pages
    for page in pages:
        on_page = [(call, note) for p, _n, call, note in found if p == page]
        calls = [call for call, _note in on_page]
        assert all(call == note for call, note in on_page), (page, on_page)
        assert calls == [circled(i) for i in range(1, len(calls) + 1)], (page, calls)
    # The chunked build numbers them alike (a chunk starts on a page of its own).
    chunked = write_pdf(manuscript, tmp_path / "chunked.pdf", "print", chunk_pages=4,
                        workers=2, cache_dir=tmp_path / "cache")  # fmt: skip
    assert _numbers(chunked.path) == found
    assert page_texts(chunked.path) == page_texts(single)


def test_notes_numbered_through_the_chapter(recipe, tmp_path):
    manuscript = load_manuscript(recipe)
    meta = replace(manuscript.meta, footnote_numbering="chapter")
    pdf = write_pdf(replace(manuscript, meta=meta), tmp_path / "chapter.pdf", "print").path
    found = _numbers(pdf)
    assert [(n, call, note) for _p, n, call, note in found] == [
        (n, circled(n), circled(n)) for n in range(1, NOTES + 1)
    ]
    # The next chapter starts from ① again.
    texts = [flat(t) for t in page_texts(pdf)]
    start = next(i for i, t in enumerate(texts) if "第二章" in t and "目录" not in t)
    second = "".join(texts[start : start + 2])
    assert "第1段结束。①" in second and "第3段结束。③" in second
