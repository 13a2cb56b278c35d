"""Volumes: who may manage them, placing accepted stories, parts and order without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from editorial import rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import ServiceField, User, Volume, VolumeEntry, VolumePart
from stories.operations import volumes


@pytest.fixture
def publisher(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="publisher", username="publisher_zhao")
    login(client, user)
    return user


def create(client: FlaskClient, slug: str = "vol-1", title: str = "第一卷") -> Any:
    token = token_of(client, "/editor/volumes")
    return client.post(
        "/editor/volumes",
        data={"csrf_token": token, "slug": slug, "title": title, "description": "说明"},
    )


def order(app: Flask, slug: str) -> list[tuple[str, list[int]]]:
    with app.app_context(), db.session_scope() as session:
        volume = volumes.get(session, slug)
        return [
            (part.title, [e.story_id for e in part.entries])
            for part in volumes.arrangement(session, volume)
        ]


def test_editor_cannot_manage_volumes_and_anonymous_is_sent_to_login(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    assert client.get("/editor/volumes").status_code == 302
    assert "/login" in client.get("/editor/volumes").headers["Location"]
    login(client, make_user(role="editor"))
    assert client.get("/editor/volumes").status_code == 403
    token = token_of(client, "/editor/queue")
    response = client.post("/editor/volumes", data={"csrf_token": token, "slug": "x", "title": "X"})
    assert response.status_code == 403
    assert rows(app, select(Volume)) == []


def test_publisher_creates_edits_and_arranges_a_volume(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    assert create(client).status_code == 302
    assert create(client, title="重复").status_code == 400  # slug taken
    assert create(client, slug="Bad Slug").status_code == 400
    assert [v.title for v in rows(app, select(Volume))] == ["第一卷"]

    elderly = [
        make_story(status="accepted", title=f"老年{i}", service_field=ServiceField.elderly).id
        for i in range(2)
    ]
    school = make_story(status="accepted", title="学校", service_field=ServiceField.school).id
    waiting = make_story(status="submitted", title="待审").id
    for story_id in (school, *elderly):
        token = token_of(client, "/editor/volumes/vol-1")
        response = client.post(
            "/editor/volumes/vol-1/stories", data={"csrf_token": token, "story_id": story_id}
        )
        assert response.status_code == 302
    token = token_of(client, "/editor/volumes/vol-1")
    refused = client.post(
        "/editor/volumes/vol-1/stories",
        data={"csrf_token": token, "story_id": waiting},
        follow_redirects=True,
    )
    assert "not accepted" in text_of(refused.data) or "尚未采用" in text_of(refused.data)
    assert order(app, "vol-1") == [("", [school, *elderly])]

    client.post("/editor/volumes/vol-1/parts/from-fields", data={"csrf_token": token})
    assert order(app, "vol-1") == [("老年服务", elderly), ("学校社会工作", [school])]

    parts = rows(app, select(VolumePart).order_by(VolumePart.position))
    client.post(
        f"/editor/volumes/vol-1/parts/{parts[1].id}/move",
        data={"csrf_token": token, "step": "up"},
    )
    client.post(
        f"/editor/volumes/vol-1/stories/{elderly[1]}/move",
        data={"csrf_token": token, "step": "up"},
    )
    assert order(app, "vol-1") == [
        ("学校社会工作", [school]),
        ("老年服务", [elderly[1], elderly[0]]),
    ]
    # Moving the first one up changes nothing.
    client.post(
        f"/editor/volumes/vol-1/stories/{elderly[1]}/move",
        data={"csrf_token": token, "step": "up"},
    )
    client.post(
        f"/editor/volumes/vol-1/stories/{school}/part",
        data={"csrf_token": token, "part_id": str(parts[0].id)},
    )
    assert order(app, "vol-1") == [
        ("学校社会工作", []),
        ("老年服务", [elderly[1], elderly[0], school]),
    ]
    client.post(
        f"/editor/volumes/vol-1/parts/{parts[0].id}/rename",
        data={"csrf_token": token, "title": "长者服务"},
    )
    client.post(f"/editor/volumes/vol-1/parts/{parts[1].id}/delete", data={"csrf_token": token})
    assert order(app, "vol-1") == [("长者服务", [elderly[1], elderly[0], school])]
    client.post(f"/editor/volumes/vol-1/stories/{school}/remove", data={"csrf_token": token})
    assert order(app, "vol-1") == [("长者服务", [elderly[1], elderly[0]])]

    page = client.get("/editor/volumes/vol-1")
    assert page.status_code == 200
    html = page.data.decode()
    assert "<script" not in html  # the buttons are plain forms
    assert "长者服务" in text_of(html) and "老年1" in text_of(html)
    assert "content/volumes" not in html and ".toml" not in html  # no paths for publishers
    assert "/editor/volumes/vol-1/book" in html  # the book's pages are one click away

    client.post(
        "/editor/volumes/vol-1/edit",
        data={"csrf_token": token, "slug": "vol-2", "title": "新题名", "description": ""},
    )
    volume = rows(app, select(Volume))[0]
    assert (volume.slug, volume.title) == ("vol-2", "新题名")


def test_without_csrf_token_nothing_changes(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    create(client)
    story_id = make_story(status="accepted").id
    response = client.post("/editor/volumes/vol-1/stories", data={"story_id": story_id})
    assert response.status_code in (302, 400)
    assert rows(app, select(VolumeEntry)) == []


def test_story_page_places_an_accepted_story(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    create(client)
    story_id = make_story(status="accepted").id
    page = client.get(f"/editor/stories/{story_id}").data.decode()
    assert 'id="volume"' in page
    token = token_of(client, f"/editor/stories/{story_id}")
    client.post(f"/editor/volumes/assign/{story_id}", data={"csrf_token": token, "volume": "vol-1"})
    assert [e.story_id for e in rows(app, select(VolumeEntry))] == [story_id]
    assert "第一卷" in text_of(client.get(f"/editor/stories/{story_id}").data)
    client.post(f"/editor/volumes/assign/{story_id}", data={"csrf_token": token, "volume": ""})
    assert rows(app, select(VolumeEntry)) == []


def test_every_service_field_has_its_names_in_the_site_and_the_book() -> None:
    """One code list (the enum); the interface labels and the book's names cover every code."""
    from anthology.sources.manuscript import SERVICE_FIELDS
    from stories.labels import SERVICE_FIELD
    from stories.models import ServiceField

    assert set(SERVICE_FIELDS) == {field.value for field in ServiceField}
    assert set(SERVICE_FIELD) == set(ServiceField)


def test_a_reopened_story_is_shown_with_its_status_and_left_out_of_the_book(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    from stories.models import Story, StoryStatus

    create(client)
    kept, reopened = (make_story(status="accepted", title=t).id for t in ("留下的", "重审的"))
    for story_id in (kept, reopened):
        token = token_of(client, "/editor/volumes/vol-1")
        client.post(
            "/editor/volumes/vol-1/stories", data={"csrf_token": token, "story_id": story_id}
        )
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, reopened)
        story.status, story.decided_by_id, story.decided_at = StoryStatus.in_review, None, None
        session.add(story)
    page = text_of(client.get("/editor/volumes/vol-1").data)
    assert "重审的" in page and "审稿中" in page  # still listed, with its status
    assert "不会收入书中" in page  # and a clear note that the book leaves it out
    assert "1 篇故事已不再" in page
    book = text_of(client.get("/editor/volumes/vol-1/book").data)
    assert "1 篇已采用的故事" in book and "不会收入书中" in book
    with app.app_context(), db.session_scope() as session:
        from stories.operations import export

        document = export.volume_document(session, None, volumes.get(session, "vol-1"))
    assert [s["id"] for p in document["parts"] for s in p["stories"]] == [kept]
