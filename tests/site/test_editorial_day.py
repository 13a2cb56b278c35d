"""The editor's day (issue 17) through the HTTP client: my work, the revised mark, assignment,
confirmed decisions, templates, bulk decisions, duplicates, snippets, the queue's CSV/XLSX."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
import submitting as s
from editorial import events, load, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlmodel import select

from stories import db
from stories.models import MessageTemplate, Story, StoryStatus, User
from stories.operations.editorial import templates


@pytest.fixture
def editor(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="editor", username="editor_wang", display_name="王编辑")
    login(client, user)
    return user


def _post(client: FlaskClient, path: str, page: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": token_of(client, page), **data})


def _template(app: Flask, action: str) -> MessageTemplate:
    """The first template of `action` (migration 0009's; the PostgreSQL tests empty the tables
    between tests, so they are put back there)."""
    with app.app_context(), db.session_scope() as session:
        templates.add_defaults(session)
        found = session.exec(select(MessageTemplate).where(MessageTemplate.action == action))
        return found.first()  # type: ignore[return-value]


def _revise_as_author(app: Flask, code: str) -> None:
    author = app.test_client()
    form = author.get(f"/track/{code}/revise").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": s.csrf(form), "version": version.group(1), "title": "修改后的标题",
            "body": s.BODY + "\n新增的结尾段落。", "action": "preview"}  # fmt: skip
    preview = author.post(f"/track/{code}/revise", data=data).get_data(as_text=True)
    carried = {**s.carried(preview), "action": "send"}
    assert author.post(f"/track/{code}/revise", data=carried).status_code in (302, 303)


def test_queue_opens_on_my_work_with_the_revised_mark(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    fresh = make_story(title="新来的稿件")
    revised = make_story(title="等作者修改", status="revision_requested")
    make_story(title="已经采用", status="accepted")
    _revise_as_author(app, revised.tracking_code)
    page = client.get("/editor/queue").data.decode()
    assert 'aria-current="page">待我处理' in page
    shown = text_of(page)
    assert "新来的稿件" in shown and "修改后的标题" in shown and "已经采用" not in shown
    assert "作者已修改" in shown
    counts = dict(re.findall(r'work=(\w+)[^"]*"[^>]*>[^<]+<span class="count">(\d+)', page))
    assert counts["revised"] == "1" and counts["new"] == "1"
    revised_view = text_of(client.get("/editor/queue?work=revised").data)
    assert "修改后的标题" in revised_view and "新来的稿件" not in revised_view
    story_page = text_of(client.get(f"/editor/stories/{revised.id}").data)
    assert "作者提交修改稿 ·" in story_page  # shown the first time an editor opens it ...
    assert load(app, Story, revised.id).revised_by_author_at is None
    assert "作者提交修改稿 ·" not in text_of(client.get(f"/editor/stories/{revised.id}").data)
    assert "修改后的标题" not in text_of(client.get("/editor/queue?work=revised").data)
    assert fresh.id != revised.id


def test_assign_reassign_and_filter(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, editor: User
) -> None:
    colleague = make_user(role="editor", username="editor_zhao")
    made = make_story(title="交给同事")
    page = f"/editor/stories/{made.id}"
    _post(client, f"{page}/assign", page, assignee=str(colleague.id))
    assert load(app, Story, made.id).assigned_to_id == colleague.id
    assert "交给同事" in text_of(client.get(f"/editor/queue?assigned={colleague.id}").data)
    assert "交给同事" not in text_of(client.get("/editor/queue?work=mine").data)
    answer = _post(client, f"{page}/assign", page, assignee=str(editor.id))
    assert "已分配给 王编辑" in text_of(client.get(answer.headers["Location"]).data)
    mine = client.get("/editor/queue?work=mine").data.decode()
    assert "交给同事" in text_of(mine) and "editor_wang" in mine
    assert "交给同事" in text_of(client.get("/editor/queue?assigned=me").data)
    [first, second] = events(app, "story.assign", made.id)
    assert first.details == {"from": None, "to": "editor_zhao"}
    assert second.details == {"from": "editor_zhao", "to": "editor_wang"}


def test_accept_and_reject_are_confirmed_first(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(title="要确认的稿件")
    page = f"/editor/stories/{made.id}"
    html = client.get(page).data.decode()
    assert "decision-button-accept" in html and "decision-button-reject" in html
    assert "decision-button-request_revision" in html
    asked = _post(client, f"{page}/decision", page, action="accept", message="写得好")
    assert asked.status_code == 200 and "确定采用这篇稿件吗？" in text_of(asked.data)
    assert load(app, Story, made.id).status == StoryStatus.submitted
    confirm = asked.data.decode()
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm))
    assert fields["confirmed"] == "yes" and fields["message"] == "写得好"
    done = client.post(f"{page}/decision", data=fields)
    assert done.status_code == 302
    assert load(app, Story, made.id).status == StoryStatus.accepted
    other = make_story(title="不采用的稿件")
    page = f"/editor/stories/{other.id}"
    asked = _post(client, f"{page}/decision", page, action="reject")
    assert "确定不采用这篇稿件吗？" in text_of(asked.data)
    assert load(app, Story, other.id).status == StoryStatus.submitted
    # A revision request is not irreversible: no confirmation step.
    third = make_story()
    page = f"/editor/stories/{third.id}"
    sent = _post(client, f"{page}/decision", page, action="request_revision", message="请补充")
    assert sent.status_code == 302
    assert load(app, Story, third.id).status == StoryStatus.revision_requested


def test_the_text_comes_first_once_and_the_gate_is_not_shown_once_decided(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(body=s.BODY + "\n电话：13912345678，电话：13912345678。")
    html = client.get(f"/editor/stories/{made.id}").data.decode()
    assert html.index('id="text"') < html.index('id="privacy"') < html.index('id="decision"')
    assert html.count(s.PARAGRAPH) == 6  # the text once (the unchanged original is not repeated)
    assert "1 个待处理标记" in html  # one number, twice in the text: one flag to resolve
    assert "还有 1 处隐私标记尚未处理" in text_of(html)
    accepted = make_story(status="accepted", body=s.BODY + "\n电话：13912345678。")
    page = text_of(client.get(f"/editor/stories/{accepted.id}").data)
    assert "尚不能采用" not in page


def test_template_message_reaches_the_status_page(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    made = make_story(title="钥匙挂在门后", pen_name="青檀")
    template = _template(app, "request_revision")
    page = f"/editor/stories/{made.id}"
    picked = client.get(f"{page}?template={template.id}&lang=zh").data.decode()
    message = re.search(r'<textarea id="message-request_revision"[^>]*>([^<]*)</textarea>', picked)
    assert message is not None and "青檀，您好！" in message.group(1)
    assert "《钥匙挂在门后》" in message.group(1)
    edited = message.group(1).replace("……", "结尾处老人的变化")
    _post(client, f"{page}/decision", page, action="request_revision", message=edited)
    status = text_of(app.test_client().get(f"/track/{made.tracking_code}").data)
    assert "青檀，您好！" in status and "结尾处老人的变化" in status


def test_bulk_revision_requests_and_rejections_with_a_template(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    first, second = make_story(title="第一篇", pen_name="甲"), make_story(title="第二篇")
    revise = _template(app, "request_revision")
    data = {"action": "request_revision", "story": [str(first.id), str(second.id)],
            "template_request_revision": f"{revise.id}:zh", "back": "/editor/queue"}  # fmt: skip
    done = _post(client, "/editor/queue/bulk", "/editor/queue", **data)
    assert done.status_code == 302
    for made in (first, second):
        assert load(app, Story, made.id).status == StoryStatus.revision_requested
    assert "甲，您好！" in text_of(app.test_client().get(f"/track/{first.tracking_code}").data)
    third, fourth = make_story(title="第三篇"), make_story(title="第四篇")
    reject = _template(app, "reject")
    data = {"action": "reject", "story": [str(third.id), str(fourth.id)],
            "template_reject": f"{reject.id}:en", "back": "/editor/queue"}  # fmt: skip
    asked = _post(client, "/editor/queue/bulk", "/editor/queue", **data)
    assert asked.status_code == 200 and "确定不采用这些稿件吗？" in text_of(asked.data)
    assert load(app, Story, third.id).status == StoryStatus.submitted
    done = _post(client, "/editor/queue/bulk", "/editor/queue", **data, confirmed="yes")
    assert done.status_code == 302
    assert load(app, Story, fourth.id).status == StoryStatus.rejected
    assert "Dear 测试笔名" in load(app, Story, fourth.id).editor_message
    fifth = make_story()
    data = {"action": "accept", "story": [str(fifth.id)], "back": "/editor/queue"}
    refused = _post(client, "/editor/queue/bulk", "/editor/queue", **data)
    assert refused.status_code == 302
    assert load(app, Story, fifth.id).status == StoryStatus.submitted  # never bulk accept


def test_a_rewritten_story_gets_the_duplicate_hint(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    author = app.test_client()
    s.submit(author, title="钥匙挂在门后")
    changed = s.BODY.replace("屋里很暗", "屋里很冷", 2).replace("聊了很久", "聊了一下午", 1)
    s.submit(author, title="门后的钥匙", body=changed)
    with app.app_context(), db.session_scope() as session:
        old, new = sorted(session.exec(select(Story.id)).all())
    page = text_of(client.get(f"/editor/stories/{new}").data)
    hint = re.search(rf"与稿件 #{old} 相似：(\d+)% 的文字相同", page)
    assert hint is not None and 50 <= int(hint.group(1)) < 100, page[:3000]
    assert f"与稿件 #{new} 相似" in text_of(client.get(f"/editor/stories/{old}").data)
    url = f"/editor/stories/{new}"
    _post(client, f"{url}/duplicate", url, of=str(old))
    assert load(app, Story, new).duplicate_of_id == old
    assert f"#{old} 的重复稿" in text_of(client.get("/editor/queue?work=all").data)
    [event] = events(app, "story.duplicate", new)
    assert event.details == {"of": old}


def test_two_workers_writing_about_the_same_client(
    app: Flask, client: FlaskClient, editor: User
) -> None:
    author = app.test_client()
    first = "那天下午我去看望王秀英奶奶，她住在幸福小区3栋201室。" * 2 + s.BODY
    second = ("我们机构的另一位社工也在服务王秀英奶奶。她家在幸福小区3栋201室，门口有一棵桂花树。"
              "每次我们去，她都要留我们吃饭，说起年轻时候在纺织厂上班的日子。" * 4)  # fmt: skip
    s.submit(author, title="第一位社工", body=first)
    s.submit(author, title="第二位社工", body=second)
    with app.app_context(), db.session_scope() as session:
        old, new = sorted(session.exec(select(Story.id)).all())
    page = text_of(client.get(f"/editor/stories/{new}").data)
    assert f"可能与稿件 #{old} 写的是同一些人" in page
    assert "王秀英" in page and "幸福小区3栋201室" in page
    assert "的文字相同" not in page  # different texts are not near-duplicates


def test_search_results_have_a_highlighted_snippet(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    body = "开头的几句话。" * 20 + "后来她报名参加了社区的养老服务志愿队。" + "结尾。" * 30
    make_story(title="一个故事", body=body)
    html = client.get("/editor/queue?q=养老").data.decode()
    snippet = re.search(r'<span class="snippet">(.*?)</span>', html, re.S)
    assert snippet is not None
    assert "<mark>养老</mark>" in snippet.group(1) and "志愿队" in snippet.group(1)
    assert snippet.group(1).startswith("…")


def test_the_queue_view_as_csv_and_xlsx(
    app: Flask, client: FlaskClient, make_story: Any, editor: User
) -> None:
    make_story(title="=HYPERLINK(1)")
    make_story(title="第二篇")
    make_story(title="已采用", status="accepted")
    answer = client.get("/editor/queue/export.csv?work=all&sort=title")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["#", "标题", "署名"]
    assert sorted(row[1] for row in rows[1:]) == sorted(["'=HYPERLINK(1)", "第二篇", "已采用"])
    assert {row[5] for row in rows[1:]} == {"已投稿", "已采用"}
    needs = client.get("/editor/queue/export.csv").data.decode("utf-8-sig")
    assert "已采用" not in needs and "第二篇" in needs  # the view as shown: what needs me
    book = client.get("/editor/queue/export.xlsx?status=accepted")
    sheet = load_workbook(io.BytesIO(book.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][1] == "标题" and [row[1] for row in values[1:]] == ["已采用"]
    assert [e.details["rows"] for e in events(app, "queue.export")] == [3, 2, 1]


def test_admins_edit_the_message_templates(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="admin"))
    page = client.get("/editor/admin/templates")
    assert (
        page.status_code == 200
        and "/editor/admin/templates" in client.get("/editor/queue").data.decode()
    )
    template = _template(app, "reject")
    data = {"action": "reject", "name": "婉拒（简短）",
            "body_zh": "{pen_name}，谢谢您的《{title}》。", "body_en": ""}  # fmt: skip
    _post(client, f"/editor/admin/templates/{template.id}", "/editor/admin/templates", **data)
    changed = _template(app, "reject")
    assert changed.name == "婉拒（简短）" and changed.body_zh.startswith("{pen_name}，谢谢")
    made_editor = app.test_client()
    login(made_editor, make_user(role="editor"))
    assert made_editor.get("/editor/admin/templates").status_code == 403
    [event] = events(app, "template.save")
    assert event.details["name"] == "婉拒（简短）"
