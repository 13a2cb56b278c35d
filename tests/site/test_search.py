"""Chinese full-text search: whole jieba words, no match across word boundaries, kept current."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from editorial import add_flag, text_of
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


def test_quotes_and_backslashes_in_a_search_are_only_words(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    """The search words are written into the SQL on PostgreSQL (search._inline_tsquery): a query
    full of quotes, backslashes and SQL finds by its words and breaks nothing."""
    make_story(title="一扇门", body=BODY_ELDERLY, pen_name="O'Brien")
    make_story(title="课后的灯", body=BODY_SCHOOL)
    login(client, make_user(role="editor"))
    for query in ("o'brien", "O\\'Brien'", "brien'); DROP TABLE story; --"):
        response = client.get("/editor/queue", query_string={"q": query, "work": "all"})
        assert response.status_code == 200
        page = text_of(response.data)
        assert ("一扇门" in page) == (query != "brien'); DROP TABLE story; --")
        assert "课后的灯" not in page
    page = text_of(client.get("/editor/queue?q=我们&work=all").data)
    assert "一扇门" in page and "课后的灯" in page  # the table is still there


def _shown_counts(page: str) -> dict[str, int]:
    """The counts the queue shows: the "my work" views by name, the status tabs by status."""
    links = re.findall(r'href="[^"]*\?([^"]*)"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    shown: dict[str, int] = {}
    for query, count in links:
        params = dict(pair.split("=", 1) for pair in query.replace("&amp;", "&").split("&"))
        shown[params.get("status") or params.get("work", "needs")] = int(count)  # the default
    return shown


def _set(app: Flask, story_id: int, **values: Any) -> None:
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        assert story is not None
        for name, value in values.items():
            setattr(story, name, value)
        session.add(story)


def test_a_search_counts_its_tabs_and_my_work_views(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    editor, colleague = make_user(role="editor"), make_user(role="editor", username="zhao")
    revised = make_story(body=BODY_ELDERLY).id
    mine_new = make_story(body=BODY_ELDERLY).id
    flagged = make_story(body=BODY_ELDERLY, status="in_review").id
    mine_waiting = make_story(body=BODY_ELDERLY, status="revision_requested").id
    make_story(body=BODY_ELDERLY, status="accepted")
    theirs = make_story(body=BODY_ELDERLY, status="in_review").id
    _set(app, revised, revised_by_author_at=datetime.now(UTC))
    _set(app, mine_new, assigned_to_id=editor.id)
    _set(app, mine_waiting, assigned_to_id=editor.id)
    _set(app, theirs, assigned_to_id=colleague.id)
    add_flag(app, flagged)
    # Stories the search does not find, in every view: they must not be counted.
    for status in ("submitted", "in_review", "revision_requested"):
        other = make_story(body=BODY_SCHOOL, status=status).id
        _set(app, other, assigned_to_id=editor.id)
        add_flag(app, other)
    login(client, editor)
    shown = _shown_counts(client.get("/editor/queue?q=养老&work=all").get_data(as_text=True))
    assert {k: v for k, v in shown.items() if v} == {
        "all": 6, "submitted": 2, "in_review": 2, "revision_requested": 1, "accepted": 1,
        "needs": 4, "new": 1, "revised": 1, "mine": 2, "flagged": 1,
    }  # fmt: skip
    needs = client.get("/editor/queue?q=养老&work=needs").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'href="/editor/stories/(\d+)"', needs)}
    assert listed == {revised, mine_new, flagged, mine_waiting}
    # A word in none of them: every count is 0, and the page says so.
    shown = _shown_counts(client.get("/editor/queue?q=老社&work=all").get_data(as_text=True))
    assert set(shown.values()) == {0}


def test_the_open_flags_filter_counts_its_tabs_and_my_work_views(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    """The open-flags filter counts in one pass over the flagged stories, as a search does."""
    editor = make_user(role="editor")
    new = make_story(body=BODY_ELDERLY).id
    revised = make_story(body=BODY_ELDERLY).id
    mine = make_story(body=BODY_SCHOOL, status="revision_requested").id
    accepted = make_story(body=BODY_SCHOOL, status="accepted").id
    _set(app, revised, revised_by_author_at=datetime.now(UTC))
    _set(app, mine, assigned_to_id=editor.id)
    for flagged in (new, revised, mine, accepted):
        add_flag(app, flagged)
    # Not flagged: in no count of the filtered queue.
    unflagged = make_story(body=BODY_ELDERLY).id
    _set(app, unflagged, assigned_to_id=editor.id)
    login(client, editor)
    shown = _shown_counts(client.get("/editor/queue?flagged=1&work=all").get_data(as_text=True))
    assert {k: v for k, v in shown.items() if v} == {
        "all": 4, "submitted": 2, "revision_requested": 1, "accepted": 1,
        "needs": 3, "new": 1, "revised": 1, "mine": 1, "flagged": 2,
    }  # fmt: skip
    needs = client.get("/editor/queue?flagged=1&work=needs").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'href="/editor/stories/(\d+)"', needs)}
    assert listed == {new, revised, mine}


@pytest.mark.parametrize("sort", listing.SORTS)
def test_a_page_of_many_matches_is_in_the_same_order_as_a_page_of_few(
    app: Flask,
    client: FlaskClient,
    make_story: Any,
    make_user: Any,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
) -> None:
    """Few matches are sorted from the matches, many read in the order's index: same stories,
    same order, on every page (the same title and date for several stories included)."""
    for number in range(7):
        made = make_story(title=f"第{number % 3}篇", body=BODY_ELDERLY).id
        if number % 2:
            _set(app, made, submitted_at=datetime(2026, 5, 1, tzinfo=UTC))
    make_story(title="第1篇", body=BODY_SCHOOL)
    login(client, make_user(role="editor"))

    def order(page: int) -> list[str]:
        html = client.get(f"/editor/queue?q=养老&work=all&sort={sort}&page={page}")
        return re.findall(r'href="/editor/stories/(\d+)"', html.get_data(as_text=True))

    monkeypatch.setitem(app.config, "QUEUE_PAGE_SIZE", 3)
    few = [order(page) for page in (1, 2, 3)]
    monkeypatch.setattr(listing, "SORTED_MATCHES", 0)
    many = [order(page) for page in (1, 2, 3)]  # PostgreSQL: each story tested on its own
    monkeypatch.setattr(listing, "PROBED_STORIES", 0)
    hashed = [order(page) for page in (1, 2, 3)]  # PostgreSQL: the matches hashed first
    assert few == many == hashed
    assert sum(len(set(page)) for page in few) == 7
