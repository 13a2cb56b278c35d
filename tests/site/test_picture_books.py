"""Pictures from a Word file all the way into the books (issue 16): a phone photo with EXIF GPS
is stored without metadata, reviewed by an editor (fine, blurred, left out), and the print PDF,
the screen PDF and the EPUB built from the database's source tree carry exactly the published
files: no metadata, the blurred one blurred, the left-out one absent."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import photos
import pikepdf
import pytest
import submitting as s
from booking import with_app
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageStat

from anthology import build
from stories import db, demo
from stories.models import PictureReview, Story
from stories.operations import pictures, review, volumes
from stories.operations.books import sources

pytestmark = pytest.mark.slow
SIZES = {"fine": (1200, 900), "blurred": (1000, 800), "left_out": (800, 600)}


def _docx() -> bytes:
    from docx import Document
    from docx.shared import Inches

    document = Document()
    for kind, (width, height) in SIZES.items():
        document.add_paragraph(s.PARAGRAPH * 2)
        document.add_picture(io.BytesIO(photos.phone_photo(width, height)), width=Inches(3))
        document.inline_shapes[-1]._inline.docPr.set("descr", f"图片{kind}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _submit(client: FlaskClient) -> None:
    data = {**s.open_form(client), **s.fields(body="")}
    data["docx"] = (io.BytesIO(_docx()), "三张照片.docx")
    page = client.post("/submit/preview", data=data, content_type="multipart/form-data")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    carried = s.carried(page.get_data(as_text=True))
    carried.update(consent_licence="y", consent_people="y")
    assert client.post("/submit/send", data=carried).status_code == 303


def _edges(image: Image.Image) -> float:
    """How much detail a picture has: the mean difference of neighbouring pixels."""
    grey = image.convert("L")
    shifted = ImageChops.offset(grey, 1, 0)
    return ImageStat.Stat(ImageChops.difference(grey, shifted)).mean[0]


def _pdf_pictures(path: Path) -> dict[tuple[int, int], tuple[Image.Image, bytes]]:
    found = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _name, raw in page.get_images().items():
                picture = pikepdf.PdfImage(raw)
                found[(picture.width, picture.height)] = (
                    picture.as_pil_image(),
                    raw.read_raw_bytes(),
                )
    return found


def _epub_pictures(path: Path) -> dict[tuple[int, int], tuple[Image.Image, bytes]]:
    found = {}
    with zipfile.ZipFile(path) as epub:
        for name in epub.namelist():
            if "/images/" in name and not name.split("/")[-1].startswith("cover"):
                data = epub.read(name)
                image = Image.open(io.BytesIO(data))
                image.load()
                found[image.size] = (image, data)
    return found


@pytest.mark.one_database
def test_reviewed_pictures_in_the_print_pdf_the_screen_pdf_and_the_epub(
    app: Flask, client: FlaskClient, tmp_path: Path, capsys: Any
) -> None:
    with app.app_context():
        demo.load()
    _submit(client)
    story_id = s.stories(app)[-1].id
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        editor = demo.demo_editor(session)
        rows = pictures.rows(session, story)
        assert [(r.width, r.height) for r in rows] == list(SIZES.values())
        assert "base64" not in story.body
        review.decide(session, story, editor, "start_review")
        # Still to review: the book's gate in the site refuses acceptance.
        with pytest.raises(review.AcceptanceRefused):
            review.decide(session, story, editor, "accept")
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        editor = demo.demo_editor(session)
        for row, kind in zip(rows, SIZES, strict=True):
            pictures.review(session, editor, story, row.ref, PictureReview(kind))
        review.decide(session, story, editor, "accept")
        volumes.assign(session, editor, volumes.get(session, "demo"), story_id)
    written = with_app(app, "demo", lambda ss, v: sources.write_sources(ss, v, tmp_path / "src"))
    tree = tmp_path / "src"
    document = json.loads((tree / "stories.json").read_text("utf-8"))
    ours = [st for p in document["parts"] for st in p["stories"] if st["id"] == story_id][0]
    assert "base64" not in (tree / "stories.json").read_text("utf-8")
    assert [p["review"] for p in ours["pictures"]] == list(SIZES)
    files = sorted(p.name for p in (tree / "pictures").iterdir())
    assert len(files) == 2  # fine and blurred; the left-out picture never leaves the site
    out = tmp_path / "out"
    argv = [str(written.recipe), "--out", str(out), "--format", "print,screen,epub",
            "--chunk-pages", "0", "--no-cache", "-q"]  # fmt: skip
    assert build.main(argv) == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    assert "may still contain personal data" not in err or f"story-{story_id} " not in err

    outputs = {
        "print": _pdf_pictures(out / "demo-print.pdf"),
        "screen": _pdf_pictures(out / "demo-screen.pdf"),
        "epub": _epub_pictures(out / "demo.epub"),
    }
    for name, found in outputs.items():
        assert SIZES["left_out"] not in found, f"{name}: the left-out picture is printed"
        fine, fine_bytes = found[SIZES["fine"]]
        blurred, blurred_bytes = found[SIZES["blurred"]]
        for data in (fine_bytes, blurred_bytes):
            assert photos.has_metadata(data) == [], name  # no EXIF, GPS, XMP, comment
        for image in (fine, blurred):
            assert not image.getexif(), name
        assert _edges(fine) > 5, name  # the stripes are there (about 7)
        assert _edges(blurred) < 0.5, name  # and blurred away (about 0.1)
    assert outputs["print"][SIZES["fine"]][0].mode == "CMYK"  # the press's inks (issue 13)
    with pikepdf.open(out / "demo-screen.pdf") as screen:  # the tagged PDF's alt texts
        alts = {
            str(obj.get("/Alt"))
            for obj in screen.objects
            if isinstance(obj, pikepdf.Dictionary) and "/Alt" in obj
        }
    assert {"图片fine", "图片blurred"} <= alts and "图片left_out" not in alts
    epub_text = (
        zipfile.ZipFile(out / "demo.epub")
        .read(
            next(
                n for n in zipfile.ZipFile(out / "demo.epub").namelist() if f"story-{story_id}" in n
            )
        )
        .decode()
    )
    assert 'alt="图片fine"' in epub_text and "图片left_out" not in epub_text
    assert re.search(r"<figure[^>]*>\s*<img[^>]*alt=\"图片blurred\"", epub_text)
