"""build.py --proof: one story alone in the volume's trim and fonts, a proof mark on every page,
the publication gate not applied (editors proof stories before they accept them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from anthology import build
from anthology.pdf.html import proof_mark
from anthology.sources import load_manuscript

from . import DATA as BOOK
from .pdfcheck import flat, ghostscript_problems, page_texts

MM = 72 / 25.4


@pytest.fixture
def book(tmp_path: Path) -> Path:
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


def test_a_proof_is_the_story_alone_marked_on_every_page(book: Path, tmp_path: Path) -> None:
    stories = book.parent.parent / "stories.json"
    data = json.loads(stories.read_text("utf-8"))
    story = data["parts"][0]["stories"][0]
    story["consents"] = {}  # not yet consented: the gate would refuse the volume
    story["revision"] = 3
    story["body"] = "\n\n".join(["窗口外面是一条很长的街，" * 30] * 12)
    stories.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    out = tmp_path / "dist"
    assert build.main([str(book), "--out", str(out), "-q", "--proof", "story-101"]) == 0
    assert [p.name for p in out.iterdir()] == ["small-proof-story-101.pdf"]
    pdf = out / "small-proof-story-101.pdf"
    pages = [flat(t) for t in page_texts(pdf)]
    assert len(pages) >= 2
    for text in pages:  # the mark on every page, with the revision
        assert (
            "校样" in text and "《张望的窗口》" in text and "第3稿" in text and "不得付印" in text
        )
    whole = "".join(pages)
    assert "窗口外面是一条很长的街" in whole
    assert "阿拉丁的灯" not in whole  # no other story, no contents, no title page
    assert "目录" not in whole  # nor the contents
    meta = load_manuscript(book).meta
    trim = PdfReader(pdf).pages[0].trimbox
    assert round(float(trim.width) / MM) == round(meta.trim.width_mm)
    assert round(float(trim.height) / MM) == round(meta.trim.height_mm)
    assert ghostscript_problems(pdf) == []


def test_a_proof_of_a_chapter_the_volume_does_not_have_is_an_error(
    book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist"
    assert build.main([str(book), "--out", str(out), "-q", "--proof", "story-999"]) == 1
    assert "no chapter 'story-999'" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_the_proof_mark_names_the_revision_and_the_time() -> None:
    manuscript = load_manuscript(BOOK / "volumes" / "small.toml")
    chapter = manuscript.stories()[0]
    mark = proof_mark(chapter, "2026-12-01 09:05")
    assert mark.startswith("校样 · 《") and "2026-12-01 09:05" in mark and mark.endswith("不得付印")
