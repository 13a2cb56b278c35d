"""Demo content: the stories.json of the demo book, and loading it into the database once."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import func, select

from anthology.text.markdown import length as text_length
from anthology.text.markdown import render
from stories import db, demo
from stories.models import Consent, Decision, ServiceField, Story, StoryRevision, StoryStatus, User

STORY_KEYS = {"id", "title", "body", "pen_name", "organisation", "province", "city",
              "service_field", "years_in_practice", "revision", "submitted_at", "accepted_at",
              "consents", "privacy"}  # fmt: skip


def test_demo_book_is_a_version_1_stories_file() -> None:
    data = json.loads(demo.STORIES.read_text(encoding="utf-8"))
    assert data["format"] == "social-work-stories" and data["version"] == 1
    assert "演示" in data["volume"]["description"] and "虚构" in data["volume"]["description"]
    assert 3 <= len(data["parts"]) <= 4
    entries = [entry for part in data["parts"] for entry in part["stories"]]
    assert 10 <= len(entries) <= 12
    assert len({entry["id"] for entry in entries}) == len(entries)
    assert len({entry["service_field"] for entry in entries}) >= 6
    assert len({entry["province"] for entry in entries}) >= 8
    for entry in entries:
        assert set(entry) == STORY_KEYS, entry["id"]  # never real names or contact data
        ServiceField(entry["service_field"])
        assert "虚构" in entry["organisation"]
        assert 600 <= text_length(entry["body"]) <= 1500, entry["title"]
        assert render(entry["body"]).count("<p>") >= 6
        assert set(entry["consents"]) == {"licence", "people"}
        assert entry["privacy"] == {"unresolved_flags": 0, "override_reason": None}
        for key in ("submitted_at", "accepted_at"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry[key])


def test_demo_load_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "Loaded 14 demo stories." in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "already loaded" in second.output
    with app.app_context(), db.session_scope() as session:
        stories = session.exec(select(Story)).all()
        assert len(stories) == 14
        accepted = [story for story in stories if story.status == StoryStatus.accepted]
        assert len(accepted) == 11
        editor = session.exec(select(User).where(User.username == demo.EDITOR)).one()
        assert editor.password_hash == "!"
        assert all(story.decided_by_id == editor.id and story.decided_at for story in accepted)
        assert {story.status for story in stories} == {
            StoryStatus.accepted, StoryStatus.submitted, StoryStatus.revision_requested,
        }  # fmt: skip
        revisions = session.exec(select(func.count()).select_from(StoryRevision)).one()
        consents = session.exec(select(func.count()).select_from(Consent)).one()
        decisions = session.exec(select(func.count()).select_from(Decision)).one()
        assert (revisions, consents, decisions) == (14, 28, 24)
        for story in stories:
            first = session.exec(
                select(StoryRevision).where(StoryRevision.story_id == story.id)
            ).one()
            assert (first.number, first.body) == (1, story.body)


def test_demo_queue_story_can_be_tracked(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        demo.load()
    page = client.get("/track/demx-rvsn-2345", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "教室后排的男孩" in text and "请补充一下" in text


def test_demo_load_fills_the_demo_book_from_its_recipe_once(app: Flask) -> None:
    from stories.models import AuditEvent, BookChapter, BookSettings, ChapterRevision, Volume
    from stories.operations.books import contents

    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context(), db.session_scope() as session:
        volume = session.exec(select(Volume).where(Volume.slug == "demo")).one()
        [settings] = session.exec(select(BookSettings)).all()
        assert settings.data["title"] == "一线之光" and settings.data["isbn_demo"] is True
        assert settings.data["cip"].startswith("图书在版编目（CIP）数据")
        book = contents.structure(session, volume)
        assert [c.title for c in book.front] == ["序言"]
        assert [(p.title, [c.title for c in p.chapters]) for p in book.history] == [
            ("百年回望", ["从济贫到助人自助"])
        ]
        assert [c.title for c in book.back] == ["后记"] and book.contributors
        counts = [session.exec(select(func.count()).select_from(model)).one()
                  for model in (BookChapter, ChapterRevision)]  # fmt: skip
        assert counts == [3, 3]  # loaded once
        imports = session.exec(
            select(AuditEvent).where(AuditEvent.action == "book.recipe_import")
        ).all()
        assert len(imports) == 1


def test_the_demo_book_is_shown_on_the_website(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    with app.app_context():
        demo.load()
    login(client, make_user(role="publisher"))
    book = client.get("/editor/volumes/demo/book").data.decode()
    assert "一线之光" in book and "序言" in book and "百年回望" in book and "后记" in book
    settings_page = client.get("/editor/volumes/demo/book/settings").data.decode()
    assert (
        'value="978-7-5123-4567-6"' in settings_page
        and "中国版本图书馆CIP数据核字" in settings_page
    )
