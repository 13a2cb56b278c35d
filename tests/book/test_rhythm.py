"""Figures and tables keep the text on the line grid (issue 13): the body lines after a picture
with its caption, and after a table, sit at the heights of the lines of a page of plain text.
Line boxes from poppler (`pdftotext -bbox-layout`, tests/book/typography.py)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from anthology.pdf import write_pdf
from anthology.pdf.geometry import geometry
from anthology.sources import load_manuscript
from anthology.sources.manuscript import Chapter, Manuscript, Part, PictureFile
from anthology.text import pictures as references

from . import DATA
from .typography import lines

pytestmark = pytest.mark.slow

SMALL = DATA / "volumes" / "small.toml"
TEXT = "社区里的老人每天早上在驿站聚会，社工和志愿者陪他们读报、聊天、量血压，日子过得很充实"
TABLE = "| 时间 | 活动 |\n| --- | --- |\n| 周二下午 | 读报会 |\n| 周四上午 | 量血压，谈心 |"


def _picture(tmp_path: Path, width: int, height: int) -> PictureFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "JPEG")
    path = tmp_path / f"{width}x{height}.jpg"
    path.write_bytes(out.getvalue())
    ref = hashlib.sha256(out.getvalue()).hexdigest()
    return PictureFile(ref, "fine", str(path), ref)


def _with_first_story(manuscript: Manuscript, body: str, pictures) -> tuple[Manuscript, str]:
    first = manuscript.stories()[0]
    story = replace(first, body=body, pictures=pictures)

    def swap(item: Part | Chapter):
        if isinstance(item, Part):
            return replace(item, chapters=tuple(swap(c) for c in item.chapters))
        return story if item.id == first.id else item

    return replace(manuscript, body=tuple(swap(i) for i in manuscript.body)), first.id


def _body_lines(pdf: Path) -> dict[int, list[float]]:
    """The tops of the lines of the story's paragraphs (the test's own sentence), by page."""
    out: dict[int, list[float]] = {}
    for line in lines(pdf):
        if line.text.startswith("社区里的老人") or "段）。" in line.text:
            out.setdefault(line.page, []).append(line.y0)
    return out


@pytest.mark.parametrize("height", [260, 333])
def test_lines_after_a_figure_and_a_table_stay_on_the_grid(tmp_path: Path, height: int) -> None:
    manuscript = load_manuscript(SMALL)
    picture = _picture(tmp_path, 400, height)
    figure = references.reference(picture.ref, "驿站的照片", "驿站里的读报会：老人们围坐在一起")
    paragraphs = [f"{TEXT}（第{n}段）。" for n in range(1, 40)]
    body = "\n\n".join([*paragraphs[:2], TABLE, *paragraphs[2:4], figure, *paragraphs[4:]])
    manuscript, _id = _with_first_story(manuscript, body, (picture,))
    pdf = write_pdf(manuscript, tmp_path / "book.pdf", "print").path
    g = geometry(manuscript.meta)
    pitch = g.pitch
    by_page = _body_lines(pdf)
    assert len(by_page) >= 3
    # The grid: the heights of the lines of the pages without the figure or the table.
    full = max(by_page.values(), key=len)
    reference = full[0]
    off = {}
    for page, ys in by_page.items():
        for y in ys:
            steps = (y - reference) / pitch
            if abs(steps - round(steps)) * pitch > 0.5:
                off.setdefault(page, []).append(round(y, 1))
    assert off == {}, (off, pitch)
    # Lines after the figure and after the table were measured (they are on its pages).
    found = lines(pdf)
    figure_page = next(line.page for line in found if "读报会：" in line.text)
    table_page = next(line.page for line in found if "周四上午" in line.text)
    table_foot = max(line.y1 for line in found if "周四上午" in line.text)
    after = [y for y in by_page[table_page] if y > table_foot]
    figure_foot = max(line.y1 for line in found if "读报会：" in line.text)
    below = [y for y in by_page.get(figure_page, []) if y > figure_foot]
    assert after and below, (figure_page, table_page)
