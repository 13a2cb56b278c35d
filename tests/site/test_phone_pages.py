"""Pages with pictures fit a phone (issue 16): measured in a headless Chromium at 390 px, the
editor's story page, the author's status page and the submission pages have no horizontal
overflow, however large the picture and however long its reference."""

from __future__ import annotations

from typing import Any

import photos
import pytest
from chromium import OVERFLOW, browser, served
from flask import Flask
from flask.testing import FlaskClient

from anthology.text import pictures as references
from stories import pictures

pytestmark = pytest.mark.slow
WIDTH = 390


def _story_with_a_large_picture(app: Flask, make_story: Any) -> Any:
    with app.app_context():
        ref, _picture = pictures.store().add(photos.phone_photo(3000, 2000))
    body = "\n\n".join(
        [
            "那天我去张阿姨家，她的电话是13912345678，门牌号写在门框上。" * 3,
            references.reference(ref, "张阿姨家的窗台", "窗台上的花，2026年春天"),
            "回来的路上我一直在想她说的话。" * 12,
        ]
    )
    return make_story(body=body)


def _fits(page: Any, url: str) -> None:
    page.open(url)
    measured = page.evaluate(OVERFLOW)
    assert measured["client"] == WIDTH, measured
    assert measured["scroll"] <= WIDTH, f"{url} is {measured['scroll']} px wide: {measured['wide']}"


def test_the_pages_with_a_picture_fit_a_phone(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    made = _story_with_a_large_picture(app, make_story)
    login(client, make_user("editor"))
    session_cookie = client.get_cookie("session")
    assert session_cookie is not None
    with served(app) as base, browser(WIDTH) as page:
        # The author's pages: the status page (the current text opened) and the empty form.
        _fits(page, f"{base}/track/{made.tracking_code.replace('-', '')}")
        assert page.evaluate("document.querySelector('.story-body img').naturalWidth") == 3000
        _fits(page, f"{base}/submit")
        # The editor's story page: the picture, its thumbnail, the privacy text with the
        # reference, the review form.
        page.cookie(base, "session", session_cookie.value)
        _fits(page, f"{base}/editor/stories/{made.id}")
        shown = page.evaluate(
            "[...document.images].map(i => [i.className, i.naturalWidth, "
            "Math.round(i.getBoundingClientRect().width)])"
        )
        assert ["picture-thumb", 320, 160] in shown or any(
            c == "picture-thumb" and w <= 320 for c, w, _ in shown
        ), shown
        assert any(w == 3000 and shown_width <= WIDTH for _c, w, shown_width in shown), shown
        assert page.evaluate("document.querySelector('.story-text figure img') !== null")


def test_the_preview_of_a_word_file_with_a_large_photo_fits_a_phone(
    app: Flask, tmp_path: Any
) -> None:
    import io

    import submitting as s
    from docx import Document
    from docx.shared import Inches

    document = Document()
    document.add_paragraph(s.PARAGRAPH * 4)
    document.add_picture(io.BytesIO(photos.phone_photo(4000, 3000)), width=Inches(6))
    document.add_paragraph(s.PARAGRAPH * 2)
    word = tmp_path / "故事.docx"
    document.save(str(word))
    fill = """(() => {
      const f = document.querySelector('#story-form');
      f.title.value = '窗台上的花'; f.pen_name.value = '青檀';
      f.province.value = '浙江省'; f.service_field.value = 'elderly';
      f.requestSubmit();
    })()"""
    with served(app) as base, browser(WIDTH) as page:
        page.open(f"{base}/submit")
        page.upload("#docx", str(word))
        page.submit(fill)
        # The preview page, asking for the picture's description and caption.
        asks = "document.querySelectorAll('input[name^=picture-description-]').length"
        assert page.evaluate(asks) == 1
        assert page.evaluate("document.querySelectorAll('.story-body figure img').length") == 1
        measured = page.evaluate(OVERFLOW)
        assert measured["scroll"] <= WIDTH, measured
        assert page.evaluate("document.querySelector('.story-body img').naturalWidth") == 4000
