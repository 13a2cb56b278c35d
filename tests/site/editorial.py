"""Helpers for the editorial tests: stories made directly with the models, pages read back."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.db import utcnow
from stories.models import (
    AuditEvent,
    Consent,
    ConsentKind,
    PrivacyFlag,
    PrivacyKind,
    RevisionSource,
    ServiceField,
    Story,
    StoryRevision,
    StoryStatus,
)

BODY = (
    "那年冬天，社区里的独居老人老周把自己关在家里，不愿见人。\n\n"
    "我第一次敲门时，他只隔着门说了一句“我很好”。后来我每周都去，带着报纸和一壶热水。"
)


def new_story(
    app: Flask,
    title: str = "冬天里的一壶热水",
    body: str = BODY,
    status: StoryStatus = StoryStatus.submitted,
    consents: Iterable[str] = ("licence", "people"),
    **fields: Any,
) -> int:
    """A submitted story with revision 1 (the original) and the given consents; returns its id."""
    with app.app_context(), db.session_scope() as session:
        now = utcnow()
        story = Story(
            title=title,
            body=body,
            pen_name=fields.pop("pen_name", "小林"),
            real_name=fields.pop("real_name", "林晓红"),
            organisation=fields.pop("organisation", "阳光社工服务中心"),
            province="广东省",
            city="深圳市",
            service_field=ServiceField.elderly,
            contact_phone=fields.pop("contact_phone", "13800138000"),
            contact_email="lin@example.org",
            status=status,
            submitted_at=now,
            **fields,
        )
        session.add(story)
        session.flush()
        session.add(
            StoryRevision(
                story_id=story.id, number=1, title=title, body=body, source=RevisionSource.author
            )
        )
        for kind in consents:
            session.add(
                Consent(story_id=story.id, kind=ConsentKind(kind), text="同意", version="t")
            )
        return story.id  # type: ignore[return-value]


def add_flag(app: Flask, story_id: int, text: str = "老周", kind: str = "person_name") -> int:
    with app.app_context(), db.session_scope() as session:
        flag = PrivacyFlag(
            story_id=story_id, kind=PrivacyKind(kind), text=text, start=10, end=10 + len(text)
        )
        session.add(flag)
        session.flush()
        return flag.id  # type: ignore[return-value]


def load(app: Flask, model: Any, ident: Any) -> Any:
    with app.app_context(), db.session_scope() as session:
        return session.get(model, ident)


def rows(app: Flask, query: Any) -> list[Any]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(query).all())


def events(app: Flask, action: str | None = None, story_id: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    if story_id is not None:
        query = query.where(AuditEvent.story_id == story_id)
    return rows(app, query)


def token_of(client: FlaskClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.data.decode())
    assert found
    return found.group(1)


def text_of(html: bytes | str) -> str:
    """Visible text without tags, entities unescaped (for asserting page content)."""
    import html as html_lib

    raw = html.decode() if isinstance(html, bytes) else html
    return html_lib.unescape(re.sub(r"<[^>]+>", "", raw))
