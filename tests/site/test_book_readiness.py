"""The readiness check on the volume page: what stops the build, what is left out, with links."""

from __future__ import annotations

from typing import Any

from buildjobs import demo_volume
from editorial import add_flag, text_of
from flask import Flask

from stories import db
from stories.models import Story, StoryStatus, User
from stories.operations import volumes
from stories.operations.books import readiness, settings


def _volume_page(app: Flask, make_story: Any, make_user: Any, login: Any) -> tuple[Any, list[int]]:
    client = app.test_client()
    publisher = make_user(role="publisher", username="publisher_he")
    login(client, publisher)
    return client, demo_volume(app, make_story, publisher, stories=3)


def test_a_ready_volume_says_so(app: Flask, make_story: Any, make_user: Any, login: Any) -> None:
    client, _ids = _volume_page(app, make_story, make_user, login)
    page = client.get("/editor/volumes/demo")
    assert page.status_code == 200
    text = text_of(page.data)
    assert "可以生成" in text or "Ready to build" in text
    assert "还没有 ISBN" in text or "no ISBN yet" in text  # a note, not a stop
    assert 'class="readiness-blocking"' not in page.data.decode()


def test_blocking_and_left_out_items_link_to_their_fix(
    app: Flask, make_story: Any, make_user: Any, login: Any
) -> None:
    client, ids = _volume_page(app, make_story, make_user, login)
    add_flag(app, ids[0])  # a privacy flag found after the story was accepted
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, ids[1])
        story.status = StoryStatus.in_review  # reopened after it was placed
        session.add(story)
        volume = volumes.get(session, "demo")
        data = {**settings.current_data(session, volume), "fonts": {"body": "No Such Song Font"}}
        settings.save(session, session.get(User, 1), volume, data)
    with app.app_context():
        found = readiness.check(db.session(), volumes.get(db.session(), "demo"))
    assert not found.ready
    assert [item.about for item in found.left_out] == ["story"]
    assert found.left_out[0].story_id == ids[1]
    abouts = sorted((item.about, item.story_id) for item in found.blocking)
    assert ("story", ids[0]) in abouts and ("settings", None) in abouts
    html = client.get("/editor/volumes/demo").data.decode()
    assert 'class="readiness-blocking"' in html and 'class="readiness-left-out"' in html
    assert f'href="/editor/stories/{ids[0]}"' in html
    assert 'href="/editor/volumes/demo/book/settings"' in html
    assert "No Such Song Font" in html
    assert "驿站的下午2" in text_of(html)
