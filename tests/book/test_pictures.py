"""A story's pictures in the book builder (issue 16): the references resolved to the files it
was given, captions and descriptions, left-out pictures, and the resolution at the printed size."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image

from anthology.pdf.html import body_html
from anthology.sources.figures import image_warnings
from anthology.sources.manuscript import Chapter, Kind, PictureFile, Source
from anthology.text import pictures as references


def _file(tmp_path: Path, width: int, height: int) -> PictureFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, "JPEG")
    path = tmp_path / f"{width}x{height}.jpg"
    path.write_bytes(out.getvalue())
    ref = hashlib.sha256(out.getvalue()).hexdigest()
    return PictureFile(ref, "fine", str(path), ref)


def _chapter(body: str, pictures: tuple[PictureFile, ...]) -> Chapter:
    return Chapter("story-1", Kind.story, "题目", body, Source("stories.json", 3),
                   pictures=pictures)  # fmt: skip


def test_references_become_figures_of_the_given_files(tmp_path: Path) -> None:
    shown = _file(tmp_path, 40, 30)
    left_out = PictureFile("b" * 64, "left_out")
    body = "\n\n".join(["正文。", references.reference(shown.ref, "一张<贺卡>", "孩子们做的"),
                        references.reference(left_out.ref, "不收录的照片"), "结尾。"])  # fmt: skip
    html = body_html(body, (shown, left_out))
    assert '<figure data-grid><img src="data:image/jpeg;base64,' in html
    assert 'alt="一张&lt;贺卡&gt;"' in html and "<figcaption>孩子们做的</figcaption>" in html
    assert "不收录" not in html and html.count("<img") == 1
    assert "picture:" not in html


def test_the_resolution_is_checked_at_the_printed_size(tmp_path: Path) -> None:
    wide, tall = _file(tmp_path, 900, 600), _file(tmp_path, 900, 3000)
    text_width, max_height = 120.0, 100.0
    for picture, warned in ((wide, True), (tall, False)):
        chapter = _chapter(references.reference(picture.ref, "图"), (picture,))
        warnings = image_warnings(chapter, body_html(chapter.body, chapter.pictures),
                                  text_width, max_height)  # fmt: skip
        # 900 px over the 120 mm column is 190 ppi; the tall one is limited by its height,
        # 100 mm high and 30 mm wide: 762 ppi.
        assert bool(warnings) is warned, warnings
        if warned:
            assert "prints at 190 ppi" in str(warnings[0]) and "stories.json:3" in str(warnings[0])
