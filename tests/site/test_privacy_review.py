"""The editors' flag resolution: scans, pseudonyms, dismissals (the detector: tests/text)."""

from __future__ import annotations

from typing import Any

import pytest
from browser import csrf_token
from editorial import events, load, rows, text_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from anthology.text.markdown import plain_to_markdown
from anthology.text.privacy import markdown_view
from stories import db
from stories.models import FlagStatus, PrivacyFlag, Pseudonym, Story, StoryRevision, User
from stories.operations.editorial import editing

NAMES_BODY = (
    "第一次上门时，张阿姨正在晾衣服。她说儿子的手机号是13812345678，让我有事就打。\n\n"
    "后来张阿姨告诉我，邻居刘桂兰常来帮忙。张阿姨笑着说：“社工来了，家里热闹了。”"
)


def _flags(app: Flask, story_id: int) -> list[PrivacyFlag]:
    return rows(
        app,
        select(PrivacyFlag).where(PrivacyFlag.story_id == story_id).order_by(PrivacyFlag.id),
    )


def _story(app: Flask, story_id: int) -> Story:
    return load(app, Story, story_id)


@pytest.fixture
def editor(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="editor", username="editor_wang")
    login(client, user)
    return user


def _open(app: Flask, story_id: int, text: str) -> PrivacyFlag:
    return next(f for f in _flags(app, story_id) if f.text == text and f.status == FlagStatus.open)


def test_submission_is_scanned(app: Flask, make_story: Any) -> None:
    made = make_story(body=plain_to_markdown(NAMES_BODY))
    found = [(f.kind.value, f.text) for f in _flags(app, made.id)]
    assert found.count(("person_name", "张阿姨")) == 3
    assert ("phone", "13812345678") in found
    assert ("person_name", "刘桂兰") in found
    story = _story(app, made.id)
    for flag in _flags(app, made.id):
        shown = markdown_view(story.body[flag.start : flag.end]).text
        assert shown == flag.text


