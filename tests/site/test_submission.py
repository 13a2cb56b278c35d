"""The submission form through the HTTP client with CSRF on: happy path, bad input, duplicates."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from stories import db
from stories.models import ConsentKind, RevisionSource, StoryStatus
from stories.operations import submission


def test_landing_page_explains_the_call_in_both_languages(client: FlaskClient) -> None:
    zh = client.get("/").get_data(as_text=True)
    for heading in ("谁可以投稿", "什么是一篇故事", "故事将如何使用", "如何保护隐私"):
        assert heading in zh
    assert 'href="/submit"' in zh and 'href="/track"' in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    for heading in ("Who may submit", "What a story is", "How your story will be used",
                    "How privacy is protected"):  # fmt: skip
        assert heading in en


def test_happy_path_form_preview_send_receipt_status(app: Flask, client: FlaskClient) -> None:
    form = client.get("/submit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and "csrf_token" in form
    for name in ("title", "body", "pen_name", "province", "service_field", "docx"):
        assert f'name="{name}"' in form

    page = s.preview(client)
    text_ = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text_.count("<p>" + s.PARAGRAPH + "</p>") == 6  # every line is a paragraph
    assert app.config["LICENCE_TEXT"] in text_ and app.config["PEOPLE_CONSENT_TEXT"] in text_
    assert s.stories(app) == []  # nothing is stored before sending

    data = s.carried(text_)
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/submit/sent")
    receipt = client.get("/submit/sent").get_data(as_text=True)
    code = s.tracking_code(receipt)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    assert f"/track/{code}" in receipt  # the private link

    [story] = s.stories(app)
    assert story.status == StoryStatus.submitted
    assert story.title == "钥匙挂在门后" and story.pen_name == "青檀"
    assert story.province == "浙江省" and story.years_in_practice == 6
    assert story.contact_phone == "138 0013 8000"
    assert story.submitted_at is not None
    # Only a hash of the code is stored, never the code.
    plain = code.replace("-", "")
    assert story.tracking_hash == hashlib.sha256(plain.encode()).hexdigest()
    with app.app_context():
        dump = " ".join(
            str(v) for row in db.session().execute(text("SELECT * FROM story")) for v in row
        )
    assert plain not in dump and code not in dump

    [revision] = s.revisions(app, story.id or 0)
    assert revision.number == 1 and revision.source == RevisionSource.author
    assert revision.body == story.body and revision.title == story.title
    consents = {c.kind: c for c in s.consents(app, story.id or 0)}
    assert consents[ConsentKind.licence].text == app.config["LICENCE_TEXT"]
    assert consents[ConsentKind.licence].version == app.config["LICENCE_VERSION"]
    assert consents[ConsentKind.people].text == app.config["PEOPLE_CONSENT_TEXT"]
    assert consents[ConsentKind.people].accepted_at is not None

    status = client.get(f"/track/{code}")
    assert status.status_code == 200
    assert "钥匙挂在门后" in status.get_data(as_text=True)


def test_typed_markdown_and_html_appear_as_typed(app: Flask, client: FlaskClient) -> None:
    body = s.BODY + "\n# 不是标题\n*不是强调* 1. <b>不是粗体</b> 10:30 ~~~ [链接](http://x.cn)"
    code = s.submit(client, body=body)
    page = client.get(f"/track/{code}").get_data(as_text=True)
    assert "<p># 不是标题</p>" in page
    assert "<p>*不是强调* 1. &lt;b&gt;不是粗体&lt;/b&gt; 10:30 ~~~ [链接](http://x.cn)</p>" in page
    assert "<h1>不是标题" not in page and "<b>不是粗体" not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "请为故事写一个标题"),
        ({"title": "长" * 81}, "title", "标题最多 80 个字"),
        ({"body": "太短的故事。"}, "body", "故事至少需要 200 个字"),
        ({"body": ""}, "body", "请填写故事正文或上传 Word 文件"),
        ({"pen_name": ""}, "pen_name", "请填写随故事刊印的署名"),
        ({"province": ""}, "province", "请选择省份"),
        ({"province": "火星"}, "province", "不是有效的选择"),
        ({"service_field": "space"}, "service_field", "不是有效的选择"),
        ({"service_field": ""}, "service_field", "请选择服务领域"),
        ({"years_in_practice": "三年"}, "years_in_practice", "请输入 0 到 80 之间的整数年数"),
        ({"contact_phone": "12345"}, "contact_phone", "请输入 11 位手机号码"),
        ({"contact_email": "not-an-address"}, "contact_email", "请输入有效的电子邮件地址"),
    ],
)
def test_each_field_is_validated_in_chinese_and_the_text_is_kept(
    app: Flask, client: FlaskClient, overrides: dict[str, str], field: str, message: str
) -> None:
    page = s.preview(client, **overrides)
    text_ = page.get_data(as_text=True)
    assert page.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*><p>([^<]*)<', text_)
    assert error is not None, f"no error next to {field}"
    assert message in error.group(1)
    # Everything the author wrote is still in the form.
    assert s.PARAGRAPH in text_ if overrides.get("body") is None else True
    assert "禾苗社会工作服务中心" in text_
    assert s.stories(app) == []


def test_story_length_limits_are_configurable(make_app: Any) -> None:
    app = make_app(STORY_MIN_CHARS=10, STORY_MAX_CHARS=20, TITLE_MAX_CHARS=5)
    client = app.test_client()
    assert s.preview(client, title="五个字标题", body="一二三四五六七八九十").status_code == 200
    too_long = s.preview(client, title="五个字标题", body="一二三四五\n六七八九十\n" * 3)
    assert too_long.status_code == 422
    assert "故事最多 20 个字（现在 30 个字）" in too_long.get_data(as_text=True)
    assert s.preview(client, title="六个字的标题").status_code == 422


def test_consents_are_required_and_shown_again(app: Flask, client: FlaskClient) -> None:
    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data["consent_licence"] = "y"  # the people statement is not ticked
    sent = client.post("/submit/send", data=data)
    assert sent.status_code == 422
    text_ = sent.get_data(as_text=True)
    assert "请勾选此项后再投稿" in text_
    assert s.PARAGRAPH in text_  # still the preview with the text
    assert s.stories(app) == []


def test_back_to_editing_keeps_everything(client: FlaskClient) -> None:
    page = s.preview(client, body=s.BODY + "\n最后一行 <i>原样</i>")
    data = s.carried(page.get_data(as_text=True))
    edit = client.post("/submit/edit", data=data).get_data(as_text=True)
    assert "最后一行 &lt;i&gt;原样&lt;/i&gt;" in edit  # in the textarea, escaped once
    assert 'value="禾苗社会工作服务中心"' in edit
    assert 'value="浙江省" selected' in edit or 'selected value="浙江省"' in edit


def test_language_switch_on_the_form_keeps_the_text(client: FlaskClient) -> None:
    page = client.get("/submit").get_data(as_text=True)
    assert 'formaction="/submit/edit?lang=en"' in page  # a button that sends the form along
    data = {**s.open_form(client), **s.fields(title="我的标题")}
    english = client.post("/submit/edit?lang=en", data=data).get_data(as_text=True)
    assert "Submit your story" in english and 'value="我的标题"' in english


def test_english_messages(client: FlaskClient) -> None:
    client.get("/?lang=en")
    text_ = s.preview(client, title="").get_data(as_text=True)
    assert "Please give your story a title." in text_


def test_double_submission_creates_one_story_and_shows_the_same_code(
    app: Flask, client: FlaskClient
) -> None:
    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    first = client.post("/submit/send", data=data)
    code = s.tracking_code(client.get(first.headers["Location"]).get_data(as_text=True))
    # A second browser (no session) sending the very same form, e.g. a resent request.
    other = app.test_client()
    other.get("/submit")
    again = other.post("/submit/send", data=data)
    assert again.status_code in (303, 400)  # 400 only when the CSRF session is missing
    second = client.post("/submit/send", data=data)
    assert second.status_code == 303
    assert s.tracking_code(client.get("/submit/sent").get_data(as_text=True)) == code
    assert len(s.stories(app)) == 1


def test_submit_story_repeat_returns_the_existing_story(app: Flask) -> None:
    values = dict(
        title="标题", body="正文" * 200, pen_name="笔名", service_field="other",
        licence=submission.ConsentText("a", "1"), people=submission.ConsentText("b", "1"),
    )  # fmt: skip
    token = submission.new_token()
    with app.app_context():
        with db.session_scope() as session:
            first = submission.submit_story(session, submission.Submission(**values), token, "k")
        with db.session_scope() as session:
            again = submission.submit_story(session, submission.Submission(**values), token, "k")
            assert not again.created and first.created
            assert again.story_id == first.story_id and again.tracking_code == first.tracking_code
        with db.session_scope() as session, pytest.raises(submission.SubmissionError):
            submission.submit_story(session, submission.Submission(**values), token, "new-key")
    assert len(s.stories(app)) == 1


def test_missing_or_wrong_csrf_token_gets_a_friendly_400_and_keeps_the_text(
    app: Flask, client: FlaskClient
) -> None:
    data = {**s.open_form(client), **s.fields(), "consent_licence": "y", "consent_people": "y"}
    for token in (None, "wrong"):
        sent = dict(data)
        if token is None:
            sent.pop("csrf_token")
        else:
            sent["csrf_token"] = token
        response = client.post("/submit/send", data=sent)
        text_ = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "表单已过期" in text_ and "您的文字还在" in text_
        assert s.PARAGRAPH in text_ and 'value="钥匙挂在门后"' in text_
        # The page has a fresh token: sending it again from there works.
        assert s.csrf(text_) != token
    again = client.post("/submit/preview", data={**data, "csrf_token": s.csrf(text_)})
    assert again.status_code == 200
    client.get("/?lang=en")
    response = client.post("/submit/preview", data={"title": "x"})
    assert response.status_code == 400 and "The form has expired" in response.get_data(as_text=True)
    # Outside the form, the general page answers.
    response = client.post("/track", data={"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 400 and "The form has expired" in response.get_data(as_text=True)
    assert s.stories(app) == []


def test_request_over_max_content_length_gets_a_friendly_413(make_app: Any) -> None:
    app = make_app(MAX_CONTENT_LENGTH=50_000)
    client = app.test_client()
    data = {**s.open_form(client), **s.fields(body=s.BODY * 100)}
    response = client.post("/submit/preview", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "上传的内容太大" in response.get_data(as_text=True)
    assert s.stories(app) == []


def test_submissions_are_rate_limited_with_a_friendly_429(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SUBMIT="2 per hour")
    client = app.test_client()
    s.submit(client)
    s.submit(client)
    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    response = client.post("/submit/send", data=data)
    text_ = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "提交的请求过多" in text_ and s.PARAGRAPH in text_  # the text comes back
    assert len(s.stories(app)) == 2
    # Other pages are not limited by the submission limit.
    assert client.get("/submit").status_code == 200


def test_sent_page_without_a_submission_goes_to_the_form(client: FlaskClient) -> None:
    response = client.get("/submit/sent")
    assert response.status_code == 302 and response.headers["Location"].endswith("/submit")


def test_tracking_codes() -> None:
    codes = set()
    for _ in range(200):
        code = submission.tracking_code_for(submission.new_token(), "secret")
        assert len(code) == 12 and not set(code) & set("0O1IL")
        codes.add(code)
    assert len(codes) == 200
    code = next(iter(codes))
    grouped = submission.format_code(code)
    assert grouped == f"{code[:4]}-{code[4:8]}-{code[8:]}"
    for typed in (grouped, code.lower(), f" {code[:6]} {code[6:]} ", grouped.replace("-", "—")):
        assert submission.normalise_code(typed) == code
    for bad in ("", "ABCD", code + "A", code[:11] + "0", code[:11] + "I"):
        assert submission.normalise_code(bad) is None
    assert submission.tracking_hash(grouped) == submission.tracking_hash(code.lower())


def test_cli_list_show_track_withdraw(app: Flask, make_story: Any) -> None:
    made = make_story(title="命令行里的故事")
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["stories", "list"])
    assert f"{made.id}\tsubmitted\t测试笔名\t命令行里的故事" in listed.output
    shown = runner.invoke(args=["stories", "show", str(made.id)])
    assert "命令行里的故事" in shown.output and "revision 1: author" in shown.output
    assert "consent licence: version 2026-1" in shown.output
    assert "13800138000" not in shown.output  # private data only with --private
    private = runner.invoke(args=["stories", "show", str(made.id), "--private"])
    assert "13800138000" in private.output
    tracked = runner.invoke(args=["stories", "track", made.tracking_code.lower()])
    assert tracked.exit_code == 0 and tracked.output.startswith(f"{made.id}\t")
    assert runner.invoke(args=["stories", "track", "ABCD-EFGH-JKMN"]).exit_code == 1
    withdrawn = runner.invoke(args=["stories", "withdraw", str(made.id), "--yes"])
    assert withdrawn.exit_code == 0, withdrawn.output
    assert s.stories(app)[0].status == StoryStatus.withdrawn
    again = runner.invoke(args=["stories", "withdraw", str(made.id), "--yes"])
    assert again.exit_code == 1 and "撤回" in again.output or "withdrawn" in again.output
    assert runner.invoke(args=["stories", "show", "999"]).exit_code == 1


def test_concurrent_duplicate_is_caught_by_the_unique_token(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with the same form racing: the second insert fails and finds the first."""
    values = dict(
        title="标题", body="正文" * 200, pen_name="笔名", service_field="other",
        licence=submission.ConsentText("a", "1"), people=submission.ConsentText("b", "1"),
    )  # fmt: skip
    token = submission.new_token()
    with app.app_context():
        with db.session_scope() as session:
            first = submission.submit_story(session, submission.Submission(**values), token, "k")
        real = submission.find_by_token
        calls: list[int] = []

        def not_yet(session: Any, token_: str) -> Any:  # the check ran before the first commit
            calls.append(1)
            return None if len(calls) == 1 else real(session, token_)

        monkeypatch.setattr(submission, "find_by_token", not_yet)
        with db.session_scope() as session:
            again = submission.submit_story(session, submission.Submission(**values), token, "k")
    assert len(calls) == 2
    assert (again.story_id, again.tracking_code, again.created) == (
        first.story_id, first.tracking_code, False,
    )  # fmt: skip
    assert len(s.stories(app)) == 1
    assert len(s.revisions(app, first.story_id)) == 1
