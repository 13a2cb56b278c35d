"""'Send me my links': a fresh private link by mail for each story sent with the address; the
same answer for known and unknown addresses; the old code refused; rate limits. And the
organiser's contact on the pages an author needs help on; the preview's privacy warning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from smtpserver import Inbox, links_in, path_of, text_of

from stories.models import StoryStatus

AUTHOR = "author@example.org"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox().start()
    yield box
    box.stop()


@pytest.fixture
def mail_app(make_app: Any, inbox: Inbox) -> Flask:
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, QUEUE_IMMEDIATE=True,
                    ORGANISER_CONTACT="联系电话 010-12345678")  # fmt: skip


def ask(client: FlaskClient, email: str) -> Any:
    page = client.get("/track/lost")
    assert page.status_code == 200
    return client.post("/track/lost", data={"email": email, "csrf_token": s.csrf(page.data)})


def _answer(response: Any) -> str:
    text = response.get_data(as_text=True)
    return text[text.index("<main>") : text.index("</main>")]


def test_known_and_unknown_addresses_get_the_same_answer(mail_app: Flask, inbox: Inbox) -> None:
    s.submit(mail_app.test_client())
    inbox.wait(1)
    known = ask(mail_app.test_client(), AUTHOR.upper())  # typed in another case
    unknown = ask(mail_app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _answer(known) == _answer(unknown)
    assert inbox.wait(2)[1]["To"] == AUTHOR.upper()
    assert len(inbox.received) == 2  # nothing to the unknown address


def test_new_links_work_and_the_old_codes_stop_working(mail_app: Flask, inbox: Inbox) -> None:
    old = [s.submit(mail_app.test_client(), title=f"第{i}篇") for i in (1, 2)]
    s.submit(mail_app.test_client(), title="别人的", contact_email="other@example.org")
    inbox.wait(3)
    ask(mail_app.test_client(), AUTHOR)
    [message] = [m for m in inbox.wait(4) if "新私人链接" in m["Subject"]]
    text = text_of(message)
    assert "第1篇" in text and "第2篇" in text and "别人的" not in text
    links = [link for link in links_in(message) if "/track/" in link]
    assert len(links) == 2
    for code in old:
        assert code not in text
        assert mail_app.test_client().get(f"/track/{code}").status_code == 404
    for link, title in zip(links, ("第1篇", "第2篇"), strict=True):
        page = mail_app.test_client().get(path_of(link))
        assert page.status_code == 200 and title in page.get_data(as_text=True)
    # The mails sent before carried the old codes: those links are refused too.
    receipt = inbox.received[0][1]
    old_link = next(link for link in links_in(receipt) if "/track/" in link)
    assert mail_app.test_client().get(path_of(old_link)).status_code == 404


def test_a_decision_link_stops_working_with_a_new_code(
    mail_app: Flask, inbox: Inbox, make_user: Any, login: Any
) -> None:
    author = mail_app.test_client()
    s.submit(author)
    story_id = s.stories(mail_app)[-1].id
    editor = mail_app.test_client()
    login(editor, make_user(role="editor"))
    page = editor.get(f"/editor/stories/{story_id}")
    editor.post(f"/editor/stories/{story_id}/decision",
                data={"csrf_token": s.csrf(page.data), "action": "request_revision",
                      "message": "请修改。"})  # fmt: skip
    request = inbox.wait(2)[1]
    link = next(link for link in links_in(request) if "/track/" in link)
    assert mail_app.test_client().get(path_of(link)).status_code == 200
    ask(mail_app.test_client(), AUTHOR)
    inbox.wait(3)
    assert mail_app.test_client().get(path_of(link)).status_code == 404
    assert s.stories(mail_app)[-1].status == StoryStatus.revision_requested


def test_rate_limited_per_address_and_per_client(make_app: Any, inbox: Inbox) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, QUEUE_IMMEDIATE=True,
                   RATELIMIT_ENABLED=True, RATELIMIT_LINKS="2 per hour")  # fmt: skip
    # The same address from three clients (other addresses): the third is refused.
    clients = [app.test_client() for _ in range(3)]
    statuses = []
    for number, client in enumerate(clients):
        page = client.get("/track/lost")
        statuses.append(client.post(
            "/track/lost", data={"email": AUTHOR, "csrf_token": s.csrf(page.data)},
            environ_base={"REMOTE_ADDR": f"10.0.0.{number + 1}"}).status_code)  # fmt: skip
    assert statuses == [200, 200, 429]
    # Many addresses from one client: refused after the limit too.
    client = app.test_client()
    answers = []
    for number in range(3):
        page = client.get("/track/lost", environ_base={"REMOTE_ADDR": "10.0.1.1"})
        answers.append(client.post(
            "/track/lost", data={"email": f"x{number}@example.org",
                                 "csrf_token": s.csrf(page.data)},
            environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code)  # fmt: skip
    assert answers == [200, 200, 429]


def test_an_invalid_address_is_asked_again(mail_app: Flask) -> None:
    response = ask(mail_app.test_client(), "not an address")
    assert response.status_code == 422 and 'name="email"' in response.get_data(as_text=True)


def test_the_organisers_contact_where_authors_need_help(mail_app: Flask) -> None:
    client = mail_app.test_client()
    contact = "联系电话 010-12345678"
    assert contact in client.get("/").get_data(as_text=True)
    page = s.preview(client)
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=data)
    receipt = client.get(sent.headers["Location"]).get_data(as_text=True)  # shown only once
    code = s.tracking_code(receipt)
    assert contact in receipt and "把我的链接发给我" in receipt
    assert contact in client.get(f"/track/{code}").get_data(as_text=True)
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and contact in missing.get_data(as_text=True)
    assert contact in client.get("/track/lost").get_data(as_text=True)


def test_the_preview_warns_of_personal_data_in_the_text(client: FlaskClient) -> None:
    body = s.BODY + "\n她的电话是13912345678，住在杭州市西湖区文三路100号。"
    text = s.preview(client, body=body).get_data(as_text=True)
    assert "您的文字里似乎有个人信息" in text and "13912345678" in text
    assert "编辑会把这些细节匿名化" in text
    clean = s.preview(client).get_data(as_text=True)
    assert "您的文字里似乎有个人信息" not in clean
