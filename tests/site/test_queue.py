"""The editorial queue through the HTTP client: tabs, filters, sorting, pages, bulk actions."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from anthology.text.markdown import plain_to_markdown
from stories import db
from stories.db import utcnow
from stories.models import ServiceField, Story, StoryTag, Tag, User, VolumeEntry
from stories.operations import volumes


def titles(response: Any) -> list[str]:
    """The story titles listed in the queue table, in order."""
    html = response.data.decode()
    assert response.status_code == 200
    return re.findall(r'<a href="/editor/stories/\d+">([^<]+)</a>', html)


@pytest.fixture
def editor(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="editor", username="editor_chen")
    login(client, user)
    return user


def set_submitted(app: Flask, story_id: int, days_ago: int) -> None:
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        assert story is not None
        story.submitted_at = utcnow() - timedelta(days=days_ago)
        story.last_activity_at = utcnow() - timedelta(days=10 - days_ago)
        session.add(story)


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/editor/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/editor/queue/bulk", data={}).status_code in (302, 400)


def test_tabs_filters_and_sorting(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    a = make_story(title="甲 老人", service_field=ServiceField.elderly, province="浙江省").id
    b = make_story(title="乙 儿童", service_field=ServiceField.children, province="广东省").id
    c = make_story(
        status="accepted", title="丙 社区", service_field=ServiceField.community, province="浙江省"
    ).id
    d = make_story(
        status="in_review",
        title="丁 电话",
        province="北京市",
        body=plain_to_markdown("联系王奶奶的儿子，手机13812345678。" * 10),
    ).id
    for story_id, days in ((a, 9), (b, 5), (c, 3), (d, 1)):
        set_submitted(app, story_id, days)

    page = client.get("/editor/queue?work=all")
    assert titles(page) == ["丁 电话", "丙 社区", "乙 儿童", "甲 老人"]
    text = text_of(page.data)
    assert re.search(r"(全部|All)\s*4", text)
    assert re.search(r"(已采用|Accepted)\s*1", text)
    assert re.search(r"(已投稿|Submitted)\s*2", text)

    assert titles(client.get("/editor/queue?status=submitted")) == ["乙 儿童", "甲 老人"]
    assert titles(client.get("/editor/queue?status=accepted")) == ["丙 社区"]
    assert titles(client.get("/editor/queue?field=children")) == ["乙 儿童"]
    assert titles(client.get("/editor/queue?province=浙江省")) == ["丙 社区", "甲 老人"]
    assert titles(client.get("/editor/queue?flagged=1")) == ["丁 电话"]
    since = (utcnow() - timedelta(days=6)).date().isoformat()
    until = (utcnow() - timedelta(days=2)).date().isoformat()
    assert titles(client.get(f"/editor/queue?since={since}&until={until}")) == [
        "丙 社区",
        "乙 儿童",
    ]
    assert titles(client.get("/editor/queue?work=all&sort=submitted_asc")) == [
        "甲 老人",
        "乙 儿童",
        "丙 社区",
        "丁 电话",
    ]
    assert titles(client.get("/editor/queue?work=all&sort=title")) == sorted(
        ["甲 老人", "乙 儿童", "丙 社区", "丁 电话"]
    )
    assert titles(client.get("/editor/queue?work=all&sort=activity")) == [
        "甲 老人",
        "乙 儿童",
        "丙 社区",
        "丁 电话",
    ]
    # Tabs keep the other filters; their counts follow them.
    filtered = client.get("/editor/queue?province=浙江省").data.decode()
    assert "province=" in filtered and re.search(r"(全部|All)\s*2", text_of(filtered))
    # Nonsense in the query string is ignored, not an error.
    assert client.get("/editor/queue?status=x&field=y&since=z&page=w").status_code == 200


def test_pagination(make_app: Any, make_story: Any, make_user: Any, login: Any) -> None:
    app = make_app(QUEUE_PAGE_SIZE=2)
    client = app.test_client()
    login(client, make_user(role="editor"))
    for i in range(5):
        set_submitted(app, make_story(title=f"第{i}篇").id, 9 - i)
    assert titles(client.get("/editor/queue")) == ["第4篇", "第3篇"]
    second = client.get("/editor/queue?page=2")
    assert titles(second) == ["第2篇", "第1篇"]
    html = second.data.decode()
    assert 'href="/editor/queue?page=3" rel="next"' in html
    assert 'href="/editor/queue" rel="prev"' in html
    assert titles(client.get("/editor/queue?page=3")) == ["第0篇"]
    assert titles(client.get("/editor/queue?page=99")) == ["第0篇"]


def bulk(client: FlaskClient, ids: list[int], **fields: str) -> Any:
    token = token_of(client, "/editor/queue")
    data: dict[str, Any] = {"csrf_token": token, "story": [str(i) for i in ids], **fields}
    return client.post("/editor/queue/bulk", data=data)


def test_bulk_tag_and_filter_by_tag(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    ids = [make_story(title=f"篇{i}").id for i in range(3)]
    response = bulk(client, ids[:2], action="tag", tag="优秀")
    assert response.status_code == 302
    tagged = rows(app, select(StoryTag.story_id).order_by(StoryTag.story_id))
    assert tagged == ids[:2]
    assert [t.name for t in rows(app, select(Tag))] == ["优秀"]
    assert sorted(titles(client.get("/editor/queue?tag=优秀"))) == ["篇0", "篇1"]
    assert len(events(app, "story.tag")) == 2
    # Without a CSRF token nothing happens.
    client.post("/editor/queue/bulk", data={"story": [str(ids[2])], "action": "tag", "tag": "x"})
    assert len(rows(app, select(StoryTag))) == 2


def test_bulk_assign_and_export_are_for_publishers(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    accepted = [make_story(status="accepted", title=f"录用{i}").id for i in range(2)]
    waiting = make_story(title="待审").id
    publisher = make_user(role="publisher")
    with app.app_context(), db.session_scope() as session:
        actor = session.get(User, publisher.id)
        assert actor is not None
        volumes.create_volume(session, actor, "vol", "卷")
    login(client, make_user(role="editor"))
    bulk(client, accepted, action="assign", volume="vol")
    assert rows(app, select(VolumeEntry)) == []
    refused = bulk(client, accepted, action="export")
    assert refused.status_code == 302

    client = app.test_client()
    login(client, publisher)
    bulk(client, [*accepted, waiting], action="assign", volume="vol")
    assert rows(app, select(VolumeEntry)) == []  # one story is not accepted: nothing changes
    bulk(client, accepted, action="assign", volume="vol")
    placed = rows(app, select(VolumeEntry).order_by(VolumeEntry.position))
    assert [e.story_id for e in placed] == accepted
    assert sorted(titles(client.get("/editor/queue?volume=vol"))) == ["录用0", "录用1"]
    assert titles(client.get("/editor/queue?volume=none")) == ["待审"]

    response = bulk(client, [waiting, *accepted], action="export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert [s["id"] for s in document["parts"][0]["stories"]] == accepted
    assert "13800138000" not in response.data.decode()
    assert events(app, "story.export")[0].details == {"stories": accepted}
