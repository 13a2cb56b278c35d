"""The editor's day (issue 17), the admin and volume side: the last-admin rule, demoting
yourself, the audit log's pages and CSV, translated details, volume moves, notes and tags,
the queue's export by parts, flags in titles and replacements that read naturally."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from editorial import events, load, new_story, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import PrivacyFlag, Role, Story, StoryStatus, Tag, User
from stories.operations import audit, flags, privacy, volumes


def _post(client: FlaskClient, path: str, page: str, **data: Any) -> Any:
    return client.post(path, data={"csrf_token": token_of(client, page), **data})


def test_the_last_admin_and_demoting_yourself(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    boss = make_user(role="admin", username="boss")
    login(client, boss)
    users = "/editor/admin/users"
    refused = _post(client, f"{users}/{boss.id}/role", users, role="editor")
    assert "最后一个有效的管理员账号" in text_of(client.get(refused.headers["Location"]).data)
    assert load(app, User, boss.id).role == Role.admin
    second = make_user(role="admin", username="second")
    asked = _post(client, f"{users}/{boss.id}/role", users, role="editor")
    assert asked.status_code == 200 and "确定放弃您的管理员权限吗？" in text_of(asked.data)
    assert load(app, User, boss.id).role == Role.admin  # not before the confirmation
    _post(client, f"{users}/{boss.id}/role", users, role="editor", confirmed="yes")
    assert load(app, User, boss.id).role == Role.editor
    assert client.get(users).status_code == 403  # the admin pages are gone at once
    other = app.test_client()
    login(other, second)
    refused = _post(other, f"{users}/{second.id}/deactivate", users)
    assert "不能停用自己的账号" in text_of(other.get(refused.headers["Location"]).data)
    asked = _post(other, f"{users}/{boss.id}/deactivate", users)
    assert "停用 boss？" in text_of(asked.data) and load(app, User, boss.id).is_active
    [change] = events(app, "user.role")
    assert change.details == {"user": "boss", "from": "admin", "to": "editor"}
    page = other.get("/editor/admin/audit?action=user.role").data.decode()
    assert "管理员" in text_of(page) and "编辑" in text_of(page)
    assert ">admin<" not in page and ": admin" not in text_of(page)


def test_audit_log_pages_filters_and_csv(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin", username="auditor")
    story_id = new_story(app)
    with app.app_context(), db.session_scope() as session:
        for n in range(130):
            audit.record(session, admin, "story.note", story=story_id, details={"note": f"第{n}条"})
        audit.record(
            session, admin, "story.override", story=story_id,
            details={"reason": "已核实", "open_flags": 2, "missing_consents": ["licence"]},
        )  # fmt: skip
    login(client, admin)
    first = text_of(client.get("/editor/admin/audit?action=story.note").data)
    assert "130" in first and "1 / 2" in first
    second = text_of(client.get("/editor/admin/audit?action=story.note&page=2").data)
    assert "第0条" in second and "第129条" not in second
    override = text_of(client.get("/editor/admin/audit?action=story.override").data)
    assert "待处理的隐私标记" in override and "出版授权" in override
    assert "open_flags" not in override and "missing_consents" not in override
    answer = client.get("/editor/admin/audit.csv?action=story.note")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert len(lines) == 131 and lines[1][1] == "auditor" and "第129条" in lines[1][5]
    assert events(app, "audit.export")[0].details == {"rows": 130, "total": 130}


def test_volume_moves_are_audited_and_say_what_they_did(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    publisher = make_user(role="publisher")
    ids = [new_story(app, title=f"稿{n}", status=StoryStatus.accepted,
                     decided_by_id=publisher.id, decided_at=publisher.created_at)
           for n in range(2)]  # fmt: skip
    reopened = new_story(app, title="重开的稿件", status=StoryStatus.accepted,
                         decided_by_id=publisher.id, decided_at=publisher.created_at)  # fmt: skip
    with app.app_context(), db.session_scope() as session:
        user = session.get(User, publisher.id)
        volume = volumes.create_volume(session, user, "vol", "卷一", "")
        for story_id in (*ids, reopened):
            volumes.assign(session, user, volume, story_id)
        story = session.get(Story, reopened)
        story.status, story.decided_by_id, story.decided_at = StoryStatus.submitted, None, None
        session.add(story)
    login(client, publisher)
    page = "/editor/volumes/vol"
    moved = _post(client, f"{page}/stories/{ids[1]}/move", page, step="up")
    html = text_of(client.get(moved.headers["Location"]).data)
    assert "已上移。" in html
    assert "下次生成将收入本卷 3 篇稿件中的 2 篇" in html
    assert html.count("已采用") >= 2 and "已投稿" in html
    _post(client, f"{page}/parts", page, title="第一部分")
    [event] = events(app, "volume.arrange", ids[1])
    assert event.details == {"volume": "vol", "change": "story_move", "step": -1}
    assert [e.details["change"] for e in events(app, "volume.arrange")] == [
        "story_move", "part_add",
    ]  # fmt: skip
    log = text_of(client.get(f"/editor/stories/{ids[1]}").data)
    assert "卷的编排已更改" in log and "移动稿件" in log and "上移" in log


def test_an_empty_note_says_why_and_an_unused_tag_goes(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="editor"))
    story_id = new_story(app)
    page = f"/editor/stories/{story_id}"
    answer = _post(client, f"{page}/notes", page, body="   ")
    assert answer.status_code == 400 and "请先写下备注内容" in text_of(answer.data)
    _post(client, f"{page}/tags", page, name="一次性")
    [tag] = rows(app, select(Tag))
    _post(client, f"{page}/tags/{tag.id}/remove", page)
    assert rows(app, select(Tag)) == []
    assert "一次性" not in client.get("/editor/queue?work=all").data.decode()


def test_the_queue_export_keeps_the_parts(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    publisher = make_user(role="publisher")
    login(client, publisher)
    ids = [new_story(app, title=f"录用{n}", status=StoryStatus.accepted,
                     decided_by_id=publisher.id, decided_at=publisher.created_at)
           for n in range(2)]  # fmt: skip
    data = {"action": "export", "story": [str(i) for i in ids], "back": "/editor/queue"}
    answer = _post(client, "/editor/queue/bulk", "/editor/queue", **data)
    document = json.loads(answer.data)
    assert [part["title"] for part in document["parts"]] == ["老年服务"]
    assert [s["title"] for s in document["parts"][0]["stories"]] == ["录用0", "录用1"]


def test_titles_are_scanned_and_replacements_read_naturally(app: Flask, make_user: Any) -> None:
    editor = make_user(role="editor")
    story_id = new_story(
        app, title="陪王秀英奶奶过年", body="奶奶说：“电话：13912345678，别忘了。”"
    )
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, story_id)
        found = flags.scan_story(session, story)
        session.flush()
        in_title = [f for f in found if f.in_title]
        assert [(f.kind.value, f.text) for f in in_title] == [("person_name", "王秀英")]
        rows_ = flags.rows(session, story_id)
        suggestions = privacy.suggestions(story.body, rows_)
        phone = next(r for r in rows_ if r.kind.value == "phone")
        assert suggestions[phone.id] == "（已隐去）"  # 电话（已隐去）, not 电话（电话已隐去）
        name = next(r for r in rows_ if r.in_title)
        privacy.pseudonymise(
            session, story, session.get(User, editor.id), name.id, "林秀", story.version
        )
    story = load(app, Story, story_id)
    assert story.title == "陪林秀奶奶过年"
    flag = rows(app, select(PrivacyFlag).where(PrivacyFlag.text == "王秀英"))[0]
    assert flag.status.value == "pseudonymised"