def test_pseudonym_replaces_every_occurrence_consistently(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(body=plain_to_markdown(NAMES_BODY))
    flag = _open(app, made.id, "张阿姨")
    page = client.get(f"/editor/stories/{made.id}")
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="privacy"' in html
    assert f'<mark id="flag-{flag.id}"' in html
    response = client.post(
        f"/editor/stories/{made.id}/flags/{flag.id}/pseudonym",
        data={"csrf_token": csrf_token(html), "pseudonym": "林阿姨", "version": "1"},
    )
    assert response.status_code == 302
    story = _story(app, made.id)
    assert "张阿姨" not in story.body
    assert story.body.count("林阿姨") == 3
    assert story.version == 2
    revisions = rows(
        app, select(StoryRevision).where(StoryRevision.story_id == made.id).order_by("number")
    )
    assert [r.number for r in revisions] == [1, 2]
    assert "张阿姨" in revisions[0].body  # the original is kept
    assert revisions[1].source.value == "editor"
    statuses = {(f.text, f.status.value) for f in _flags(app, made.id)}
    assert ("张阿姨", "pseudonymised") in statuses
    assert ("张阿姨", "open") not in statuses
    assert not any(f.text == "林阿姨" for f in _flags(app, made.id))  # pseudonyms are not flagged
    mapping = rows(app, select(Pseudonym).where(Pseudonym.story_id == made.id))
    assert [(p.real_text, p.pseudonym) for p in mapping] == [("张阿姨", "林阿姨")]
    assert [e.details["pseudonym"] for e in events(app, "flag.pseudonymise")] == ["林阿姨"]
    assert "张阿姨" not in str(events(app, "flag.pseudonymise")[0].details)

    # The author's revision brings the real name back: the same pseudonym is enforced.
    with app.app_context(), db.session_scope() as session:
        row = session.get(Story, made.id)
        assert row is not None
        editing.edit_story(
            session,
            row,
            session.get(User, editor.id),
            row.title,
            row.body + "\n\n张阿姨又来了。",
            2,
        )
    again = _open(app, made.id, "张阿姨")
    page = client.get(f"/editor/stories/{made.id}").data.decode()
    assert 'value="林阿姨"' in page  # the form offers the kept pseudonym
    refused = client.post(
        f"/editor/stories/{made.id}/flags/{again.id}/pseudonym",
        data={"csrf_token": csrf_token(page), "pseudonym": "赵阿姨", "version": "3"},
        follow_redirects=True,
    )
    assert "林阿姨" in text_of(refused.data)
    assert _story(app, made.id).body.count("张阿姨") == 1
    client.post(
        f"/editor/stories/{made.id}/flags/{again.id}/pseudonym",
        data={"csrf_token": csrf_token(page), "pseudonym": "林阿姨", "version": "3"},
    )
    story = _story(app, made.id)
    assert "张阿姨" not in story.body and story.body.count("林阿姨") == 4


def test_stale_version_is_refused_without_change(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(body=plain_to_markdown(NAMES_BODY))
    flag = _open(app, made.id, "刘桂兰")
    page = client.get(f"/editor/stories/{made.id}").data.decode()
    client.post(
        f"/editor/stories/{made.id}/flags/{flag.id}/pseudonym",
        data={"csrf_token": csrf_token(page), "pseudonym": "孙某", "version": "7"},
    )
    assert "刘桂兰" in _story(app, made.id).body
    assert _open(app, made.id, "刘桂兰").status == FlagStatus.open
    assert rows(app, select(Pseudonym)) == []


def test_dismiss_needs_a_reason_and_survives_rescans(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(body=plain_to_markdown(NAMES_BODY))
    flag = _open(app, made.id, "13812345678")
    page = client.get(f"/editor/stories/{made.id}").data.decode()
    url = f"/editor/stories/{made.id}/flags/{flag.id}/dismiss"
    client.post(url, data={"csrf_token": csrf_token(page), "reason": ""})
    assert _open(app, made.id, "13812345678").status == FlagStatus.open
    client.post(url, data={"csrf_token": csrf_token(page), "reason": "虚构的示例号码"})
    dismissed = load(app, PrivacyFlag, flag.id)
    assert dismissed.status == FlagStatus.dismissed and dismissed.reason == "虚构的示例号码"
    assert dismissed.resolved_by_id == editor.id
    assert events(app, "flag.dismiss")[0].details["reason"] == "虚构的示例号码"
    with app.app_context(), db.session_scope() as session:
        row = session.get(Story, made.id)
        assert row is not None
        editing.edit_story(
            session, row, session.get(User, editor.id), row.title, "前言。\n\n" + row.body, 1
        )
    phone = [f for f in _flags(app, made.id) if f.text == "13812345678"]
    assert [f.status for f in phone] == [FlagStatus.dismissed]


def test_panel_escapes_text_and_needs_login(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    made = make_story(body=plain_to_markdown("<script>alert(1)</script> 王奶奶说：“好。”" * 20))
    assert client.get(f"/editor/stories/{made.id}").status_code == 302
    flag = _open(app, made.id, "王奶奶")
    anonymous = client.post(
        f"/editor/stories/{made.id}/flags/{flag.id}/dismiss", data={"reason": "x"}
    )
    assert anonymous.status_code in (302, 400)
    assert _open(app, made.id, "王奶奶").status == FlagStatus.open
    login(client, make_user(role="editor"))
    html = client.get(f"/editor/stories/{made.id}").data.decode()
    text = html[html.index('id="text"') : html.index('id="privacy"')]
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in text
    assert text.count("<mark id=") == 20  # the flags are highlighted in the text, shown once
    assert html.count("&lt;script&gt;alert(1)") == 20


def test_scan_command_flags_stories_made_without_a_scan(app: Flask, runner: Any) -> None:
    with app.app_context(), db.session_scope() as session:
        story = Story(
            title="直接写入", body="李大爷的电话是13912345678。", pen_name="笔名",
            service_field="elderly",
        )  # fmt: skip
        session.add(story)
        session.flush()
        story_id = story.id
    assert _flags(app, story_id) == []
    result = runner.invoke(args=["stories", "scan"])
    assert result.exit_code == 0 and "Scanned 1 stories" in result.output
    assert sorted(f.text for f in _flags(app, story_id)) == ["13912345678", "李大爷"]
    runner.invoke(args=["stories", "scan"])  # again: nothing doubles
    assert len(_flags(app, story_id)) == 2


def test_story_page_rescans_flags_found_on_an_older_revision(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(body=plain_to_markdown(NAMES_BODY))
    with app.app_context(), db.session_scope() as session:
        # A text change that bypassed the verbs (e.g. a manual repair in the database).
        session.add(
            StoryRevision(story_id=made.id, number=2, title="t", body="王奶奶", source="editor")
        )
        story = session.get(Story, made.id)
        assert story is not None
        story.body = plain_to_markdown(
            "前言。\n\n王奶奶来了。" + NAMES_BODY.replace("张阿姨", "她")
        )
        session.add(story)
    stale = {f.text for f in _flags(app, made.id)}
    assert "张阿姨" in stale and "王奶奶" not in stale
    assert client.get(f"/editor/stories/{made.id}").status_code == 200
    fresh = {(f.text, f.revision_number) for f in _flags(app, made.id)}
    assert ("王奶奶", 2) in fresh and not any(text == "张阿姨" for text, _ in fresh)
