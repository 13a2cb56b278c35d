"""Chinese full-text search: whole jieba words, no match across word boundaries, kept current."""

from __future__ import annotations

from typing import Any

from editorial import text_of
from flask import Flask
from flask.testing import FlaskClient

from stories import db
from stories.models import Story, User
from stories.operations.editorial import editing
from stories.queries import listing, search

BODY_ELDERLY = "我们在养老社区开展服务，社工每周上门探访独居老人，陪他们聊天、测血压。" * 4
BODY_SCHOOL = "学校社会工作关注留守儿童的学业和情绪，我们在课后开设了读书小组。" * 4


def found(app: Flask, query: str) -> set[int]:
    with app.app_context(), db.session_scope() as session:
        page = listing.queue_page(session, listing.QueueFilter(q=query), page_size=100)
        return {row.id for row in page.rows}


def test_query_words_are_jieba_words() -> None:
    assert search.query_words("养老") == ["养老"]
    assert search.query_words("社工 养老") == ["社工", "养老"]
    assert "养老" in search.document_words("养老社区")
    assert "老社" not in search.document_words("养老社区")
    assert search.query_words("  ，。 ") == []


def test_two_character_words_are_found_and_words_are_not_crossed(
    app: Flask, make_story: Any
) -> None:
    elderly = make_story(title="一扇门", body=BODY_ELDERLY).id
    school = make_story(title="课后的灯", body=BODY_SCHOOL).id
    assert found(app, "养老") == {elderly}
    assert found(app, "社工") == {elderly}
    assert found(app, "社区") == {elderly}
    assert found(app, "留守儿童") == {school}
    assert found(app, "儿童") == {school}
    assert found(app, "老社") == set()  # 养老/社区: adjacent characters of two words
    assert found(app, "养老 儿童") == set()  # every word must be present
    assert found(app, "课后 读书") == {school}
    assert found(app, "") == {elderly, school}  # no words: no filter


def test_title_pen_name_and_organisation_are_searched(app: Flask, make_story: Any) -> None:
    made = make_story(
        title="钥匙挂在门后", body=BODY_SCHOOL, pen_name="青檀", organisation="禾苗社会工作服务中心"
    ).id
    make_story(body=BODY_ELDERLY)
    assert found(app, "钥匙") == {made}
    assert found(app, "青檀") == {made}
    assert found(app, "禾苗") == {made}


def test_index_follows_edits_and_reindex(
    app: Flask, make_story: Any, make_user: Any, runner: Any
) -> None:
    made = make_story(body=BODY_ELDERLY).id
    editor = make_user(role="editor")
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, made)
        assert story is not None
        editing.edit_story(
            session, story, session.get(User, editor.id), story.title, BODY_SCHOOL, 1
        )
    assert found(app, "养老") == set()
    assert found(app, "留守儿童") == {made}
    with app.app_context(), db.engine().begin() as connection:
        search.unindex(connection, [made])
    assert found(app, "留守儿童") == set()
    result = runner.invoke(args=["stories", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 stories" in result.output
    assert found(app, "留守儿童") == {made}


def test_search_through_the_queue_page(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    make_story(title="一扇门", body=BODY_ELDERLY)
    make_story(title="课后的灯", body=BODY_SCHOOL)
    login(client, make_user(role="editor"))
    page = text_of(client.get("/editor/queue?q=养老").data)
    assert "一扇门" in page and "课后的灯" not in page
    page = text_of(client.get("/editor/queue?q=老社").data)
    assert "一扇门" not in page and "课后的灯" not in page
