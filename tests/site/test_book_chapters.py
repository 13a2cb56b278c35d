"""A book's own chapters: written in Markdown with a preview like stories, or from a Word file
through the same import; revisions that never change; order and the derived structure."""

from __future__ import annotations

from typing import Any

import pytest
from booking import make_volume, with_app
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlmodel import select
from submitting import docx_file
from text.xss import audit

from stories.models import BookChapter, ChapterRevision, ChapterSection, ImmutableRevisionError
from stories.models import User as UserRow
from stories.operations.books import chapters, contents

BOOK = "/editor/volumes/vol-b/book"
NEW = BOOK + "/chapters/new"
BODY = "（示例）这一章讲述社会工作的起点。\n\n## 早期的探索\n\n第二段，**重要**的话。"


@pytest.fixture
def publisher(app: Flask, client: FlaskClient, make_user: Any, login: Any) -> UserRow:
    user = make_user(role="publisher", username="publisher_sun")
    login(client, user)
    make_volume(app, user)
    return user


def add(
    client: FlaskClient, title: str, section: str = "front", part: str = "", **more: Any
) -> Any:
    data = {"csrf_token": token_of(client, NEW), "section": section, "part_title": part,
            "title": title, "author": "编委会", "body": BODY, "action": "save", **more}  # fmt: skip
    return client.post(NEW, data=data)


def titles(app: Flask) -> tuple[list[str], list[tuple[str, list[str]]], list[str]]:
    book = with_app(app, "vol-b", contents.structure)
    return (
        [c.title for c in book.front],
        [(p.title, [c.title for c in p.chapters]) for p in book.history],
        [c.title for c in book.back],
    )


def chapter_id(app: Flask, title: str) -> int:
    found = [c for c in with_app(app, "vol-b", lambda s, v: contents.structure(s, v).chapters())
             if c.title == title]  # fmt: skip
    assert found, title
    return found[0].id


