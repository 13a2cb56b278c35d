"""Under load nothing is lost: a busy database answers 503 with the author's text, a long text
is scanned and indexed by the queue, and the acceptance gate never lets an unscanned story by."""

from __future__ import annotations

from typing import Any

import pytest
import submitting as s
from flask import Flask
from sqlalchemy import create_engine, text
from sqlmodel import select

from stories import db
from stories.models import PrivacyFlag, Story
from stories.queries import search

LONG = "\n".join(["我在社区里陪张阿姨聊天，她的电话是 13912345678，每周二我们一起整理照片。"] * 300)


def test_a_busy_database_gives_the_form_back_and_a_second_press_stores_one_story(
    make_app: Any, database_url: str
) -> None:
    app = make_app(DATABASE_BUSY_SECONDS=0.5)
    client = app.test_client()
    page = s.preview(client, body=s.BODY + "\n\n这句话必须回到作者手里。")
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    engine = create_engine(database_url)
    holder = engine.connect()
    try:  # another writer holds the lock for longer than the site waits
        if holder.dialect.name == "postgresql":
            holder.execute(text("BEGIN"))
            holder.execute(text("SELECT pg_advisory_xact_lock(7150001)"))
        else:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        busy = client.post("/submit/send", data=data)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    body = busy.get_data(as_text=True)
    assert "网站此刻非常繁忙" in body and "这句话必须回到作者手里" in body
    assert s.stories(app) == []
    again = s.carried(body)
    again.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=again)
    assert sent.status_code == 303
    assert len(s.stories(app)) == 1


def _found(app: Flask, word: str) -> list[int]:
    with app.app_context(), db.session_scope() as session:
        clause = search.matching_ids(session.connection().dialect.name, word)
        assert clause is not None
        return [row[0] for row in session.connection().execute(clause)]


def test_a_long_text_is_scanned_and_indexed_by_the_queue(make_app: Any) -> None:
    app = make_app(QUEUE_IMMEDIATE=True, LONG_TEXT_CHARS=2000)  # the task runs at once
    s.submit(app.test_client(), body=LONG)
    with app.app_context(), db.session_scope() as session:
        [story] = session.exec(select(Story)).all()
        flags = session.exec(select(PrivacyFlag).where(PrivacyFlag.story_id == story.id)).all()
        assert not story.scan_pending
        assert {flag.text for flag in flags} >= {"13912345678"}
        story_id = story.id
    assert _found(app, "照片") == [story_id]


def test_an_unscanned_story_is_scanned_before_the_gate_decides(
    make_app: Any, make_user: Any, login: Any
) -> None:
    app = make_app(LONG_TEXT_CHARS=2000)  # the queue is not running: the scan waits
    s.submit(app.test_client(), body=LONG)
    with app.app_context(), db.session_scope() as session:
        [story] = session.exec(select(Story)).all()
        assert story.scan_pending
        assert session.exec(select(PrivacyFlag)).all() == []
        story_id = story.id
    assert _found(app, "照片") == []  # not in the index until it is scanned
    from stories.operations import review

    with app.app_context(), db.session_scope() as session:
        gate = review.acceptance_gate(session, story_id)
    assert gate.open_flags >= 1  # the gate scanned first: the phone number is a flag
    with app.app_context(), db.session_scope() as session:
        assert not session.get(Story, story_id).scan_pending
    assert _found(app, "照片") == [story_id]


@pytest.mark.parametrize("length", [100, 50_000])
def test_prepare_leaves_nothing_to_compute_inside_the_transaction(length: int) -> None:
    from stories.operations import flags, submission
    from stories.operations.editorial import duplicates

    def misses() -> tuple[int, int, int]:
        return (search.field_words.cache_info().misses, flags.detect_body.cache_info().misses,
                duplicates.fingerprint.cache_info().misses)  # fmt: skip

    body = ("社区" * length)[:length]
    submission.prepare("标题", body, "笔名", "机构")
    before = misses()
    search.document_words("标题", body, "笔名", "机构")
    flags.detect_body(body)
    duplicates.fingerprint("标题", body)
    assert misses() == before


def test_the_receipt_is_shown_once_and_leaves_the_session(app: Flask) -> None:
    client = app.test_client()
    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    first = client.get(sent.headers["Location"])
    code = s.tracking_code(first.get_data(as_text=True))
    assert "只显示这一次" in first.get_data(as_text=True)
    with client.session_transaction() as cookie:
        assert "receipt" not in cookie and code not in str(dict(cookie))
    again = client.get("/submit/sent")  # the next person at this computer
    assert again.status_code == 302 and again.headers["Location"].endswith("/submit")
