"""Mail to authors and editors, received by a real SMTP server (aiosmtpd on 127.0.0.1): the
receipt, the revision request, the decisions, the withdrawal, the digest; the link in each
opens the right status page. The queue runs its tasks at once here (QUEUE_IMMEDIATE); the
worker's own test is test_mail_worker.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from smtpserver import Inbox, html_of, links_in, path_of, text_of
from sqlmodel import select

from stories import db
from stories.models import MailKind, MailState, OutboxMessage, Story, StoryStatus, User
from stories.operations import review

AUTHOR = "author@example.org"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox().start()
    yield box
    box.stop()


@pytest.fixture
def mail_app(make_app: Any, inbox: Inbox) -> Flask:
    return make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, QUEUE_IMMEDIATE=True,
        MAIL_DEFAULT_SENDER="stories@example.org", ORGANISER_CONTACT="stories@example.org",
    )  # fmt: skip


def outbox_rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def story_row(app: Flask, story_id: int) -> Story:
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        assert story is not None
        return story


def _decide(client: FlaskClient, story_id: int, action: str, message: str = "") -> None:
    page = client.get(f"/editor/stories/{story_id}")
    data = {"csrf_token": s.csrf(page.data), "action": action, "message": message,
            "confirmed": "yes"}  # accepting and not accepting are confirmed first  # fmt: skip
    response = client.post(f"/editor/stories/{story_id}/decision", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _editor(app: Flask, make_user: Any, login: Any) -> tuple[FlaskClient, User]:
    client = app.test_client()
    user = make_user(role="editor", username="editor_wang", display_name="王编辑")
    login(client, user)
    return client, user


def _story_id(app: Flask) -> int:
    found = s.stories(app)[-1].id
    assert found is not None
    return found


def test_the_receipt_carries_a_working_private_link(mail_app: Flask, inbox: Inbox) -> None:
    author = mail_app.test_client()
    code = s.submit(author, title="钥匙挂在门后")
    [message] = inbox.wait(1, to=AUTHOR)
    assert message["To"] == AUTHOR and message["From"] == "stories@example.org"
    assert "钥匙挂在门后" in message["Subject"] and code not in message["Subject"]
    assert code.replace("-", "") not in message["Subject"].replace("-", "")
    text, html = text_of(message), html_of(message)
    assert "青檀" in text and code in text and code in html and "<a href=" in html
    assert "stories@example.org" in text  # the organiser's contact
    link = next(link for link in links_in(message) if "/track/" in link and code in link)
    # The link opens the status page of this story, in a browser that never saw the receipt.
    page = mail_app.test_client().get(path_of(link))
    assert page.status_code == 200 and "钥匙挂在门后" in page.get_data(as_text=True)
    [row] = outbox_rows(mail_app)
    assert row.kind == MailKind.receipt and row.state == MailState.sent and row.attempts == 1
    assert row.sent_at is not None and row.language == "zh_CN"


def test_no_address_no_mail(mail_app: Flask, inbox: Inbox) -> None:
    s.submit(mail_app.test_client(), contact_email="")
    assert outbox_rows(mail_app) == [] and inbox.received == []


def test_revision_request_with_the_editors_message_and_a_link_to_revise(
    mail_app: Flask, inbox: Inbox, make_user: Any, login: Any
) -> None:
    author = mail_app.test_client()
    s.submit(author, title="楼道里的灯")
    story_id = _story_id(mail_app)
    editor, _user = _editor(mail_app, make_user, login)
    _decide(editor, story_id, "request_revision", "请把结尾写得更具体一些，\n比如老人后来怎样了。")
    messages = inbox.wait(2, to=AUTHOR)
    request = messages[1]
    assert "楼道里的灯" in request["Subject"]
    text = text_of(request)
    assert "请把结尾写得更具体一些" in text and "比如老人后来怎样了。" in text
    # The link (no tracking code in it: only the code's hash is stored) opens the status page
    # and the revision form of this story.
    link = next(link for link in links_in(request) if "/track/" in link)
    fresh = mail_app.test_client()
    page = fresh.get(path_of(link))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "楼道里的灯" in body and "请把结尾写得更具体一些" in body
    revise = fresh.get(path_of(link) + "/revise")
    assert revise.status_code == 200 and 'name="body"' in revise.get_data(as_text=True)
    # A forged link opens nothing.
    assert fresh.get(path_of(link)[:-3] + "xyz").status_code == 404


def test_decision_mails_accepted_and_not_accepted(
    mail_app: Flask, inbox: Inbox, make_user: Any, login: Any
) -> None:
    author = mail_app.test_client()
    s.submit(author, title="第一篇")
    first = _story_id(mail_app)
    s.submit(mail_app.test_client(), title="第二篇")
    second = _story_id(mail_app)
    editor, _user = _editor(mail_app, make_user, login)
    _decide(editor, first, "accept", "写得很好，谢谢！")
    _decide(editor, second, "reject", "这次的主题与本书不太相符。")
    messages = inbox.wait(4, to=AUTHOR)
    by_kind = {row.kind: row for row in outbox_rows(mail_app)}
    accepted = next(m for m in messages if "第一篇" in m["Subject"] and m is not messages[0])
    rejected = next(m for m in messages if "第二篇" in m["Subject"] and m is not messages[1])
    assert "写得很好，谢谢！" in text_of(accepted) and "录用" in accepted["Subject"]
    assert "这次的主题与本书不太相符。" in text_of(rejected) and "感谢" in text_of(rejected)
    assert by_kind[MailKind.accepted].story_id == first
    assert by_kind[MailKind.rejected].story_id == second
    for message, story_id in ((accepted, first), (rejected, second)):
        link = next(link for link in links_in(message) if "/track/" in link)
        page = mail_app.test_client().get(path_of(link))
        assert page.status_code == 200
        assert story_row(mail_app, story_id).title in page.get_data(as_text=True)


def test_withdrawal_is_confirmed(mail_app: Flask, inbox: Inbox) -> None:
    author = mail_app.test_client()
    code = s.submit(author, title="想收回的故事")
    page = author.get(f"/track/{code}/withdraw")
    response = author.post(f"/track/{code}/withdraw", data={"csrf_token": s.csrf(page.data)})
    assert response.status_code == 303
    messages = inbox.wait(2, to=AUTHOR)
    assert "想收回的故事" in messages[1]["Subject"] and "撤回" in text_of(messages[1])


def test_an_author_who_wrote_in_english_is_mailed_in_english(
    mail_app: Flask, inbox: Inbox, make_user: Any, login: Any
) -> None:
    author = mail_app.test_client()
    author.get("/?lang=en")
    s.submit(author, title="The keys behind the door")
    story_id = _story_id(mail_app)
    assert story_row(mail_app, story_id).language == "en"
    editor, _user = _editor(mail_app, make_user, login)  # the editor reads Chinese pages
    _decide(editor, story_id, "request_revision", "请补充细节。")
    receipt, request = inbox.wait(2, to=AUTHOR)
    assert receipt["Subject"].strip() == "We have received your story “The keys behind the door”"
    assert "Dear 青檀," in text_of(receipt) and "private link" in text_of(receipt)
    assert request["Subject"].strip() == "The editors ask you to revise “The keys behind the door”"
    assert "请补充细节。" in text_of(request) and "revised story" in text_of(request)
    assert request["Content-Language"] == "en"
    assert all(row.language == "en" for row in outbox_rows(mail_app))


def test_daily_digest_for_an_editor_who_opted_in(
    mail_app: Flask, inbox: Inbox, make_user: Any, login: Any
) -> None:
    editor, user = _editor(mail_app, make_user, login)
    page = editor.get("/editor/account")
    assert page.status_code == 200
    response = editor.post("/editor/account", data={
        "csrf_token": s.csrf(page.data), "email": "wang@example.org", "digest": "y"})  # fmt: skip
    assert response.status_code == 303
    other = make_user(role="editor", username="no_digest")  # not opted in: nothing
    assert other.digest is False
    # Yesterday's digest was the last one: everything below is news.
    with mail_app.app_context(), db.session_scope() as session:
        from datetime import timedelta

        row = session.get(User, user.id)
        assert row is not None and row.digest and row.email == "wang@example.org"
        row.digest_sent_at = row.digest_sent_at - timedelta(days=1)  # type: ignore[operator]
        session.add(row)
    s.submit(mail_app.test_client(), title="新来的故事", contact_email="")
    author = mail_app.test_client()
    code = s.submit(author, title="要修改的故事", contact_email="")
    revised_id = _story_id(mail_app)
    _decide(editor, revised_id, "request_revision", "请修改。")
    page = author.get(f"/track/{code}/revise")
    data = s.carried(page.get_data(as_text=True))
    data.update(title="要修改的故事", body=s.BODY + "\n补充的一段。", action="send")
    assert author.post(f"/track/{code}/revise", data=data).status_code == 303
    assert inbox.received == []  # no per-event mails to editors
    # A story a colleague assigned to this editor (no decision of theirs on it yet).
    s.submit(mail_app.test_client(), title="交给我的故事", contact_email="")
    assigned_id, boss_id = _story_id(mail_app), make_user(role="admin", username="boss_li").id
    with mail_app.app_context(), db.session_scope() as session:
        from stories.operations.editorial import assignment

        story = session.get(Story, assigned_id)
        boss = session.get(User, boss_id)
        assert story is not None and boss is not None
        assignment.assign(session, story, boss, user.id)
    result = mail_app.test_cli_runner().invoke(args=["mail", "digest", "--all"])
    assert result.exit_code == 0 and "1 digest(s)" in result.output, result.output
    [digest] = inbox.wait(1, to="wang@example.org")
    text = text_of(digest)
    assert "新来的故事" in text and "要修改的故事" in text
    handling = text[text.index("您正在处理的稿件") :]  # the last section
    assert "交给我的故事" in handling and "要修改的故事" in handling  # assigned, decided
    assert "1" in digest["Subject"]
    links = [link for link in links_in(digest) if "/editor/stories/" in link]
    assert len(links) >= 3  # new, revised, and the editor's own open story
    assert editor.get(path_of(links[0])).status_code == 200
    # Once a day: nothing more the same day.
    with mail_app.app_context(), db.session_scope() as session:
        from stories.operations.mail import digest as digests

        assert digests.send_due(session) == 0


def test_a_failing_smtp_server_never_fails_a_submission_or_a_decision(
    make_app: Any, make_user: Any, login: Any
) -> None:
    dead = Inbox()  # never started: connections are refused
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead.port, QUEUE_IMMEDIATE=True)
    author = app.test_client()
    code = s.submit(author, title="没有邮件服务器")
    assert author.get(f"/track/{code}").status_code == 200
    editor, _user = _editor(app, make_user, login)
    _decide(editor, _story_id(app), "request_revision", "请修改。")
    assert story_row(app, _story_id(app)).status == StoryStatus.revision_requested
    rows = outbox_rows(app)
    assert [row.kind for row in rows] == [MailKind.receipt, MailKind.revision]
    for row in rows:  # kept, with the reason, for the next try
        assert row.state == MailState.queued and row.attempts == 1
        assert "Connection refused" in row.last_error or "Errno" in row.last_error
        assert row.next_attempt_at is not None


def test_without_a_mail_server_messages_stay_in_the_outbox_for_the_admins(
    make_app: Any, make_user: Any, login: Any, inbox: Inbox
) -> None:
    app = make_app(QUEUE_IMMEDIATE=True)  # no MAIL_SERVER: the make serve default
    s.submit(app.test_client(), title="演示用的故事")
    [row] = outbox_rows(app)
    assert row.state == MailState.held and row.attempts == 0
    admin = app.test_client()
    login(admin, make_user(role="admin", username="chief"))
    page = admin.get("/editor/admin/outbox")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "演示用的故事" in text and AUTHOR in text
    assert "MAIL_SERVER" in text
    detail = admin.get(f"/editor/admin/outbox/{row.id}").get_data(as_text=True)
    assert "/track/" in detail and "青檀" in detail  # the admins can read it and pass it on
    # An editor may not read the outbox.
    editor, _user = _editor(app, make_user, login)
    assert editor.get("/editor/admin/outbox").status_code == 403
    assert inbox.received == []


def test_the_admin_sees_what_failed_and_sends_it_again(
    make_app: Any, make_user: Any, login: Any
) -> None:
    box = Inbox()
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, QUEUE_IMMEDIATE=True,
                   MAIL_RETRY_SECONDS=[])  # fmt: skip
    s.submit(app.test_client(), title="发送失败的回执")
    [row] = outbox_rows(app)
    assert row.state == MailState.failed and row.last_error
    admin = app.test_client()
    login(admin, make_user(role="admin", username="chief"))
    page = admin.get("/editor/admin/outbox?state=failed")
    text = page.get_data(as_text=True)
    assert "发送失败的回执" in text and row.last_error.split(":")[0] in text
    box.start()
    try:
        response = admin.post(f"/editor/admin/outbox/{row.id}/resend",
                              data={"csrf_token": s.csrf(page.data), "back": "list"})  # fmt: skip
        assert response.status_code == 303
        [message] = box.wait(1, to=AUTHOR)
        assert "发送失败的回执" in message["Subject"]
    finally:
        box.stop()
    [row] = outbox_rows(app)
    assert row.state == MailState.sent and row.last_error == ""


def test_a_rolled_back_change_sends_nothing(mail_app: Flask, inbox: Inbox,
                                            make_user: Any) -> None:  # fmt: skip
    s.submit(mail_app.test_client(), title="回滚")
    inbox.wait(1)
    editor = make_user(role="editor", username="rollback")
    with mail_app.app_context():
        session = db.session()
        story = session.get(Story, _story_id(mail_app))
        assert story is not None
        review.request_revision(session, story, session.get(User, editor.id), "请修改。")
        session.rollback()
    assert len(outbox_rows(mail_app)) == 1 and len(inbox.received) == 1


def test_authors_are_told_when_their_story_is_first_placed_in_an_edition(
    mail_app: Flask, inbox: Inbox, make_story: Any, make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import sys

    from buildjobs import FAKE_RENDER, demo_volume

    from stories.jobs import runner
    from stories.jobs import settings as job_settings
    from stories.operations import volumes
    from stories.operations.books import builds

    monkeypatch.setattr(job_settings, "RENDER_COMMAND", (sys.executable, str(FAKE_RENDER), "ok"))
    publisher = make_user(role="publisher")
    demo_volume(mail_app, make_story, publisher, stories=2)

    def build() -> None:
        with mail_app.app_context(), db.session_scope() as session:
            volume = volumes.get(session, "demo")
            requested = builds.request_build(session, session.get(User, publisher.id), volume)
            session.flush()
            build_id = requested.build.id or 0
        runner.run_build(mail_app, build_id)

    build()
    messages = inbox.wait(2, to=AUTHOR)
    subjects = {m["Subject"].strip() for m in messages}
    assert subjects == {f"您的故事《驿站的下午{i}》收入了《演示卷》" for i in (1, 2)}
    link = next(link for link in links_in(messages[0]) if "/track/" in link)
    assert mail_app.test_client().get(path_of(link)).status_code == 200
    build()  # a second edition of the same stories: no second mail
    assert len([r for r in outbox_rows(mail_app) if r.kind == MailKind.published]) == 2


def test_user_text_in_a_mail_is_escaped_in_html(mail_app: Flask, inbox: Inbox) -> None:
    s.submit(mail_app.test_client(), title="<b>粗体</b><script>alert(1)</script>")
    [message] = inbox.wait(1)
    html = html_of(message)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in text_of(message)  # plain text is plain


def test_a_digest_is_due_once_a_local_day_from_the_digest_hour(app: Flask) -> None:
    from datetime import UTC, datetime

    from stories.operations.mail import digest

    user = User(username="x", password_hash="-", role="editor", digest=True)  # type: ignore[arg-type]
    # Asia/Shanghai is UTC+8; DIGEST_HOUR is 8 (local).
    with app.app_context():
        assert not digest.due(user, datetime(2026, 12, 1, 23, 30, tzinfo=UTC))  # 07:30 local
        assert digest.due(user, datetime(2026, 12, 2, 0, 5, tzinfo=UTC))  # 08:05 local
        user.digest_sent_at = datetime(2026, 12, 2, 0, 5, tzinfo=UTC)
        assert not digest.due(user, datetime(2026, 12, 2, 15, 0, tzinfo=UTC))  # 23:00, same day
        assert digest.due(user, datetime(2026, 12, 3, 0, 0, tzinfo=UTC))  # 08:00 the next day
