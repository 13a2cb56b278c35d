"""A story's editorial page: text, original, revisions, diffs, edits and conflicts, notes, tags."""

from __future__ import annotations

import re
from typing import Any

import pytest
from editorial import events, load, new_story, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import (
    ImmutableRevisionError,
    Note,
    RevisionSource,
    Story,
    StoryRevision,
    StoryTag,
    Tag,
    User,
)
from stories.queries.diff import side_by_side


@pytest.fixture
def editor(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="editor", username="editor_wu")
    login(client, user)
    return user


def save(client: FlaskClient, story_id: int, title: str, body: str, version: int, **extra: str):  # type: ignore[no-untyped-def]
    token = token_of(client, f"/editor/stories/{story_id}/edit")
    data = {"csrf_token": token, "title": title, "body": body, "version": str(version), **extra}
    return client.post(f"/editor/stories/{story_id}/edit", data=data)


def revisions(app: Flask, story_id: int) -> list[StoryRevision]:
    query = (
        select(StoryRevision)
        .where(StoryRevision.story_id == story_id)
        .order_by(StoryRevision.number)  # type: ignore[arg-type]
    )
    return rows(app, query)


def test_page_shows_text_original_private_data_and_consents(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app, body="第一段有**重点**。\n\n第二段。", consents=("licence",))
    response = client.get(f"/editor/stories/{story_id}")
    assert response.status_code == 200
    html = response.data.decode()
    assert "<strong>重点</strong>" in html  # rendered through anthology.text.markdown.render
    page = text_of(html)
    for expected in ("冬天里的一壶热水", "林晓红", "13800138000", "lin@example.org", "原始投稿"):
        assert expected in page
    assert "出版授权" in page and "缺失" in page  # the people consent is missing
    assert "作者尚未确认故事当事人的同意" in page


def test_missing_story_is_404(client: FlaskClient, editor: User) -> None:
    assert client.get("/editor/stories/999").status_code == 404


