"""Drafts: save the form (a Word file too), reopen it on another client, send it, expiry; the
draft link by mail; drafts never reach the editors' queue."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from smtpserver import Inbox, links_in, path_of
from sqlmodel import select

from stories import db
from stories.models import Draft, Story

_LINK = re.compile(r'class="draft-link">([^<]+)<')


def save_draft(client: FlaskClient, **overrides: Any) -> str:
    """Fill in the form and press "Save as a draft"; the private draft link shown."""
    data = {**s.open_form(client), **s.fields(**overrides)}
    response = client.post("/submit/draft", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"])
    found = _LINK.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:2000]
    return found.group(1)


class _Form(HTMLParser):
    """The values a browser would send from a page's form (inputs, selects, textareas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") not in ("file", "checkbox"):
            self.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.values[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.values[self.textarea or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def form_values(page: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(page)
    values = parser.values
    for name in list(values):
        if name == "body":
            values[name] = values[name].removeprefix("\n")
    return values


def drafts(app: Flask) -> list[Draft]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(Draft)).all())


def test_a_draft_with_a_word_file_reopens_on_another_client_and_can_be_sent(
    app: Flask, client: FlaskClient
) -> None:
    upload = (io.BytesIO(s.docx_file(image=s.png())), "我的故事.docx")
    link = save_draft(client, body="", docx=upload, title="草稿里的故事", city="宁波市")
    [draft] = drafts(app)
    assert draft.form["docx_name"] == "我的故事.docx" and "走进社区" in draft.form["docx_markdown"]
    assert draft.contact_email == "author@example.org"
    assert (draft.expires_at - draft.updated_at).days == 30
    assert s.stories(app) == []  # a draft is not a story

    phone = app.test_client()  # another device: no session, no cookie
    page = phone.get(path_of(link))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="草稿里的故事"' in text and 'value="宁波市"' in text and 'value="青檀"' in text
    assert "我的故事.docx" in text  # the Word file is still attached
    assert page.headers["Cache-Control"] == "no-store"
    # Preview and send from there: the story is the Word text; the draft is gone.
    data = form_values(text)
    preview = phone.post("/submit/preview", data=data, content_type="multipart/form-data")
    assert preview.status_code == 200 and "特别冷" in preview.get_data(as_text=True)
    sent = s.carried(preview.get_data(as_text=True))
    sent.update(consent_licence="y", consent_people="y")
    assert phone.post("/submit/send", data=sent).status_code == 303
    [story] = s.stories(app)
    assert story.title == "草稿里的故事" and "**特别冷**" in story.body and story.city == "宁波市"
    assert drafts(app) == []
    again = app.test_client().get(path_of(link))
    assert again.status_code == 404 and "草稿" in again.get_data(as_text=True)


def test_saving_again_updates_the_same_draft(app: Flask, client: FlaskClient) -> None:
    link = save_draft(client, title="第一稿")
    page = client.get(path_of(link))
    data = form_values(page.get_data(as_text=True)) | {"title": "第二稿"}
    assert client.post("/submit/draft", data=data).status_code == 303
    [draft] = drafts(app)
    assert draft.form["title"] == "第二稿"


def test_a_half_written_form_is_kept_as_it_is(app: Flask, client: FlaskClient) -> None:
    """A draft needs nothing but the security token: no title, a short text, no province."""
    link = save_draft(client, title="", body="刚写了一句。", province="", pen_name="")
    page = app.test_client().get(path_of(link))
    assert page.status_code == 200 and "刚写了一句。" in page.get_data(as_text=True)


def test_expired_drafts_are_refused_and_deleted(make_app: Any) -> None:
    app = make_app(DRAFT_DAYS=1)
    client = app.test_client()
    link = save_draft(client)
    with app.app_context(), db.session_scope() as session:
        draft = session.exec(select(Draft)).one()
        draft.expires_at = draft.expires_at - timedelta(days=1, seconds=1)
        session.add(draft)
    assert app.test_client().get(path_of(link)).status_code == 404
    result = app.test_cli_runner().invoke(args=["mail", "purge-drafts"])
    assert result.exit_code == 0 and "1 expired draft(s) deleted" in result.output
    assert drafts(app) == []


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox().start()
    yield box
    box.stop()


def test_the_draft_link_is_mailed_and_works(make_app: Any, inbox: Inbox) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, QUEUE_IMMEDIATE=True)
    client = app.test_client()
    link = save_draft(client, title="邮件里的草稿")
    [message] = inbox.wait(1, to="author@example.org")
    assert "草稿" in message["Subject"]
    [mailed] = [found for found in links_in(message) if "/submit/draft/" in found]
    assert path_of(mailed) == path_of(link)
    page = app.test_client().get(path_of(mailed))
    assert 'value="邮件里的草稿"' in page.get_data(as_text=True)
    # Saving again with the same address sends no second mail.
    data = form_values(client.get(path_of(link)).get_data(as_text=True))
    assert client.post("/submit/draft", data=data).status_code == 303
    assert len(inbox.received) == 1


def test_the_queue_has_no_draft_tab(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    save_draft(app.test_client(), title="没人看见的草稿")
    login(client, make_user(role="editor"))
    page = client.get("/editor/queue").get_data(as_text=True)
    assert "status=draft" not in page and "没人看见的草稿" not in page
    with app.app_context(), db.session_scope() as session:
        assert session.exec(select(Story)).all() == []
