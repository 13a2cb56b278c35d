"""The audit trail: events written by every verb, the admin page with filters, the story page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from editorial import events, new_story, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient

from stories import db
from stories.models import AuditEvent, User
from stories.operations import audit


def test_record_takes_the_request_address_or_none(app: Flask, make_user: Any) -> None:
    user = make_user()
    story_id = new_story(app)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        with db.session_scope() as session:
            audit.record(session, user, "volume.export", story=story_id, details={"n": 3})
    with app.app_context(), db.session_scope() as session:
        audit.record(session, None, "cli.something", ip=None)
        audit.record(session, user.id, "explicit", ip="192.0.2.1")
    recorded = {e.action: e for e in events(app)}
    export = recorded["volume.export"]
    assert (export.actor_id, export.story_id, export.ip) == (user.id, story_id, "10.1.2.3")
    assert export.details == {"n": 3} and export.created_at.tzinfo is not None
    assert recorded["cli.something"].ip == "" and recorded["cli.something"].actor_id is None
    assert recorded["explicit"].ip == "192.0.2.1"


def _event(app: Flask, actor: User | None, action: str, story: int | None, when: datetime) -> None:
    with app.app_context(), db.session_scope() as session:
        session.add(
            AuditEvent(
                actor_id=actor.id if actor else None,
                action=action,
                story_id=story,
                ip="127.0.0.1",
                details={"mark": f"{action}-{when:%m%d}"},
                created_at=when,
            )
        )


def test_admin_page_filters(app: Flask, client: FlaskClient, make_user: Any, login: Any) -> None:
    admin, editor = make_user(role="admin", username="root"), make_user(username="xiaoma")
    one, two = new_story(app), new_story(app)
    _event(app, editor, "story.accept", one, datetime(2026, 3, 1, 4, tzinfo=UTC))
    _event(app, editor, "story.edit", two, datetime(2026, 3, 5, 4, tzinfo=UTC))
    _event(app, admin, "story.override", two, datetime(2026, 4, 9, 4, tzinfo=UTC))
    login(client, admin)

    def marks(query: str) -> set[str]:
        page = text_of(client.get(f"/editor/admin/audit?{query}").data)
        return {m for m in ("accept-0301", "edit-0305", "override-0409") if m in page}

    assert marks("") == {"accept-0301", "edit-0305", "override-0409"}
    assert marks("actor=xiaoma") == {"accept-0301", "edit-0305"}
    assert marks("action=story.override") == {"override-0409"}
    assert marks("action=story.") == {"accept-0301", "edit-0305", "override-0409"}
    assert marks(f"story={two}") == {"edit-0305", "override-0409"}
    assert marks("since=2026-03-02&until=2026-04-09") == {"edit-0305", "override-0409"}
    assert marks("since=2026-03-01&until=2026-03-01") == {"accept-0301"}
    assert marks("until=2026-02-28") == set()
    logins = client.get("/editor/admin/audit?action=login").data.decode()
    assert '<td title="login">登录</td>' in logins  # the action named, its code in the title


def test_story_page_lists_only_its_own_events(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    editor = make_user()
    login(client, editor)
    one, two = new_story(app), new_story(app)
    for story_id, tag in ((one, "标签甲"), (two, "标签乙")):
        token = token_of(client, f"/editor/stories/{story_id}")
        client.post(f"/editor/stories/{story_id}/tags", data={"csrf_token": token, "name": tag})
    page = client.get(f"/editor/stories/{one}").data.decode()
    events_part = page[page.index('id="events"') :]
    assert "story.tag" in events_part and "标签甲" in events_part and "标签乙" not in events_part
    assert editor.username in events_part


def test_every_kind_of_change_is_audited(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin")
    login(client, admin)
    story_id = new_story(app)
    page = f"/editor/stories/{story_id}"
    token = token_of(client, page)
    client.post(f"{page}/decision", data={"csrf_token": token, "action": "start_review"})
    client.post(
        f"{page}/edit", data={"csrf_token": token, "title": "新", "body": "新正文", "version": "1"}
    )
    client.post(f"{page}/notes", data={"csrf_token": token, "body": "备注"})
    client.post(
        f"{page}/decision", data={"csrf_token": token, "action": "accept", "confirmed": "yes"}
    )
    users_token = token_of(client, "/editor/admin/users")
    client.post(
        "/editor/admin/users",
        data={
            "csrf_token": users_token,
            "username": "newbie",
            "role": "editor",
            "password": "long-enough-pw",
        },
    )
    actions = [event.action for event in events(app)]
    assert actions == [
        "user.create",  # the admin made by the fixture
        "login",
        "story.start_review",
        "story.edit",
        "story.note",
        "story.accept",
        "user.create",
    ]
    assert all(event.ip == "127.0.0.1" for event in events(app)[1:])
    assert {event.actor_id for event in events(app)[1:]} == {admin.id}


def test_client_address_behind_a_trusted_proxy(make_app: Any, make_user: Any, login: Any) -> None:
    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = make_app(TRUSTED_PROXIES=proxies)
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        user = make_user()
        login(client, user)
        [event] = [e for e in events(app, "login") if e.actor_id == user.id]
        assert event.ip == expected
