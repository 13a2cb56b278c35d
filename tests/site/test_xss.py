"""Hostile input never reaches a page as markup; control, bidi and NUL characters are removed."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from text.xss import VECTORS, audit

from stories.web import docx


def test_vectors_in_every_field_never_reach_a_page_as_markup(
    app: Flask, client: FlaskClient
) -> None:
    joined = " ".join(VECTORS)
    body = s.BODY + "\n" + "\n".join(VECTORS)
    title = VECTORS[0][:30]
    page = s.preview(client, title=title, pen_name=VECTORS[2][:40], organisation=joined[:100],
                     city=VECTORS[3][:50], body=body)  # fmt: skip
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    preview = page.get_data(as_text=True)
    assert audit(preview) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview  # shown as text
    assert "[点我](javascript:alert(1))" in preview

    code = s.submit(client, title=title, pen_name=VECTORS[2][:40], body=body)
    for path in ("", "/withdraw"):
        response = client.get(f"/track/{code}{path}")
        assert response.status_code == 200
        assert audit(response.get_data(as_text=True)) == [], path
    [story] = s.stories(app)
    assert story.title == title  # stored as typed; escaped only when shown


def test_vectors_in_a_word_file_never_reach_a_page_as_markup(client: FlaskClient) -> None:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = Document()
    document.add_heading(VECTORS[0], level=1)
    for vector in VECTORS:
        document.add_paragraph(vector)
    for _ in range(3):
        document.add_paragraph(s.PARAGRAPH)
    # A real hyperlink whose target is javascript: (Word allows any URL).
    paragraph = document.add_paragraph("链接：")
    rel_id = paragraph.part.relate_to(
        "javascript:alert(1)", RELATIONSHIP_TYPE.HYPERLINK, is_external=True
    )
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "危险链接"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    out = io.BytesIO()
    document.save(out)

    converted = docx.convert(out.getvalue())
    assert "\n链接：危险链接\n" in converted.markdown  # the link's text, without the link

    page = s.preview(client, body="", docx=(io.BytesIO(out.getvalue()), "evil.docx"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert audit(html) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "危险链接" in html


def test_control_bidi_nul_and_line_endings_are_cleaned(app: Flask, client: FlaskClient) -> None:
    title = "标题\x00一\x07二\u202e三\u2066四"
    pen_name = "Jose\u0301"  # decomposed é
    body = "第一段\x00有空字符\r\n第二段\u202d有双向控制\r第三段\x1b[31m\n" + s.BODY
    s.submit(client, title=title, pen_name=pen_name, body=body, city="杭州\x0c市")
    [story] = s.stories(app)
    assert story.title == "标题一二三四"
    assert story.pen_name == "José" and unicodedata.is_normalized("NFC", story.pen_name)
    assert story.city == "杭州市"
    assert story.body.startswith("第一段有空字符\n\n第二段有双向控制\n\n第三段\\[31m\n\n")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\r]", story.body)


@pytest.mark.parametrize(
    "text",
    ["普通的一段话。", "a * b # c <d> & e ~ f : g | h", "第一行\r\n\r\n  第二行  \n\t第三行"],
)
def test_typed_text_counts_the_same_before_and_after_rendering(text: str) -> None:
    from anthology.text.markdown import length as text_length
    from anthology.text.markdown import plain_length, plain_to_markdown

    assert plain_length(text) == text_length(plain_to_markdown(text))
