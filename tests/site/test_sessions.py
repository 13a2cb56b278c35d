"""Login sessions end for real: logout, a new password and deactivation end every session of the
account (copies of the cookie included); idle sessions end; failed logins lock the account."""

from __future__ import annotations

import time
from typing import Any

from browser import TEST_PASSWORD, csrf_token
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import AuditEvent
from stories.operations import accounts


def _copy_cookie(source: FlaskClient, target: FlaskClient) -> None:
    cookie = source.get_cookie("session")
    assert cookie is not None
    target.set_cookie("session", cookie.value)


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_logout_ends_a_copied_session_too(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    user = make_user()
    login(client, user)
    thief = app.test_client()
    _copy_cookie(client, thief)  # the cookie copied before logout (a shared computer, a proxy)
    assert thief.get("/editor/queue").status_code == 200
    page = client.get("/editor/queue")
    assert client.post("/logout", data={"csrf_token": csrf_token(page.data)}).status_code == 302
    response = thief.get("/editor/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # A new login works, and its session is a new one.
    login(client, user)
    assert client.get("/editor/queue").status_code == 200
    assert thief.get("/editor/queue").status_code == 302


def test_new_password_and_deactivation_end_every_session(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin")
    user = make_user()
    login(client, user)
    assert client.get("/editor/queue").status_code == 200
    with app.app_context(), db.session_scope() as session:
        accounts.reset_password(session, None, user.id, "another-password-456")
    assert client.get("/editor/queue").status_code == 302
    login(client, user, password="another-password-456")
    assert client.get("/editor/queue").status_code == 200
    with app.app_context(), db.session_scope() as session:
        accounts.set_active(session, accounts.get(session, admin.id), user.id, False)
    assert client.get("/editor/queue").status_code == 302


def test_an_idle_editorial_session_ends(make_app: Any, make_user: Any, login: Any) -> None:
    app = make_app(SESSION_IDLE_MINUTES=1)
    client = app.test_client()
    user = make_user()
    login(client, user)
    assert client.get("/editor/queue").status_code == 200
    with client.session_transaction() as cookie:
        cookie["seen"] = int(time.time()) - 61
    response = client.get("/editor/queue")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).data.decode()
    assert "一段时间没有操作" in page  # "logged out after a time without activity"
    assert client.get("/editor/queue").status_code == 302


def _try(client: FlaskClient, username: str, password: str) -> Any:
    token = csrf_token(client.get("/login").data)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_failed_logins_lock_the_account_and_its_owner_learns_it(
    make_app: Any, make_user: Any
) -> None:
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1000 per minute",
        RATELIMIT_LOGIN_ACCOUNT="3 per 15 minutes",
    )  # fmt: skip
    user = make_user(username="zhou")
    attacker = app.test_client()
    codes = [_try(attacker, "zhou", f"wrong-password-{n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]  # the third failure locks the account
    # Locked now: even the right password is refused, with the same answer as for anyone.
    owner = app.test_client()
    response = _try(owner, "zhou", TEST_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.data.decode()
    assert owner.get("/editor/queue").status_code == 302
    assert _try(attacker, "nobody-here", "x" * 12).status_code == 200  # other names unaffected
    [event] = _events(app, "login.locked")
    assert event.actor_id == user.id and event.details["username"] == "zhou"
    # After the lock (cleared here as `flask users unlock` does), the owner is told at login.
    result = app.test_cli_runner().invoke(args=["users", "unlock", "zhou"])
    assert result.exit_code == 0, result.output
    response = _try(owner, "zhou", TEST_PASSWORD)
    assert response.status_code == 302
    page = owner.get(response.headers["Location"]).data.decode()
    assert "您的账户被锁定了 1 次" in page and "127.0.0.1" in page


def test_the_lockout_is_shared_between_processes(make_app: Any, make_user: Any) -> None:
    """Two apps (two worker processes) on one Redis count the same failures."""
    import os

    import pytest

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set (CI starts a Redis server)")
    import uuid

    name = f"wu-{uuid.uuid4().hex[:8]}"  # a fresh counter in a Redis other tests may share
    settings = dict(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url, RATELIMIT_LOGIN="1000 per minute",
        RATELIMIT_LOGIN_ACCOUNT="4 per 15 minutes",
    )  # fmt: skip
    first, second = make_app(**settings), make_app(**settings)
    make_user(username=name)
    one, two = first.test_client(), second.test_client()
    for client in (one, two, one, two):  # the fourth failure, wherever it lands, locks
        assert _try(client, name, "wrong-password-1").status_code == 200
    assert _try(one, name, TEST_PASSWORD).status_code == 429
    assert _try(two, name, TEST_PASSWORD).status_code == 429
