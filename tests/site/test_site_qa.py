"""Site-wide checks found in a browser walk-through: role boundaries on every editorial URL,
CSRF on every POST, friendly pages, and the small page fixes that came out of it."""

from __future__ import annotations

import re
from typing import Any

from browser import csrf_token
from flask import Flask
from flask.testing import FlaskClient


def _editorial_rules(app: Flask) -> list[tuple[str, str]]:
    """Every (method, example URL) of the editorial and admin pages, from the URL map."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/editor"):
            continue
        url = re.sub(r"<int:[a-z_]+>", "1", rule.rule)
        url = re.sub(r"<[a-z_:]+>", "demo", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_editorial_url_sends_anonymous_users_to_login(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").data)  # a valid token: only the login may stop them
    rules = _editorial_rules(app)
    assert len(rules) > 30  # the queue, story, privacy, volume and admin pages are all there
    for method, url in rules:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, url, response.status_code)
        location = response.headers["Location"]
        expected = "/login?next=" if method == "GET" else "/login"  # a POST is not repeated
        assert location.startswith(expected), (method, url, location)


def test_every_admin_url_gives_an_editor_the_friendly_403(
    client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="editor"))
    token = csrf_token(client.get("/editor/recent").data)
    admin_rules = [(m, u) for m, u in _editorial_rules(client.application) if "/admin/" in u]
    assert len(admin_rules) >= 6
    for method, url in admin_rules:
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, url)
        page = response.data.decode()
        assert "没有权限" in page and "Traceback" not in page, (method, url)
        assert "返回稿件列表" in page  # staff are sent back to their own pages


def test_every_post_without_a_csrf_token_is_refused(
    client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="admin"))
    posts = [u for m, u in _editorial_rules(client.application) if m == "POST"]
    posts += ["/logout", "/submit/preview", "/submit/send", "/submit/edit", "/track"]
    for url in posts:
        response = client.post(url, data={"title": "x"})
        assert response.status_code == 400, (url, response.status_code)
        page = response.data.decode()
        assert "Traceback" not in page
        if url.startswith("/editor"):  # the editor is told how to keep what they typed
            assert "请先把它复制下来" in page, url


# --- Page fixes from the walk-through ----------------------------------------------------------


def test_public_pages_link_staff_to_the_login_and_back(client: FlaskClient) -> None:
    home = client.get("/").data.decode()
    assert 'href="/login"' in home and "编辑登录" in home
    assert 'href="/track"' in home  # the status page is reachable from the home page
    login_page = client.get("/login").data.decode()
    assert "编辑登录" not in login_page.split("<footer", 1)[1]  # no link to the page itself
    assert 'href="/track"' in login_page  # an author who landed here finds the status page
    assert 'rel="icon"' in home  # no favicon request that ends in a 404 on every page


def _staff(client: FlaskClient, make_user: Any, login: Any, role: str = "publisher") -> None:
    login(client, make_user(role=role))


def test_decided_story_offers_reopening_not_starting_the_review(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login)
    accepted = make_story(status="accepted")
    page = client.get(f"/editor/stories/{accepted.id}").data.decode()
    assert "重新审稿" in page and "开始审稿</button>" not in page
    # The volume panel's button says what it does (it used to read "地区", the word for a place).
    assert "保存所属卷" in page and ">地区</button>" not in page
    submitted = make_story()
    page = client.get(f"/editor/stories/{submitted.id}").data.decode()
    assert "开始审稿</button>" in page and "重新审稿" not in page


def test_story_page_names_audit_actions_and_revision_notes_in_chinese(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login, role="editor")
    story = make_story()
    url = f"/editor/stories/{story.id}"
    token = csrf_token(client.get(url).data)
    response = client.post(
        f"{url}/decision", data={"csrf_token": token, "action": "start_review", "message": ""}
    )
    assert response.status_code == 302
    page = client.get(url).data.decode()
    events = page.split('id="events"', 1)[1]
    assert "开始审稿" in events and "作者投稿" in events  # story.start_review, story.submit
    assert "story.start_review</" not in events and "story.submit</" not in events
    assert "从</b>: 已投稿" in events and "至</b>: 审稿中" in events  # statuses named
    revisions = page.split('id="revisions"', 1)[1].split("</table>", 1)[0]
    assert "原始投稿" in revisions and "original submission" not in revisions


def test_pseudonym_revision_note_names_the_kind(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    from editorial import add_flag, new_story, rows
    from sqlmodel import select

    from stories.models import StoryRevision

    _staff(client, make_user, login, role="editor")
    story_id = new_story(app)
    flag_id = add_flag(app, story_id, "老周", "person_name")
    token = csrf_token(client.get(f"/editor/stories/{story_id}").data)
    response = client.post(
        f"/editor/stories/{story_id}/flags/{flag_id}/pseudonym",
        data={"csrf_token": token, "pseudonym": "老李", "version": "1"},
    )
    assert response.status_code == 302
    revisions = rows(app, select(StoryRevision).where(StoryRevision.story_id == story_id))
    notes = [r.note for r in revisions if r.number > 1]
    assert notes and "人名" in notes[-1] and "person_name" not in notes[-1]


def test_audit_page_filters_by_translated_action_names(
    client: FlaskClient, make_user: Any, login: Any
) -> None:
    _staff(client, make_user, login, role="admin")
    page = client.get("/editor/admin/audit").data.decode()
    assert '<option value="login" selected>登录</option>' not in page
    assert '<option value="login">登录</option>' in page  # the admin's own login
    filtered = client.get("/editor/admin/audit?action=login").data.decode()
    assert '<option value="login" selected>登录</option>' in filtered


def test_volume_form_names_no_recipe_path_and_its_pattern_is_a_valid_jinja_string(
    client: FlaskClient, make_user: Any, login: Any
) -> None:
    _staff(client, make_user, login)
    page = client.get("/editor/volumes").data.decode()
    assert "content/volumes" not in page and ".toml" not in page  # no paths for publishers
    assert 'pattern="[a-z0-9][a-z0-9\\-]*"' in page  # valid with the v flag (Chromium)


def test_story_page_loads_the_privacy_panel_styles(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login, role="editor")
    page = client.get(f"/editor/stories/{make_story().id}").data.decode()
    assert "/static/queue.css" in page  # .privacy-text keeps the story's paragraphs
    response = client.get("/static/queue.css")
    css = response.data.decode()
    response.close()
    assert ".privacy-text { white-space: pre-wrap;" in css


def test_refused_volume_keeps_the_story_counts(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login)
    story = make_story(status="accepted")
    token = csrf_token(client.get("/editor/volumes").data)
    created = client.post(
        "/editor/volumes", data={"csrf_token": token, "slug": "vol-a", "title": "甲"}
    )
    assert created.status_code == 302
    added = client.post(
        "/editor/volumes/vol-a/stories", data={"csrf_token": token, "story_id": story.id}
    )
    assert added.status_code == 302

    def count_cell(page: str) -> str:
        row = page.split('href="/editor/volumes/vol-a"', 1)[1].split("</tr>", 1)[0]
        return re.findall(r"<td>(\d+)</td>", row)[-1]

    assert count_cell(client.get("/editor/volumes").data.decode()) == "1"
    again = client.post(
        "/editor/volumes", data={"csrf_token": token, "slug": "vol-a", "title": "乙"}
    )
    assert again.status_code == 400
    page = again.data.decode()
    assert "flash-error" in page and count_cell(page) == "1"  # was shown as 0


def test_missing_consent_error_is_tied_to_its_checkbox(client: FlaskClient) -> None:
    import submitting as s

    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data["consent_licence"] = "y"  # the people statement is not ticked
    text_ = client.post("/submit/send", data=data).get_data(as_text=True)
    box = re.search(r'<input[^>]*id="consent_people"[^>]*>', text_)
    assert box and 'aria-describedby="consent_people-error"' in box.group(0)
    assert 'aria-invalid="true"' in box.group(0)
    assert re.search(r'id="consent_people-error" role="alert"><p>请勾选此项后再投稿', text_)
    ticked = re.search(r'<input[^>]*id="consent_licence"[^>]*>', text_)
    assert ticked and "aria-invalid" not in ticked.group(0)


def test_a_bad_word_file_alone_gets_one_error_not_two(app: Flask, client: FlaskClient) -> None:
    import io

    import submitting as s

    page = s.preview(client, body="", docx=(io.BytesIO(b"PK\x03\x04 not a docx"), "a.docx"))
    assert page.status_code == 400
    text_ = page.get_data(as_text=True)
    assert re.search(r'id="docx-error"[^>]*><p>这不是 Word .docx 文件', text_)
    assert "请填写故事正文或上传 Word 文件" not in text_  # the author did upload a file
    assert 'value="钥匙挂在门后"' in text_  # the other fields are kept
    assert s.stories(app) == []


def test_story_page_leads_back_to_the_queue_as_it_was(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login, role="editor")
    story = make_story()
    assert f'/editor/stories/{story.id}"' in client.get("/editor/queue").data.decode()
    page = client.get(f"/editor/stories/{story.id}").data.decode()
    assert '<a href="/editor/queue">← 返回稿件列表</a>' in page
    queue = client.get("/editor/queue?status=submitted&q=%E5%AE%B6%E8%AE%BF").data.decode()
    assert f'/editor/stories/{story.id}"' in queue  # 家访 finds the story
    page = client.get(f"/editor/stories/{story.id}").data.decode()
    back = re.search(r'<a href="([^"]+)">← 返回稿件列表</a>', page)
    assert back and back.group(1) == "/editor/queue?status=submitted&amp;q=%E5%AE%B6%E8%AE%BF"


def test_thanks_is_not_a_person_name() -> None:
    from anthology.text.privacy import detect

    # Seen on the demo story page: every 谢谢 was flagged as a name to pseudonymise.
    for sentence in ("她写道：“谢谢每天早上的粥，我妈妈也说谢谢。”", "孩子们齐声说谢谢。"):
        assert [f.text for f in detect(sentence) if f.kind == "person_name"] == []
    assert [f.text for f in detect("谢晓峰来了。")] == ["谢晓峰"]  # the surname still counts


def test_language_switch_keeps_the_query(client: FlaskClient, make_user: Any, login: Any) -> None:
    _staff(client, make_user, login, role="editor")
    page = client.get("/editor/queue?status=accepted&q=%E5%85%BB%E8%80%81").data.decode()
    assert 'href="/editor/queue?status=accepted&amp;q=%E5%85%BB%E8%80%81&amp;lang=en"' in page
    english = client.get("/editor/queue?status=accepted&lang=en").data.decode()
    assert 'href="/editor/queue?status=accepted&amp;lang=zh_CN"' in english  # lang replaced
    assert "lang=zh_CN&amp;lang" not in english and "lang=en&amp;lang" not in english
    assert 'href="/?lang=en"' in client.get("/?lang=zh_CN").data.decode()


def test_security_headers(client: FlaskClient, make_user: Any, login: Any) -> None:
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert "script-src" not in home.headers["Content-Security-Policy"]  # default-src 'self'
    assert home.headers["X-Frame-Options"] == "DENY"
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    assert home.headers["Referrer-Policy"] == "same-origin"
    assert client.get("/track").headers["Referrer-Policy"] == "no-referrer"  # stricter, kept
    _staff(client, make_user, login, role="editor")
    assert client.get("/editor/queue").headers["Cache-Control"] == "no-store"


def test_editor_root_leads_to_the_queue(client: FlaskClient, make_user: Any, login: Any) -> None:
    assert client.get("/editor").headers["Location"].startswith("/login?next=")
    _staff(client, make_user, login, role="editor")
    for path in ("/editor", "/editor/"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/editor/queue"


def test_bulk_actions_say_what_was_done(
    client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    _staff(client, make_user, login)
    ids = [make_story(status="accepted").id for _ in range(2)]
    token = csrf_token(client.get("/editor/volumes").data)
    client.post("/editor/volumes", data={"csrf_token": token, "slug": "vol-b", "title": "乙"})
    for data, expected in (
        ({"action": "tag", "tag": "夜班"}, "已给 2 篇故事加上标签“夜班”。"),
        ({"action": "assign", "volume": "vol-b"}, "已把 2 篇故事编入卷 vol-b。"),
    ):
        response = client.post(
            "/editor/queue/bulk", data={"csrf_token": token, "story": ids, **data}
        )
        assert response.status_code == 302
        assert expected in client.get(response.headers["Location"]).data.decode()


def test_hostile_text_stays_text_on_every_editorial_page(
    app: Flask, client: FlaskClient, make_user: Any, login: Any, make_story: Any
) -> None:
    from editorial import add_flag
    from test_xss import VECTORS, audit

    from anthology.text.markdown import plain_to_markdown

    hostile = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    body = plain_to_markdown("\n".join(["王阿姨说：" + v for v in VECTORS] * 2))
    story = make_story(
        status="accepted",
        title="标题" + hostile[:30],
        pen_name=hostile[:40],
        organisation=hostile,
        body=body,
    )
    add_flag(app, story.id, "王阿姨", "person_name")
    _staff(client, make_user, login, role="admin")
    url = f"/editor/stories/{story.id}"
    token = csrf_token(client.get(url).data)
    for path, data in (
        ("/notes", {"body": hostile}),
        ("/tags", {"name": hostile[:50]}),
        ("/edit", {"title": "新" + hostile[:30], "body": body + "\n\n" + hostile, "version": "1"}),
    ):
        assert client.post(url + path, data={"csrf_token": token, **data}).status_code == 302
    client.post("/editor/volumes", data={"csrf_token": token, "slug": "x", "title": hostile})
    client.post("/editor/volumes/x/parts", data={"csrf_token": token, "title": hostile})
    client.post("/editor/volumes/x/stories", data={"csrf_token": token, "story_id": story.id})
    pages = [
        "/editor/queue",
        "/editor/queue?q=%E9%98%BF%E5%A7%A8",
        url,
        f"{url}?a=1&b=2",
        f"{url}/edit",
        f"{url}/revisions/1",
        "/editor/volumes",
        "/editor/volumes/x",
        "/editor/recent",
        "/editor/admin/audit",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.data.decode()
        assert audit(page) == [], path
    story_page = client.get(url).data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in story_page  # shown, as text
    assert 'id="privacy"' in story_page and "<mark" in story_page  # the panel was there
    assert "&lt;script&gt;" in client.get("/editor/volumes/x").data.decode()


def test_blank_title_or_pen_name_is_refused(app: Flask, client: FlaskClient) -> None:
    import submitting as s

    for field, message in (("title", "请为故事写一个标题"), ("pen_name", "请填写")):
        page = s.preview(client, **{field: "   \u3000 "})  # spaces, an ideographic space too
        assert page.status_code == 422, field
        text_ = page.get_data(as_text=True)
        assert re.search(rf'id="{field}-error" role="alert"><p>{message}', text_), field
    assert s.stories(app) == []
