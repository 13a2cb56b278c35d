"""Book settings on the volume's pages: publishers only, revisions with who and when, the
working title as the default, errors in the form without losing anything."""

from __future__ import annotations

from typing import Any

import pytest
from booking import SETTINGS_FORM, current_settings, make_volume, with_app
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlmodel import select

from stories.models import BookSettings, ImmutableRevisionError, User
from stories.operations.books import settings

URL = "/editor/volumes/vol-b/book/settings"


@pytest.fixture
def publisher(app: Flask, client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="publisher", username="publisher_qian")
    login(client, user)
    make_volume(app, user)
    return user


def post(client: FlaskClient, **changes: str) -> Any:
    data = {**SETTINGS_FORM, "csrf_token": token_of(client, URL), "base": "", **changes}
    return client.post(URL, data={k: v for k, v in data.items() if v is not None})


def test_editors_get_403_and_anonymous_users_the_login(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    make_volume(app, make_user(role="publisher"))
    for path in (URL, "/editor/volumes/vol-b/book"):
        assert client.get(path).status_code == 302
    login(client, make_user(role="editor"))
    token = token_of(client, "/editor/queue")
    for path in (URL, "/editor/volumes/vol-b/book", "/editor/volumes/vol-b/book/chapters/new"):
        assert client.get(path).status_code == 403
    assert client.post(URL, data={**SETTINGS_FORM, "csrf_token": token}).status_code == 403
    assert current_settings(app) is None


def test_the_working_title_is_the_default_and_saving_keeps_every_revision(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    page = client.get(URL).data.decode()
    assert 'value="工作书名"' in page  # Volume.title until settings are saved
    assert current_settings(app) is None

    assert post(client, note="第一次").status_code == 302
    data = current_settings(app)
    assert data is not None
    assert data["title"] == "一线之光" and data["editors"] == ["编委会甲", "编委会乙"]
    assert data["page"] == {"trim": "大32开", "bleed_mm": 3.0} and data["year"] == 2026
    assert data["isbn_demo"] is True and data["cip"].startswith("图书在版编目（CIP）数据\n\n")
    assert data["structure"] == {"stories": "after", "contributors": True}

    assert post(client, title="一线之光（修订）", trim="custom", width_mm="170",
                height_mm="240", contributors=None).status_code == 302  # fmt: skip
    assert post(client, title="一线之光（修订）", trim="custom", width_mm="170",
                height_mm="240", contributors=None).status_code == 302  # fmt: skip
    revisions = rows(app, select(BookSettings).order_by(BookSettings.number))
    assert [r.number for r in revisions] == [1, 2]  # the same values again: no new revision
    assert revisions[0].data["title"] == "一线之光"  # revision 1 is kept as it was
    second = revisions[1].data
    assert second["page"] == {"trim": "custom", "width_mm": 170.0, "height_mm": 240.0,
                              "bleed_mm": 3.0}  # fmt: skip
    assert second["structure"]["contributors"] is False
    assert revisions[1].created_by_id == publisher.id

    page = text_of(client.get(URL).data)
    assert "publisher_qian" in page and "第一次" in page  # who, and the note
    assert "书名" in page and "开本" in page  # what changed in revision 2, by field name
    recorded = events(app, "book.settings")
    assert [e.details["revision"] for e in recorded] == [1, 2]
    assert "title" in recorded[1].details["changed"] and recorded[1].actor_id == publisher.id


def test_a_wrong_isbn_check_digit_is_shown_in_the_form_and_nothing_is_lost(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    response = post(client, isbn="978-7-5123-4567-5", cip="第一行\n第二行", year="二〇二六")
    assert response.status_code == 400
    page = response.data.decode()
    assert "校验位" in page  # the ISBN's check digit, in Chinese
    assert "年份" in page and "1900" in page  # the year's own message
    assert 'value="978-7-5123-4567-5"' in page and "第一行\n第二行" in page  # as typed
    assert 'value="一线之光"' in page
    assert current_settings(app) is None
    assert "check digit" not in page
    client.get(URL + "?lang=en")  # the messages follow the user's language
    response = post(client, isbn="9787512345675", title="")
    page = response.data.decode()
    assert response.status_code == 400 and "wrong check digit" in page and "needs a title" in page
    assert current_settings(app) is None


def test_another_save_in_between_is_a_conflict_and_the_form_keeps_its_values(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    assert post(client, base="0").status_code == 302
    response = post(client, base="0", title="我的改动")
    assert response.status_code == 409
    page = response.data.decode()
    assert 'value="我的改动"' in page and 'name="base" type="hidden" value="1"' in page
    assert current_settings(app)["title"] == "一线之光"  # type: ignore[index]
    assert post(client, base="1", title="我的改动").status_code == 302


def test_an_expired_token_gives_the_form_back_filled(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    response = client.post(URL, data={**SETTINGS_FORM, "title": "未保存的书名"})
    assert response.status_code == 400
    page = response.data.decode()
    assert 'value="未保存的书名"' in page and "没有保存" in page
    assert current_settings(app) is None


def test_settings_revisions_cannot_be_changed(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    assert post(client).status_code == 302
    with pytest.raises(ImmutableRevisionError):
        with_app(app, "vol-b", lambda s, v: _change(s, settings.current(s, v)))
    engine = create_engine(app.config["DATABASE_URL"])
    for statement in ("UPDATE book_settings SET note = 'x'", "DELETE FROM book_settings"):
        with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    engine.dispose()
    assert current_settings(app)["title"] == "一线之光"  # type: ignore[index]


def _change(session: Any, revision: BookSettings | None) -> None:
    assert revision is not None
    revision.note = "changed"
    session.add(revision)
    session.flush()


def test_normalise_checks_each_field() -> None:
    good = settings.normalise({"title": " 书名 ", "isbn": "9787512345676", "year": 2026})
    assert good["title"] == "书名" and good["year"] == 2026
    assert good["fonts"]["body"] == "Noto Serif CJK SC"  # the usual faces by default
    with pytest.raises(settings.InvalidSettings) as refused:
        settings.normalise(
            {
                "title": "",
                "isbn": "12345",
                "page": {"trim": "custom", "bleed_mm": 40},
                "structure": {"stories": "middle"},
            }  # fmt: skip
        )
    assert set(refused.value.fields) == {"title", "isbn", "width_mm", "height_mm", "bleed_mm",
                                         "stories"}  # fmt: skip
