"""Helpers for the submission tests: walk the real forms through the HTTP client (CSRF on)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import Consent, Story, StoryRevision

PARAGRAPH = "那天下午，我第一次走进老人的家。屋里很暗，桌上放着几串钥匙和一张旧照片，我们聊了很久。"
BODY = "\n".join([PARAGRAPH] * 6)  # 6 paragraphs, well over 200 characters

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_TOKEN = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')
_CODE = re.compile(r'class="tracking-code"[^>]*>([^<]+)<')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
_TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', re.S)


def csrf(page: str | bytes) -> str:
    text = page.decode() if isinstance(page, bytes) else page
    found = _CSRF.search(text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def fields(**overrides: Any) -> dict[str, Any]:
    """A complete, valid story form (without CSRF and token)."""
    data: dict[str, Any] = {
        "title": "钥匙挂在门后",
        "body": BODY,
        "pen_name": "青檀",
        "real_name": "王小明",
        "organisation": "禾苗社会工作服务中心",
        "province": "浙江省",
        "city": "杭州市",
        "service_field": "elderly",
        "years_in_practice": "6",
        "contact_phone": "138 0013 8000",
        "contact_email": "author@example.org",
    }
    data.update(overrides)
    return data


def open_form(client: FlaskClient, lang: str | None = None) -> dict[str, str]:
    """GET /submit; returns the CSRF and submission tokens of the form."""
    page = client.get("/submit" + (f"?lang={lang}" if lang else ""))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = _TOKEN.search(text)
    assert token, "no submission token in the form"
    return {"csrf_token": csrf(text), "submission_token": token.group(1)}


def preview(client: FlaskClient, **overrides: Any) -> Any:
    data = {**open_form(client), **fields(**overrides)}
    return client.post("/submit/preview", data=data, content_type="multipart/form-data")


def carried(page: str) -> dict[str, str]:
    """The hidden fields a preview page carries to the next step (as a browser would send)."""
    data = {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}
    for name, value in _TEXTAREA.findall(page):
        data[name] = html.unescape(value)
    data["csrf_token"] = csrf(page)
    return data


def submit(client: FlaskClient, **overrides: Any) -> str:
    """Form -> preview -> tick both consents -> send; returns the tracking code shown."""
    page = preview(client, **overrides)
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    data = carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:3000]
    receipt = client.get(sent.headers["Location"])
    return tracking_code(receipt.get_data(as_text=True))


def tracking_code(page: str) -> str:
    found = _CODE.search(page)
    assert found, "no tracking code on the page"
    return found.group(1).strip()


def stories(app: Flask) -> list[Story]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(Story).order_by(Story.id)).all())  # type: ignore[arg-type]


def revisions(app: Flask, story_id: int) -> list[StoryRevision]:
    with app.app_context(), db.session_scope() as session:
        query = select(StoryRevision).where(StoryRevision.story_id == story_id)
        return list(session.exec(query.order_by(StoryRevision.number)).all())  # type: ignore[arg-type]


def consents(app: Flask, story_id: int) -> list[Consent]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(Consent).where(Consent.story_id == story_id)).all())


def docx_file(
    paragraphs: list[str] | None = None, image: bytes | None = None, alt: str = ""
) -> bytes:
    """A real .docx built with python-docx: heading, bold, italic, lists and an optional picture."""
    from docx import Document
    from docx.shared import Inches

    document = Document()
    document.add_heading("第一章 走进社区", level=1)
    document.add_heading("一个下午", level=2)
    para = document.add_paragraph("我记得那天 ")
    para.add_run("特别冷").bold = True
    para.add_run("，老人说话很")
    para.add_run("轻").italic = True
    para.add_run("。")
    for text in paragraphs or [PARAGRAPH] * 4:
        document.add_paragraph(text)
    document.add_paragraph("准备热水", style="List Bullet")
    document.add_paragraph("带上报纸", style="List Bullet")
    document.add_paragraph("先敲门", style="List Number")
    document.add_paragraph("再问好", style="List Number")
    if image is not None:
        document.add_picture(io.BytesIO(image), width=Inches(1))
        if alt:
            # python-docx has no API for the alt text: set wp:docPr/@descr like Word does.
            doc_pr = document.inline_shapes[-1]._inline.docPr
            doc_pr.set("descr", alt)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def png(width: int = 4, height: int = 4) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, "PNG")
    return out.getvalue()
