"""Word files and pictures are bounded before anything is decoded: a zip bomb, a text far too
long, a decompression bomb picture; the conversion itself runs with a time and memory limit."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
import submitting as s
from bombs import png_header
from flask import Flask
from flask.testing import FlaskClient

from anthology.text import limits
from stories.web import docx


def _with_document_xml(payload: bytes, document_xml: bytes) -> bytes:
    """The .docx `payload` with word/document.xml replaced (deflated, as Word writes it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = document_xml if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _paragraphs_xml(paragraph: str, count: int) -> bytes:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    run = f"<w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p>"
    return (f'<?xml version="1.0"?><w:document xmlns:w="{ns}"><w:body>' + run * count
            + "</w:body></w:document>").encode()  # fmt: skip


def test_a_zip_bomb_of_paragraphs_is_refused_at_once() -> None:
    """About 190 MB of paragraphs in a file of a few hundred KB: refused from the zip headers."""
    bomb = _with_document_xml(s.docx_file(), _paragraphs_xml("社" * 20, 2_500_000))
    assert len(bomb) < 2_000_000
    started = time.perf_counter()
    with pytest.raises(docx.DocxError) as raised:
        docx.convert(bomb, "bomb.docx", max_chars=30000)
    assert time.perf_counter() - started < 2
    assert "too large or damaged" in str(raised.value.message)


def test_a_text_far_too_long_is_refused_before_the_conversion() -> None:
    """20 MB of XML would take mammoth half a minute: the streamed count stops it first."""
    long = _with_document_xml(s.docx_file(), _paragraphs_xml("老人说话很慢" * 3, 40_000))
    started = time.perf_counter()
    with pytest.raises(docx.DocxError) as raised:
        docx.convert(long, "long.docx", max_chars=30000)
    assert time.perf_counter() - started < 2
    assert "30,000" in str(raised.value.message)
    # Over the story limit, a file converts as a chapter (no text limit): 36,000 characters.
    chapter = _with_document_xml(s.docx_file(), _paragraphs_xml("老人说话很慢" * 3, 2_000))
    with pytest.raises(docx.DocxError):
        docx.convert(chapter, "chapter.docx", max_chars=30000)
    assert docx.convert(chapter, "chapter.docx").markdown.count("老人说话很慢") == 6000


def test_a_decompression_bomb_picture_is_refused_from_its_header() -> None:
    bomb = png_header(20_000, 20_000)
    assert len(bomb) < 200
    with pytest.raises(limits.PictureTooLarge) as raised:
        limits.picture_size(bomb)
    assert raised.value.width == 20_000 and raised.value.height == 20_000
    assert limits.picture_size(png_header(4000, 3000)) == (4000, 3000)
    payload = s.docx_file(image=bomb)
    assert len(payload) < 60_000
    with pytest.raises(docx.DocxError) as error:
        docx.convert(payload, "picture.docx")
    assert "20000 × 20000" in str(error.value.message)


def test_the_form_explains_a_refused_picture_in_chinese(app: Flask, client: FlaskClient) -> None:
    upload = (io.BytesIO(s.docx_file(image=png_header(20_000, 20_000))), "故事.docx")
    page = s.preview(client, body="", docx=upload)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "图片过大" in text and "20000 × 20000" in text
    assert s.stories(app) == []


def test_the_conversion_has_a_time_and_a_memory_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(limits.TooCostly):
        limits.bounded(lambda: time.sleep(30), seconds=1)
    assert time.perf_counter() - started < 4

    def hungry() -> int:
        blocks = [bytearray(64 * 1024 * 1024) for _ in range(40)]  # 2.5 GB
        return len(blocks)

    with pytest.raises(limits.TooCostly):
        limits.bounded(hungry, seconds=10, memory_mb=256)
    assert limits.bounded(lambda: 6 * 7) == 42
