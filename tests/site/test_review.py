"""Decisions through the HTTP client (CSRF on): who and when, the acceptance gate, the override."""

from __future__ import annotations

from typing import Any

import pytest
from editorial import add_flag, events, load, new_story, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from stories import db
from stories.db import utcnow
from stories.models import (
    Decision,
    DecisionAction,
    FlagStatus,
    PrivacyFlag,
    Story,
    StoryRevision,
    StoryStatus,
    User,
)
from stories.operations import review


def decide(client: FlaskClient, story_id: int, action: str, **fields: str) -> Any:
    """A decision as the story page sends it, already confirmed (accept and reject ask first)."""
    token = token_of(client, f"/editor/stories/{story_id}")
    data = {"csrf_token": token, "action": action, "confirmed": "yes", **fields}
    return client.post(f"/editor/stories/{story_id}/decision", data=data)


@pytest.fixture
def editor(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="editor", username="editor_li")
    login(client, user)
    return user


def test_start_review_and_request_revision(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    assert decide(client, story_id, "start_review").status_code == 302
    assert load(app, Story, story_id).status == StoryStatus.in_review

    refused = decide(client, story_id, "request_revision", message="  ")
    assert refused.status_code == 409
    assert "请写下给作者的留言" in text_of(refused.data)
    assert load(app, Story, story_id).status == StoryStatus.in_review

    message = "请把第二段写得更具体一些，并删去老人的真实住址。"
    assert decide(client, story_id, "request_revision", message=message).status_code == 302
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.revision_requested
    assert story.editor_message == message
    found = rows(app, select(Decision).where(Decision.story_id == story_id).order_by(Decision.id))
    assert [(d.action, d.from_status, d.editor_id) for d in found] == [
        (DecisionAction.start_review, StoryStatus.submitted, editor.id),
        (DecisionAction.request_revision, StoryStatus.in_review, editor.id),
    ]
    assert found[1].message == message
    [event] = events(app, "story.request_revision", story_id)
    assert event.actor_id == editor.id and event.details["message"] == message
    page = client.get(f"/editor/stories/{story_id}")
    assert message in text_of(page.data)


def test_accept_names_the_editor_and_time(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    before = utcnow()
    response = decide(client, story_id, "accept", message="写得很好，谢谢！")
    assert response.status_code == 302
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.accepted
    assert story.decided_by_id == editor.id
    assert story.decided_at is not None and story.decided_at >= before
    assert story.editor_message == "写得很好，谢谢！"
    [event] = events(app, "story.accept", story_id)
    assert event.details == {"from": "submitted", "to": "accepted", "message": "写得很好，谢谢！"}


def test_reject_message_is_optional(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    assert decide(client, story_id, "reject").status_code == 302
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.rejected
    assert story.decided_by_id == editor.id and story.decided_at is not None
    assert story.editor_message == ""


def test_database_refuses_a_decided_story_without_editor(app: Flask) -> None:
    story_id = new_story(app)
    with app.app_context(), pytest.raises(IntegrityError), db.session_scope() as session:
        session.execute(
            text("UPDATE story SET status = 'accepted' WHERE id = :id"), {"id": story_id}
        )
    assert load(app, Story, story_id).status == StoryStatus.submitted


def test_decision_without_csrf_token_is_refused(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    response = client.post(f"/editor/stories/{story_id}/decision", data={"action": "accept"})
    assert response.status_code == 400
    assert load(app, Story, story_id).status == StoryStatus.submitted


def test_anonymous_decision_goes_to_login(app: Flask, client: FlaskClient) -> None:
    story_id = new_story(app)
    token = token_of(client, "/login")  # a valid CSRF token, but no login
    response = client.post(
        f"/editor/stories/{story_id}/decision", data={"action": "accept", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert load(app, Story, story_id).status == StoryStatus.submitted


def test_tracking_code_grants_no_editorial_access(
    app: Flask, client: FlaskClient, make_story: Any
) -> None:
    """The author's tracking code shows the status page, and nothing editorial."""
    made = make_story(editor_message="请补充细节", status="revision_requested")
    status_page = client.get(f"/track/{made.tracking_code}")
    assert status_page.status_code == 200
    for path in (
        f"/editor/stories/{made.id}",
        f"/editor/stories/{made.id}?code={made.tracking_code}",
        f"/editor/stories/{made.id}/edit",
        "/editor/recent",
    ):
        response = client.get(path, headers={"Authorization": f"Bearer {made.tracking_code}"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = token_of(client, "/login")
    response = client.post(
        f"/editor/stories/{made.id}/decision",
        data={"csrf_token": token, "action": "accept", "code": made.tracking_code},
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert load(app, Story, made.id).status == StoryStatus.revision_requested


def test_story_submitted_through_the_site_can_be_decided(
    app: Flask, client: FlaskClient, editor: User, make_story: Any
) -> None:
    made = make_story()
    assert decide(client, made.id, "start_review").status_code == 302
    assert decide(client, made.id, "accept").status_code == 302
    story = load(app, Story, made.id)
    assert story.status == StoryStatus.accepted and story.decided_by_id == editor.id


def test_accept_refused_with_open_privacy_flag(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    flag_id = add_flag(app, story_id)
    response = decide(client, story_id, "accept")
    assert response.status_code == 409
    page = text_of(response.data)
    assert "这篇稿件暂时不能采用" in page and "还有 1 处隐私标记尚未处理" in page
    assert load(app, Story, story_id).status == StoryStatus.submitted
    assert rows(app, select(Decision).where(Decision.story_id == story_id)) == []

    with app.app_context(), db.session_scope() as session:  # b2's verbs resolve flags
        flag = session.get(PrivacyFlag, flag_id)
        assert flag is not None
        flag.status, flag.reason = FlagStatus.dismissed, "这是机构名称，不是人名"
        flag.resolved_by_id, flag.resolved_at = editor.id, utcnow()
        session.add(flag)
    assert decide(client, story_id, "accept").status_code == 302
    assert load(app, Story, story_id).status == StoryStatus.accepted


@pytest.mark.parametrize(
    ("consents", "expected"),
    [(("licence",), "作者尚未确认故事当事人的同意"), (("people",), "作者尚未同意出版授权")],
)
def test_accept_refused_without_both_consents(
    app: Flask, client: FlaskClient, editor: User, consents: tuple[str, ...], expected: str
) -> None:
    story_id = new_story(app, consents=consents)
    response = decide(client, story_id, "accept")
    assert response.status_code == 409
    assert expected in text_of(response.data)
    assert load(app, Story, story_id).status == StoryStatus.submitted


def test_editor_cannot_override_the_gate(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    add_flag(app, story_id)
    response = decide(client, story_id, "accept", override_reason="我觉得没问题")
    assert response.status_code == 409
    assert "只有管理员才能越过隐私检查采用稿件" in text_of(response.data)
    assert load(app, Story, story_id).status == StoryStatus.submitted
    assert events(app, "story.override") == []


def test_admin_override_with_written_reason_is_logged(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin", username="chief")
    login(client, admin)
    story_id = new_story(app, consents=("licence",))
    add_flag(app, story_id, text="13800138000", kind="phone")

    page = client.get(f"/editor/stories/{story_id}")
    assert 'name="override_reason"' in page.data.decode()
    refused = decide(client, story_id, "accept")  # no reason: still refused for an admin
    assert refused.status_code == 409
    assert load(app, Story, story_id).status == StoryStatus.submitted

    reason = "电话号码是机构公开的热线；当事人同意书已由机构书面提交。"
    assert decide(client, story_id, "accept", override_reason=reason).status_code == 302
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.accepted and story.decided_by_id == admin.id
    [decision] = rows(app, select(Decision).where(Decision.story_id == story_id))
    assert decision.override_reason == reason
    [event] = events(app, "story.override", story_id)
    assert event.actor_id == admin.id
    assert event.details == {"reason": reason, "open_flags": 1, "missing_consents": ["people"]}
    assert reason in text_of(client.get(f"/editor/stories/{story_id}").data)


def test_override_reason_is_ignored_when_the_gate_passes(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="admin"))
    story_id = new_story(app)
    assert decide(client, story_id, "accept", override_reason="不需要").status_code == 302
    [decision] = rows(app, select(Decision).where(Decision.story_id == story_id))
    assert decision.override_reason == ""
    assert events(app, "story.override") == []


def test_decision_not_allowed_in_current_status(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    assert decide(client, story_id, "accept").status_code == 302
    response = decide(client, story_id, "request_revision", message="再改改")
    assert response.status_code == 409
    assert "稿件处于“已采用”状态时不能这样操作" in text_of(response.data)
    assert load(app, Story, story_id).status == StoryStatus.accepted
    withdrawn = new_story(app, status=StoryStatus.withdrawn)
    page = client.get(f"/editor/stories/{withdrawn}")
    assert "稿件当前状态下不能作出决定" in text_of(page.data)
    assert 'name="action"' not in page.data.decode()


def test_unknown_decision_is_refused_not_taken_as_a_rejection(
    app: Flask, client: FlaskClient, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    story_id = new_story(app)
    refused = decide(client, story_id, "publish")
    assert refused.status_code == 400
    assert "无法识别这个决定" in text_of(refused.data)
    # An action of the enum without a rule in the table (as a newly added one would be).
    monkeypatch.delitem(review.RULES, DecisionAction.reject)
    page = client.get(f"/editor/stories/{story_id}")
    assert 'value="reject"' not in page.data.decode()
    assert decide(client, story_id, "reject").status_code == 400
    assert load(app, Story, story_id).status == StoryStatus.submitted
    assert rows(app, select(Decision).where(Decision.story_id == story_id)) == []
    with app.app_context():
        session = db.session()
        story = session.get(Story, story_id)
        with pytest.raises(review.UnknownDecision):
            review.decide(session, story, session.get(User, editor.id), DecisionAction.reject)
    assert load(app, Story, story_id).status == StoryStatus.submitted


def test_decision_table_drives_the_story_page(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    html = client.get(f"/editor/stories/{story_id}").data.decode()
    allowed = [rule.action.value for rule in review.rules_for(StoryStatus.submitted)]
    assert allowed == ["start_review", "request_revision", "accept", "reject"]
    for action in allowed:
        assert f'name="action" value="{action}"' in html
    required = review.RULES[DecisionAction.request_revision]
    assert required.message == review.Message.required
    assert 'id="message-request_revision" name="message" required' in html
    assert 'id="message-start_review"' not in html  # a review starts without a message


def test_reopening_a_decided_story(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    decide(client, story_id, "reject", message="暂不采用")
    assert decide(client, story_id, "start_review").status_code == 302
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.in_review
    assert story.decided_by_id is None and story.editor_message == ""


def test_two_editors_deciding_at_once_cannot_both_win(app: Flask, make_user: Any) -> None:
    first, second = make_user(), make_user()
    story_id = new_story(app)
    with app.app_context():
        engine = db.engine()
        with Session(engine) as one, Session(engine) as two:
            story_one, story_two = one.get(Story, story_id), two.get(Story, story_id)
            assert story_one and story_two
            review.accept_story(one, story_one, one.get(User, first.id))  # type: ignore[arg-type]
            one.commit()
            with pytest.raises(review.NotAllowedNow):
                review.reject_story(two, story_two, two.get(User, second.id))  # type: ignore[arg-type]
            two.rollback()
    story = load(app, Story, story_id)
    assert story.status == StoryStatus.accepted and story.decided_by_id == first.id
    assert len(rows(app, select(Decision).where(Decision.story_id == story_id))) == 1


def test_decisions_leave_the_original_revision_intact(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    original = load(app, StoryRevision, 1)
    for action, message in (("start_review", ""), ("request_revision", "请补充"), ("reject", "")):
        assert decide(client, story_id, action, message=message).status_code == 302
    after = rows(app, select(StoryRevision).where(StoryRevision.story_id == story_id))
    assert [(r.number, r.title, r.body) for r in after] == [(1, original.title, original.body)]


def test_author_sees_the_revision_request_but_never_notes(
    app: Flask, client: FlaskClient, editor: User, make_story: Any
) -> None:
    made = make_story()
    token = token_of(client, f"/editor/stories/{made.id}")
    client.post(
        f"/editor/stories/{made.id}/notes",
        data={"csrf_token": token, "body": "内部备注：作者单位待核实"},
    )
    message = "请补充您与服务对象第一次见面的情形。"
    assert decide(client, made.id, "request_revision", message=message).status_code == 302
    author = app.test_client()
    status_page = text_of(author.get(f"/track/{made.tracking_code}").data)
    assert message in status_page
    assert "内部备注" not in status_page