def test_preview_renders_like_a_story_and_saving_makes_revision_one(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    hostile = BODY + "\n\n<script>alert(1)</script><img src=x onerror=alert(1)>"
    preview = add(client, "序言", body=hostile, action="preview")
    assert preview.status_code == 200
    page = preview.data.decode()
    assert "<h2>早期的探索</h2>" in page and "<strong>重要</strong>" in page  # story_html
    assert audit(page) == []  # user text never becomes markup
    assert rows(app, select(BookChapter)) == []  # a preview saves nothing

    assert add(client, "序言").status_code == 302
    assert add(client, "", body="").status_code == 400  # a title and a text are needed
    [chapter] = rows(app, select(BookChapter))
    assert (chapter.section, chapter.name, chapter.position) == (ChapterSection.front, "xu-yan", 1)
    [first] = rows(app, select(ChapterRevision))
    assert (first.number, first.title, first.author, first.created_by_id) == (
        1, "序言", "编委会", publisher.id)  # fmt: skip
    assert [e.details["chapter"] for e in events(app, "book.chapter_add")] == ["xu-yan"]


def test_editing_keeps_revision_one_and_shows_the_diff(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    add(client, "序言")
    ident = chapter_id(app, "序言")
    url = f"{BOOK}/chapters/{ident}"
    token = token_of(client, url)
    edited = BODY.replace("起点", "开端")
    data = {"csrf_token": token, "section": "front", "title": "序言", "author": "编委会",
            "body": edited, "base": "1", "action": "save", "note": "改一个词"}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data={**data, "body": edited + "\n\n又一段"})  # opened on revision 1
    assert stale.status_code == 409 and "又一段" in stale.data.decode()  # nothing lost
    numbers = [(r.number, r.body) for r in rows(app, select(ChapterRevision))]
    assert numbers == [(1, BODY), (2, edited)]
    page = client.get(url).data.decode()
    assert "<del>起点</del>" in page and "<ins>开端</ins>" in page  # revision 1 against 2
    assert "publisher_sun" in page and "改一个词" in page
    revision = client.get(f"{url}/revisions/1").data.decode()
    assert "<h2>早期的探索</h2>" in revision and "起点" in revision
    with pytest.raises(ImmutableRevisionError):
        with_app(app, "vol-b", lambda s, v: _change_first(s, ident))
    engine = create_engine(app.config["DATABASE_URL"])
    for statement in ("UPDATE chapter_revision SET body = 'x'", "DELETE FROM chapter_revision"):
        with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()


def _change_first(session: Any, ident: int) -> None:
    first = contents.revisions(session, ident)[0]
    first.body = "changed"
    session.add(first)
    session.flush()


def test_a_word_file_goes_through_the_story_import_and_is_previewed_first(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    word = docx_file(["第一段落，讲述我们的历史。"])
    data = {"csrf_token": token_of(client, NEW), "section": "history", "part_title": "百年回望",
            "title": "从济贫到助人自助", "body": "", "action": "save",
            "docx": (__import__("io").BytesIO(word), "chapter.docx")}  # fmt: skip
    page = client.post(NEW, data=data, content_type="multipart/form-data")
    html = page.data.decode()
    assert page.status_code == 200 and "<h2>第一章 走进社区</h2>" in html  # the preview
    assert "<strong>特别冷</strong>" in html and 'name="origin" type="hidden" value="word"' in html
    assert rows(app, select(BookChapter)) == []  # not saved before the publisher saves
    body = text_of(html).split("第一章 走进社区")[0]
    assert "从济贫到助人自助" in body  # the typed title stays in the form
    markdown = html.split('name="body">')[1].split("</textarea>")[0]
    saved = {**data, "docx": (__import__("io").BytesIO(b""), ""), "origin": "word",
             "body": __import__("html").unescape(markdown).strip()}  # fmt: skip
    saved["csrf_token"] = token_of(client, NEW)
    assert client.post(NEW, data=saved, content_type="multipart/form-data").status_code == 302
    [revision] = rows(app, select(ChapterRevision))
    assert revision.source.value == "word" and "**特别冷**" in revision.body


def test_a_file_that_is_not_a_word_document_is_a_clear_message_and_keeps_the_text(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    import io

    data = {"csrf_token": token_of(client, NEW), "section": "front", "title": "序言",
            "body": "我已经写好的一段。", "action": "save",
            "docx": (io.BytesIO(b"%PDF-1.4 not a word file"), "chapter.docx")}  # fmt: skip
    page = client.post(NEW, data=data, content_type="multipart/form-data")
    html = page.data.decode()
    assert page.status_code == 200 and "Word" in html and ".docx" in html
    assert "不是" in text_of(html)  # 这不是 Word .docx 文件 (the stories' own message)
    assert "我已经写好的一段。" in html and 'value="序言"' in html
    assert rows(app, select(BookChapter)) == []


def test_the_structure_is_derived_and_ordered_with_up_and_down(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    add(client, "序言")
    add(client, "再序")
    add(client, "第一章", "history", "百年回望")
    add(client, "第二章", "history", "百年回望")
    add(client, "新章", "history", "今日")
    add(client, "后记", "back")
    assert titles(app) == (
        ["序言", "再序"],
        [("百年回望", ["第一章", "第二章"]), ("今日", ["新章"])],
        ["后记"],
    )
    token = token_of(client, BOOK)
    client.post(f"{BOOK}/chapters/{chapter_id(app, '再序')}/move",
                data={"csrf_token": token, "step": "up"})  # fmt: skip
    client.post(f"{BOOK}/chapters/{chapter_id(app, '第一章')}/move",
                data={"csrf_token": token, "step": "down"})  # fmt: skip
    client.post(
        f"{BOOK}/chapters/{chapter_id(app, '第二章')}/move",
        data={"csrf_token": token, "step": "up"},
    )  # fmt: skip  (first of its part)
    client.post(f"{BOOK}/chapters/parts/move",
                data={"csrf_token": token, "step": "up", "part": "今日"})  # fmt: skip
    assert titles(app) == (
        ["再序", "序言"],
        [("今日", ["新章"]), ("百年回望", ["第二章", "第一章"])],
        ["后记"],
    )
    response = client.post(f"{BOOK}/chapters/{chapter_id(app, '序言')}/remove",
                           data={"csrf_token": token}, follow_redirects=True)  # fmt: skip
    assert titles(app)[0] == ["再序"] and "放回书中" in response.data.decode()
    removed = [c.id for c in with_app(app, "vol-b", contents.structure).removed]
    client.post(f"{BOOK}/chapters/{removed[0]}/restore", data={"csrf_token": token})
    assert titles(app)[0] == ["再序", "序言"]
    page = client.get(BOOK).data.decode()
    assert "<script" not in page
    page = page.split('id="structure"')[1].split('id="recipe"')[0]
    assert page.index("再序") < page.index("序言")
    assert (
        page.index("今日")
        < page.index("百年回望")
        < page.index("book-stories")
        < page.index(">后记")
    )
    assert page.index("第二章") < page.index("第一章")
    assert "作者名录" in page  # the contributors list, by default
    for action in ("book.chapter_move", "book.part_move", "book.chapter_remove",
                   "book.chapter_restore"):  # fmt: skip
        assert events(app, action), action


def test_moving_a_chapter_to_another_section_or_part(
    app: Flask, client: FlaskClient, publisher: UserRow
) -> None:
    add(client, "第一章", "history", "百年回望")
    ident = chapter_id(app, "第一章")
    url = f"{BOOK}/chapters/{ident}"
    data = {"csrf_token": token_of(client, url), "section": "back", "part_title": "百年回望",
            "title": "第一章", "author": "编委会", "body": BODY, "base": "1",
            "action": "save"}  # fmt: skip
    assert client.post(url, data=data).status_code == 302
    assert titles(app) == ([], [], ["第一章"])
    chapter = rows(app, select(BookChapter))[0]
    assert (chapter.section, chapter.part_title) == (ChapterSection.back, "")  # parts: history
    assert len(rows(app, select(ChapterRevision))) == 1  # the text did not change
    assert events(app, "book.chapter_place")


def test_chapter_names_are_unique_within_a_section(app: Flask, publisher: UserRow) -> None:
    def two(session: Any, volume: Any) -> list[str]:
        actor = session.get(UserRow, publisher.id)
        text_ = chapters.ChapterText("序言", "正文")
        first = chapters.add_chapter(session, actor, volume, "front", "", text_)
        second = chapters.add_chapter(session, actor, volume, "front", "", text_)
        return [first.name, second.name]

    assert with_app(app, "vol-b", two) == ["xu-yan", "xu-yan-2"]
