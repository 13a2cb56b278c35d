"""The author's status page: look-up, private link, revision, withdrawal, limits, languages."""

from __future__ import annotations

import re
from typing import Any

import submitting as s
from flask import Flask
from flask.testing import FlaskClient

from stories import db
from stories.models import RevisionSource, Story, StoryStatus
from stories.operations import review, submission


def _lookup(client: FlaskClient, code: str) -> Any:
    page = client.get("/track")
    return client.post("/track", data={"code": code, "csrf_token": s.csrf(page.data)})


def test_lookup_accepts_the_code_with_or_without_dashes_in_any_case(
    client: FlaskClient, make_story: Any
) -> None:
    made = make_story(title="查询的故事")
    plain = made.tracking_code.replace("-", "")
    for typed in (made.tracking_code, plain.lower(), f" {plain[:4]} {plain[4:]} "):
        response = _lookup(client, typed)
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/track/{made.tracking_code}")
    page = client.get(f"/track/{made.tracking_code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "查询的故事" in text and "已投稿" in text
    # The contact data and the real name are never shown to whoever holds the link.
    assert "13800138000" not in text and "author@example.org" not in text and "测试真名" not in text
    # A private link typed in lower case leads to the canonical one.
    assert client.get(f"/track/{plain.lower()}").status_code == 302


def test_unknown_or_malformed_code_gets_a_404_page_with_a_form(client: FlaskClient) -> None:
    response = _lookup(client, "ABCD-EFGH-JKMN")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and 'name="code"' in text
    assert text.count("找不到与这个查询码对应的稿件") == 1  # said once, not again at the field
    assert "没有与这个查询码对应的稿件" not in text
    for code in ("not-a-code", "0000-0000-0000"):
        response = _lookup(client, code)
        text = response.get_data(as_text=True)
        assert response.status_code == 404 and 'name="code"' in text
        assert text.count("12 位字母和数字") == 1  # the field says what is wrong, once
        assert "找不到与这个查询码对应的稿件" not in text
    response = client.get("/track/ABCD-EFGH-JKMN")
    assert response.status_code == 404
    assert 'value="ABCD-EFGH-JKMN"' in response.get_data(as_text=True)  # to correct a typo
    client.get("/?lang=en")
    response = client.get("/track/ABCD-EFGH-JKMN")
    assert "We could not find a story with this tracking code" in response.get_data(as_text=True)


def test_status_pages_are_private(client: FlaskClient, make_story: Any) -> None:
    made = make_story()
    response = client.get(f"/track/{made.tracking_code}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_status_labels_and_editor_message_in_both_languages(
    client: FlaskClient, make_story: Any
) -> None:
    made = make_story(status="revision_requested", editor_message="请补充结尾。\n谢谢！")
    zh = client.get(f"/track/{made.tracking_code}").get_data(as_text=True)
    assert "编辑留言" in zh and "请补充结尾。\n谢谢！" in zh and "修改我的故事" in zh
    en = client.get(f"/track/{made.tracking_code}?lang=en").get_data(as_text=True)
    assert "Revision requested" in en and "Message from the editors" in en
    accepted = make_story(status="accepted")
    page = client.get(f"/track/{accepted.tracking_code}").get_data(as_text=True)
    assert "Your story has been accepted for publication" in page
    assert "Withdraw my story" not in page and "Revise my story" not in page


def _revise(client: FlaskClient, code: str, **fields: str) -> Any:
    """Revision form -> preview -> send, through the pages."""
    form = client.get(f"/track/{code}/revise")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', text)
    assert version is not None
    data = {"csrf_token": s.csrf(text), "version": version.group(1), "title": "修改后的标题",
            "body": s.BODY + "\n新增的结尾段落。", "action": "preview", **fields}  # fmt: skip
    preview = client.post(f"/track/{code}/revise", data=data)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    assert "<p>新增的结尾段落。</p>" in preview.get_data(as_text=True)
    carried = s.carried(preview.get_data(as_text=True))
    carried["action"] = "send"
    return client.post(f"/track/{code}/revise", data=carried), carried


def test_revision_makes_a_new_revision_and_keeps_the_original(
    app: Flask, client: FlaskClient, make_story: Any
) -> None:
    made = make_story(status="revision_requested", editor_message="请补充结尾。")
    [original] = s.revisions(app, made.id)
    form = client.get(f"/track/{made.tracking_code}/revise").get_data(as_text=True)
    assert "请补充结尾。" in form
    assert "这是一段用于测试的社工故事正文" in form  # the current text, as plain lines

    sent, data = _revise(client, made.tracking_code, note="按编辑意见补充了结尾。")
    assert sent.status_code == 303
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "您的修改稿已提交给编辑" in page and "已投稿" in page

    first, second = s.revisions(app, made.id)
    assert (first.id, first.title, first.body) == (original.id, original.title, original.body)
    assert second.number == 2 and second.source == RevisionSource.author
    assert second.title == "修改后的标题" and "新增的结尾段落。" in second.body
    assert second.note == "按编辑意见补充了结尾。"
    [story] = s.stories(app)
    assert story.status == StoryStatus.submitted and story.body == second.body

    # The same form sent again (double click) makes no third revision.
    again = client.post(f"/track/{made.tracking_code}/revise", data=data)
    assert again.status_code == 303
    assert len(s.revisions(app, made.id)) == 2
    assert "这篇稿件目前不需要修改" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_revision_is_only_possible_when_requested(client: FlaskClient, make_story: Any) -> None:
    made = make_story(status="in_review")
    response = client.get(f"/track/{made.tracking_code}/revise")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "这篇稿件目前不需要修改" in page


def test_revision_validation_keeps_the_text(client: FlaskClient, make_story: Any) -> None:
    made = make_story(status="revision_requested", editor_message="请修改。")
    page = client.get(f"/track/{made.tracking_code}/revise").get_data(as_text=True)
    data = {"csrf_token": s.csrf(page), "title": "", "body": "只改了一句。", "action": "preview"}
    response = client.post(f"/track/{made.tracking_code}/revise", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请为故事写一个标题" in text and "故事至少需要 200 个字" in text
    assert "只改了一句。" in text


def test_withdrawal_needs_confirmation_and_a_csrf_token(
    app: Flask, client: FlaskClient, make_story: Any
) -> None:
    made = make_story()
    confirm = client.get(f"/track/{made.tracking_code}/withdraw")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "确定撤回稿件吗" in text
    assert s.stories(app)[0].status == StoryStatus.submitted  # a GET changes nothing
    forged = client.post(f"/track/{made.tracking_code}/withdraw", data={})
    assert forged.status_code == 400
    assert s.stories(app)[0].status == StoryStatus.submitted
    done = client.post(f"/track/{made.tracking_code}/withdraw", data={"csrf_token": s.csrf(text)})
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "您的稿件已撤回" in page and "已撤回" in page
    assert s.stories(app)[0].status == StoryStatus.withdrawn
    assert [r.number for r in s.revisions(app, made.id)] == [1]


def test_no_withdrawal_after_a_decision(app: Flask, client: FlaskClient, make_story: Any) -> None:
    made = make_story(status="accepted")
    page = client.get(f"/track/{made.tracking_code}/withdraw")
    assert page.status_code == 303
    token = s.csrf(client.get("/track").data)
    response = client.post(f"/track/{made.tracking_code}/withdraw", data={"csrf_token": token})
    assert response.status_code == 303
    assert "这篇稿件已经不能撤回了" in client.get(response.headers["Location"]).get_data(True)
    assert s.stories(app)[0].status == StoryStatus.accepted


def test_lookups_are_rate_limited_with_a_friendly_429(make_app: Any, make_story: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_TRACK="3 per minute")
    client = app.test_client()
    statuses = [client.get("/track/ABCD-EFGH-JKMN").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    response = client.get("/track/ABCD-EFGH-JKMN?lang=en")
    assert response.status_code == 429 and "Too many requests" in response.get_data(True)


def test_original_text_survives_every_later_operation(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    """Submit, revision requests, revisions, an editor's decision, withdrawal: revision 1 stays."""
    code = s.submit(client, title="原始标题", body=s.BODY + "\n原始的最后一段。")
    [original] = s.revisions(app, 1)
    editor = make_user("editor")

    def check() -> None:
        first = s.revisions(app, 1)[0]
        assert (first.number, first.title, first.body, first.created_at) == (
            1, original.title, original.body, original.created_at,
        )  # fmt: skip
        assert "原始的最后一段。" in first.body

    for round_ in range(2):
        with app.app_context(), db.session_scope() as session:
            story = session.get(Story, 1)
            assert story is not None
            if story.status == StoryStatus.submitted:
                review.start_review(session, story, editor)
            review.request_revision(session, story, editor, f"第 {round_ + 1} 次修改意见")
        check()
        sent, _data = _revise(client, code, title=f"第 {round_ + 2} 版")
        assert sent.status_code == 303
        check()
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, 1)
        assert story is not None
        submission.withdraw_story(session, story)
    check()
    assert [r.number for r in s.revisions(app, 1)] == [1, 2, 3]
    assert s.stories(app)[0].status == StoryStatus.withdrawn


def test_revision_against_a_text_changed_meanwhile_keeps_the_authors_text(
    app: Flask, client: FlaskClient, make_story: Any
) -> None:
    made = make_story(status="revision_requested", editor_message="请修改。")
    page = client.get(f"/track/{made.tracking_code}/revise").get_data(as_text=True)
    with app.app_context(), db.session_scope() as session:  # an editor touches the story
        story = session.get(Story, made.id)
        assert story is not None
        story.version += 1
        session.add(story)
    data = {"csrf_token": s.csrf(page), "version": "1", "title": "作者的新标题",
            "body": s.BODY + "\n作者新写的一段。", "action": "send"}  # fmt: skip
    response = client.post(f"/track/{made.tracking_code}/revise", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "作者新写的一段。" in text and 'value="作者的新标题"' in text
    assert 'name="version" type="hidden" value="2"' in text
    assert len(s.revisions(app, made.id)) == 1


def test_revision_with_a_word_file(app: Flask, client: FlaskClient, make_story: Any) -> None:
    import io

    made = make_story(status="revision_requested", editor_message="请加上小标题。")
    page = client.get(f"/track/{made.tracking_code}/revise").get_data(as_text=True)
    data = {"csrf_token": s.csrf(page), "version": "1", "title": "有小标题的版本", "body": "",
            "action": "preview", "docx": (io.BytesIO(s.docx_file()), "修改稿.docx")}  # fmt: skip
    bad = client.post(
        f"/track/{made.tracking_code}/revise",
        data={**data, "docx": (io.BytesIO(b"not a word file"), "a.docx")},
    )
    assert bad.status_code == 400 and "这不是 Word .docx 文件" in bad.get_data(as_text=True)
    assert 'value="有小标题的版本"' in bad.get_data(as_text=True)
    data["docx"] = (io.BytesIO(s.docx_file()), "修改稿.docx")
    preview = client.post(f"/track/{made.tracking_code}/revise", data=data)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text[:2000]
    assert "<h2>第一章 走进社区</h2>" in text
    carried = s.carried(text)
    carried["action"] = "send"
    sent = client.post(f"/track/{made.tracking_code}/revise", data=carried)
    assert sent.status_code == 303
    first, second = s.revisions(app, made.id)
    assert second.body.startswith("## 第一章 走进社区\n") and "**特别冷**" in second.body
    assert "第一章" not in first.body


def test_expired_form_on_the_revision_page_keeps_the_text(
    app: Flask, client: FlaskClient, make_story: Any
) -> None:
    made = make_story(status="revision_requested", editor_message="请修改。")
    data = {
        "version": "1",
        "title": "过期表单里的标题",
        "body": "过期表单里的正文。",
        "action": "send",
    }
    response = client.post(f"/track/{made.tracking_code}/revise", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期" in text and "过期表单里的正文。" in text
    assert 'value="过期表单里的标题"' in text and s.csrf(text)
    withdraw = client.post(f"/track/{made.tracking_code}/withdraw", data={})
    assert withdraw.status_code == 400 and "表单已过期" in withdraw.get_data(as_text=True)
    assert len(s.revisions(app, made.id)) == 1
    assert s.stories(app)[0].status == StoryStatus.revision_requested
