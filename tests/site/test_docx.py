"""Word import: real .docx files built with python-docx, through the converter and the form."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient

from anthology.text.markdown import render
from stories.web import docx


def test_headings_bold_italic_lists_paragraphs_and_a_picture() -> None:
    converted = docx.convert(s.docx_file(image=s.png(), alt="社区活动室"), "故事.docx")
    md = converted.markdown
    assert converted.images == 1 and converted.dropped_images == 0
    assert "## 第一章 走进社区\n" in md  # Word's Heading 1 -> the first heading level we print
    assert "### 一个下午\n" in md
    assert "我记得那天 **特别冷**，老人说话很*轻*。" in md
    html = render(md)
    assert "<h2>第一章 走进社区</h2>" in html and "<h3>一个下午</h3>" in html
    assert "<strong>特别冷</strong>" in html and "<em>轻</em>" in html
    assert re.search(r"<ul>\s*<li>准备热水</li>\s*<li>带上报纸</li>\s*</ul>", html)
    assert re.search(r"<ol>\s*<li>先敲门</li>\s*<li>再问好</li>\s*</ol>", html)
    assert html.count("<p>" + s.PARAGRAPH + "</p>") == 4
    image = re.search(r'<img alt="社区活动室" src="data:image/png;base64,([^"]+)"', html)
    assert image is not None


def test_pictures_in_other_formats_are_left_out() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "BMP")
    converted = docx.convert(s.docx_file(image=out.getvalue()))
    assert converted.images == 0 and converted.dropped_images == 1
    assert "data:image/bmp" not in converted.markdown and "<img" not in render(converted.markdown)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "empty"),
        (b"just some text, renamed to .docx", "not a Word .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Word (.doc)"),
        ("zip-without-document", "not a Word .docx"),
        ("damaged-document", "could not be read"),
    ],
)
def test_files_that_are_not_a_real_docx_are_refused(payload: Any, message: str) -> None:
    if payload == "zip-without-document":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("hello.txt", "hi")
        payload = out.getvalue()
    elif payload == "damaged-document":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(s.docx_file())) as source, zipfile.ZipFile(out, "w") as z:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "word/document.xml":
                    data = data[: len(data) // 2]  # cut in the middle: broken XML
                z.writestr(item, data)
        payload = out.getvalue()
    with pytest.raises(docx.DocxError) as raised:
        docx.convert(payload, "story.docx")
    assert message in str(raised.value.message)
    assert "story.docx" in str(raised.value)  # the error names the file


def test_upload_is_converted_and_shown_for_confirmation(app: Flask, client: FlaskClient) -> None:
    upload = (io.BytesIO(s.docx_file(image=s.png())), "我的故事.docx")
    page = s.preview(client, body="", docx=upload)
    text_ = page.get_data(as_text=True)
    assert page.status_code == 200, text_[:2000]
    assert "<h2>第一章 走进社区</h2>" in text_ and "<strong>特别冷</strong>" in text_
    # The picture is kept in the store and shown at its signed address (issue 16).
    assert re.search(r'<figure><img src="/pictures/[^"]+" alt=""></figure>', text_)
    assert "base64" not in text_
    data = s.carried(text_)
    assert data["docx_name"] == "我的故事.docx" and data["docx_markdown"]
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    assert sent.status_code == 303
    code = s.tracking_code(client.get("/submit/sent").get_data(as_text=True))
    [story] = s.stories(app)
    assert story.body.startswith("## 第一章 走进社区\n")
    assert "**特别冷**" in story.body and re.search(r"!\[\]\(picture:[0-9a-f]{64}\)", story.body)
    assert s.revisions(app, story.id or 0)[0].body == story.body
    status = client.get(f"/track/{code}").get_data(as_text=True)
    assert "<h2>第一章 走进社区</h2>" in status


def test_a_file_that_is_not_a_docx_gets_a_400_form_error_and_keeps_the_text(
    app: Flask, client: FlaskClient
) -> None:
    for name, payload in (("story.docx", b"%PDF-1.4 not a word file"),
                          ("story.txt", b"plain text")):  # fmt: skip
        page = s.preview(client, docx=(io.BytesIO(payload), name))
        text_ = page.get_data(as_text=True)
        assert page.status_code == 400
        assert re.search(r'id="docx-error"[^>]*><p>这不是 Word .docx 文件', text_)
        assert s.PARAGRAPH in text_ and 'value="钥匙挂在门后"' in text_
    client.get("/?lang=en")
    page = s.preview(client, docx=(io.BytesIO(b"nope"), "x.docx"))
    assert "This is not a Word .docx file." in page.get_data(as_text=True)
    assert s.stories(app) == []


def test_tampered_word_text_is_refused(app: Flask, client: FlaskClient) -> None:
    page = s.preview(client, body="", docx=(io.BytesIO(s.docx_file()), "a.docx"))
    data = s.carried(page.get_data(as_text=True))
    data["docx_markdown"] = data["docx_markdown"][:-3] + "abc"
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    assert sent.status_code == 422
    assert "转换后的 Word 文本已损坏" in sent.get_data(as_text=True)
    assert s.stories(app) == []


def test_typing_instead_of_the_word_file_keeps_the_text(client: FlaskClient) -> None:
    page = s.preview(client, body="", docx=(io.BytesIO(s.docx_file()), "a.docx"))
    data = s.carried(page.get_data(as_text=True))
    data["drop_docx"] = "1"
    data["body"] = ""
    form = client.post("/submit/edit", data=data).get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', form, re.S)
    assert textarea is not None and "hidden" not in textarea.group(0).split(">")[0]
    lines = textarea.group(1).strip().splitlines()
    assert lines[:3] == ["第一章 走进社区", "一个下午", "我记得那天 特别冷，老人说话很轻。"]
    assert "准备热水" in lines


def test_web_links_are_kept_other_links_keep_only_their_text() -> None:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document = Document()
    for target, label in (("https://example.org/a b", "网站"), ("file:///etc/passwd", "文件")):
        paragraph = document.add_paragraph("见")
        rel_id = paragraph.part.relate_to(target, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel_id)
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = label
        run.append(text)
        link.append(run)
        paragraph._p.append(link)
    out = io.BytesIO()
    document.save(out)
    markdown = docx.convert(out.getvalue()).markdown
    assert "见[网站](https://example.org/a%20b)" in markdown
    assert "见文件" in markdown and "passwd" not in markdown


def test_left_out_pictures_are_reported_on_the_preview(client: FlaskClient) -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "BMP")
    upload = (io.BytesIO(s.docx_file(image=out.getvalue())), "a.docx")
    page = s.preview(client, body="", docx=upload)
    assert page.status_code == 200
    assert "有 1 张图片的格式无法显示，已略去" in page.get_data(as_text=True)


def test_get_on_a_form_step_starts_a_new_form(client: FlaskClient) -> None:
    for step in ("edit", "preview", "send"):
        response = client.get(f"/submit/{step}")
        assert response.status_code == 302 and response.headers["Location"].endswith("/submit")