def test_user_text_is_escaped_everywhere(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(
        app,
        title="<script>alert('t')</script>标题",
        body="<img src=x onerror=alert(1)>正文<script>alert(2)</script>",
    )
    assert (
        save(client, story_id, "新<b>标题</b>", "<script>alert(3)</script>新正文", 1).status_code
        == 302
    )
    html = client.get(f"/editor/stories/{story_id}?a=1&b=2").data.decode()
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html


def test_edit_creates_a_new_revision_and_keeps_the_original(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    original = revisions(app, story_id)[0]
    form = client.get(f"/editor/stories/{story_id}/edit").data.decode()
    assert 'name="version"' in form and 'value="1"' in form
    body = "那年冬天，社区里的独居老人老吴把自己关在家里。\n\n这是编辑改过的第二段。"
    response = save(client, story_id, "冬天的热水", body, 1, note="化名处理")
    assert response.status_code == 302
    story = load(app, Story, story_id)
    assert (story.title, story.body, story.version) == ("冬天的热水", body, 2)
    first, second = revisions(app, story_id)
    assert (first.title, first.body, first.source) == (
        original.title,
        original.body,
        original.source,
    )
    assert (second.number, second.source, second.editor_id) == (2, RevisionSource.editor, editor.id)
    assert (second.title, second.body, second.note) == ("冬天的热水", body, "化名处理")
    [event] = events(app, "story.edit", story_id)
    assert event.details == {"revision": 2, "version": 2, "changed": ["title", "body"]}


def test_saving_unchanged_text_creates_no_revision(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    story = load(app, Story, story_id)
    response = save(client, story_id, story.title, story.body, 1)
    assert response.status_code == 302
    assert len(revisions(app, story_id)) == 1
    assert load(app, Story, story_id).version == 1


def test_empty_title_is_refused_and_text_kept(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    response = save(client, story_id, "   ", "保留我写的正文", 1)
    assert response.status_code == 400
    assert "保留我写的正文" in response.data.decode()
    assert len(revisions(app, story_id)) == 1


def test_two_editors_editing_the_same_story(app: Flask, make_user: Any, login: Any) -> None:
    """The second save is refused with a conflict page showing both; nothing is lost."""
    story_id = new_story(app)
    first, second = app.test_client(), app.test_client()
    login(first, make_user(username="editor_a"))
    login(second, make_user(username="editor_b"))
    assert 'value="1"' in first.get(f"/editor/stories/{story_id}/edit").data.decode()
    assert 'value="1"' in second.get(f"/editor/stories/{story_id}/edit").data.decode()

    text_a = "编辑甲的版本：老人姓名已改为化名。"
    text_b = "编辑乙的版本：删去了门牌号。"
    assert save(first, story_id, "甲的标题", text_a, 1).status_code == 302
    conflict = save(second, story_id, "乙的标题", text_b, 1)
    assert conflict.status_code == 409
    page = conflict.data.decode()
    assert "在您编辑期间，有人修改了这篇稿件" in page
    assert text_a in page and "甲的标题" in page  # the saved version
    assert page.count(text_b) >= 2  # shown, and still in the form's textarea
    version_input = re.search(r'<input[^>]*name="version"[^>]*>', page)
    assert version_input and 'value="2"' in version_input.group(0)

    story = load(app, Story, story_id)
    assert (story.title, story.body, story.version) == ("甲的标题", text_a, 2)
    assert [r.body for r in revisions(app, story_id)][1:] == [text_a]
    [kept] = events(app, "story.edit_conflict", story_id)
    assert kept.details["body"] == text_b and kept.details["title"] == "乙的标题"

    # Editor B merges and saves again from the conflict page (now at version 2).
    merged = text_a + "\n\n" + text_b
    assert save(second, story_id, "合并后的标题", merged, 2).status_code == 302
    assert [r.body for r in revisions(app, story_id)] == [
        revisions(app, story_id)[0].body,
        text_a,
        merged,
    ]
    assert load(app, Story, story_id).version == 3


def test_diff_between_two_revisions_is_per_character(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app, body="张阿姨今年八十岁，住在三楼。")
    assert (
        save(client, story_id, "冬天里的一壶热水", "王阿姨今年八十二岁，住在三楼。", 1).status_code
        == 302
    )
    html = client.get(f"/editor/stories/{story_id}?a=1&b=2").data.decode()
    assert "<del>张</del>" in html and "<ins>王</ins>" in html and "<ins>二</ins>" in html
    assert "插入 2 个字符，删除 1 个字符" in text_of(html)
    same = client.get(f"/editor/stories/{story_id}?a=2&b=2").data.decode()
    assert "<del>" not in same and "<ins>" not in same


def test_side_by_side_pairs_lines_and_counts() -> None:
    diff = side_by_side("甲\n乙\n丙", "甲\n乙改\n丙\n丁")
    assert diff.inserted == 2 and diff.deleted == 0
    changed = [row for row in diff.rows if row.changed]
    assert [(row.left_number, row.right_number) for row in changed] == [(2, 2), (None, 4)]
    assert [(p.text, p.kind) for p in changed[0].right] == [("乙", "equal"), ("改", "insert")]


def test_revision_page_shows_the_original(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    save(client, story_id, "改过的标题", "改过的正文", 1)
    page = text_of(client.get(f"/editor/stories/{story_id}/revisions/1").data)
    assert "冬天里的一壶热水" in page and "那年冬天" in page
    assert client.get(f"/editor/stories/{story_id}/revisions/9").status_code == 404


def test_original_revision_is_immutable_after_every_operation(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    story_id = new_story(app)
    before = revisions(app, story_id)[0]
    save(client, story_id, "标题二", "正文二", 1)
    for path, data in (
        ("notes", {"body": "需要核实机构名称"}),
        ("tags", {"name": "养老"}),
        ("decision", {"action": "start_review"}),
    ):
        token = token_of(client, f"/editor/stories/{story_id}")
        client.post(f"/editor/stories/{story_id}/{path}", data={"csrf_token": token, **data})
    after = revisions(app, story_id)[0]
    assert (after.id, after.title, after.body, after.created_at) == (
        before.id,
        before.title,
        before.body,
        before.created_at,
    )
    with app.app_context(), pytest.raises(ImmutableRevisionError), db.session_scope() as session:
        revision = session.get(StoryRevision, before.id)
        assert revision is not None
        revision.body = "篡改"
        session.add(revision)


def test_internal_notes(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    token = token_of(client, f"/editor/stories/{story_id}")
    response = client.post(
        f"/editor/stories/{story_id}/notes", data={"csrf_token": token, "body": "请核实电话"}
    )
    assert response.status_code == 302
    [note] = rows(app, select(Note).where(Note.story_id == story_id))
    assert (note.body, note.author_id) == ("请核实电话", editor.id)
    assert "请核实电话" in text_of(client.get(f"/editor/stories/{story_id}").data)
    empty = client.post(f"/editor/stories/{story_id}/notes", data={"csrf_token": token, "body": ""})
    assert empty.status_code == 400
    assert len(rows(app, select(Note))) == 1
    assert load(app, Story, story_id).editor_message == ""  # notes never reach the author
    no_token = client.post(f"/editor/stories/{story_id}/notes", data={"body": "x"})
    assert no_token.status_code == 400


def test_tags_add_once_and_remove(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    token = token_of(client, f"/editor/stories/{story_id}")
    for name in ("养老", " #养老 "):
        client.post(f"/editor/stories/{story_id}/tags", data={"csrf_token": token, "name": name})
    [tag] = rows(app, select(Tag))
    assert tag.name == "养老"
    assert len(rows(app, select(StoryTag))) == 1
    assert '<span class="tag">养老' in client.get(f"/editor/stories/{story_id}").data.decode()
    response = client.post(
        f"/editor/stories/{story_id}/tags/{tag.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert rows(app, select(StoryTag)) == []
    assert [e.action for e in events(app, story_id=story_id)] == ["story.tag", "story.untag"]


def test_publisher_and_admin_reach_the_story_page(app: Flask, make_user: Any, login: Any) -> None:
    story_id = new_story(app)
    for role in ("publisher", "admin"):
        client = app.test_client()
        login(client, make_user(role=role))
        assert client.get(f"/editor/stories/{story_id}").status_code == 200


def test_author_revision_meanwhile_makes_the_editor_save_a_conflict(
    app: Flask, client: FlaskClient, editor: User, make_story: Any
) -> None:
    from stories.operations import submission

    made = make_story(status="revision_requested", editor_message="请补充细节")
    version = load(app, Story, made.id).version
    token = token_of(client, f"/editor/stories/{made.id}/edit")
    author_text = "作者修改后的正文：补充了第一次家访的细节。" * 3
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, made.id)
        assert story is not None
        submission.revise_story(session, story, "作者的新标题", author_text, version)
    response = client.post(
        f"/editor/stories/{made.id}/edit",
        data={"csrf_token": token, "title": "编辑的标题", "body": "编辑的正文", "version": version},
    )
    assert response.status_code == 409
    page = response.data.decode()
    assert author_text in page and "编辑的正文" in page
    assert load(app, Story, made.id).body == author_text


def test_story_page_in_english(app: Flask, client: FlaskClient, editor: User) -> None:
    story_id = new_story(app)
    page = text_of(client.get(f"/editor/stories/{story_id}?lang=en").data)
    for expected in ("Original submission", "Internal notes", "Start the review", "Audit events"):
        assert expected in page
