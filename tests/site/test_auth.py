"""Accounts and roles through the HTTP client, with CSRF on: login, logout, limits, boundaries."""

from __future__ import annotations

from typing import Any

from browser import TEST_PASSWORD, csrf_token
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import AuditEvent, Role, User


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _user(app: Flask, username: str) -> User:
    with app.app_context(), db.session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return user


def test_anonymous_is_redirected_to_login(client: FlaskClient) -> None:
    for path in ("/editor/recent", "/editor/admin/users", "/editor/admin/audit"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
        assert path in response.headers["Location"]


def test_login_redirects_back_and_records_event(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    user = make_user(role="editor", username="lin")
    page = client.get("/login?next=/editor/admin/audit")
    assert page.status_code == 200
    response = client.post(
        "/login?next=/editor/recent",
        data={"username": "lin", "password": TEST_PASSWORD, "csrf_token": csrf_token(page.data)},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/editor/recent"
    assert client.get("/editor/recent").status_code == 200
    [event] = _events(app, "login")
    assert event.actor_id == user.id
    assert event.ip == "127.0.0.1"
    assert _user(app, "lin").last_login_at is not None


def test_login_refuses_foreign_next_url(client: FlaskClient, make_user: Any) -> None:
    make_user(username="wang")
    page = client.get("/login")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}",
            data={
                "username": "wang",
                "password": TEST_PASSWORD,
                "csrf_token": csrf_token(page.data),
            },
        )
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/editor/recent").data)})


def test_wrong_password_and_unknown_user_fail_alike(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    make_user(username="zhao")
    page = client.get("/login")
    token = csrf_token(page.data)
    for username, password in (("zhao", "wrong-password-1"), ("nobody", TEST_PASSWORD)):
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        assert response.status_code == 200
        assert "用户名或密码错误" in response.data.decode()
    assert client.get("/editor/recent").status_code == 302
    failed = _events(app, "login.failed")
    assert [event.details["username"] for event in failed] == ["zhao", "nobody"]


def test_login_without_csrf_token_is_refused(client: FlaskClient, make_user: Any) -> None:
    make_user(username="qian")
    response = client.post("/login", data={"username": "qian", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/editor/recent").status_code == 302


def test_deactivated_user_cannot_log_in(client: FlaskClient, make_user: Any) -> None:
    make_user(username="sun", active=False)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": "sun", "password": TEST_PASSWORD, "csrf_token": csrf_token(page.data)},
    )
    assert response.status_code == 200
    assert client.get("/editor/recent").status_code == 302


def test_logout_ends_the_session(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    user = make_user()
    login(client, user)
    page = client.get("/editor/recent")
    assert user.username in page.data.decode()
    response = client.post("/logout", data={"csrf_token": csrf_token(page.data)})
    assert response.status_code == 302
    assert client.get("/editor/recent").status_code == 302
    assert len(_events(app, "logout")) == 1


def test_login_is_rate_limited(make_app: Any, make_user: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    token = csrf_token(client.get("/login").data)
    codes = [
        client.post(
            "/login", data={"username": "x", "password": "wrong-password", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert client.get("/login").status_code == 200  # only POSTs count


def test_session_cookie_flags(make_app: Any, make_user: Any, login: Any) -> None:
    app = make_app()
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = app.test_client()
    user = make_user()
    response = login(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug(tmp_path: Any) -> None:
    from stories import create_app

    app = create_app(
        {
            "SECRET_KEY": "7f3a9c1e5b2d4086af19c3e7d5b20f6a",
            "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["db_engine"].dispose()


def test_role_boundaries(client: FlaskClient, make_user: Any, login: Any) -> None:
    """An editor and a publisher may not manage users; an admin may."""
    for role in ("editor", "publisher"):
        login(client, make_user(role=role))
        response = client.get("/editor/admin/users")
        assert response.status_code == 403
        assert "没有权限" in response.data.decode()
        assert client.get("/editor/admin/audit").status_code == 403
        assert client.get("/editor/recent").status_code == 200
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/editor/recent").data)})
    login(client, make_user(role="admin"))
    assert client.get("/editor/admin/users").status_code == 200
    assert client.get("/editor/admin/audit").status_code == 200


def test_password_reset_ends_other_sessions(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    editor = make_user(username="zhou")
    login(client, editor)
    assert client.get("/editor/recent").status_code == 200
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "reset-password", "zhou", "--password", "new-password-99"]
    )
    assert result.exit_code == 0, result.output
    assert client.get("/editor/recent").status_code == 302
    login(client, editor, password="new-password-99")
    assert client.get("/editor/recent").status_code == 200


def test_cli_creates_users_with_roles(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "chief", "--role", "admin", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    assert _user(app, "chief").role == Role.admin
    again = runner.invoke(args=["users", "create", "chief", "--password", "a-long-password"])
    assert again.exit_code != 0 and "chief" in again.output
    short = runner.invoke(args=["users", "create", "tiny", "--password", "short"])
    assert short.exit_code != 0
    prompted = runner.invoke(
        args=["users", "create", "ed"], input="password-one-1\npassword-one-1\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert _user(app, "ed").role == Role.editor
    listed = runner.invoke(args=["users", "list"])
    assert "chief\tadmin\tactive" in listed.output
    unknown = runner.invoke(args=["users", "reset-password", "ghost", "--password", "p" * 12])
    assert unknown.exit_code != 0 and "ghost" in unknown.output
    [created] = [e for e in _events(app, "user.create") if e.details["user"] == "chief"]
    assert created.actor_id is None and created.ip == ""  # from the command line


def _admin_post(client: FlaskClient, path: str, **data: str) -> Any:
    token = csrf_token(client.get("/editor/admin/users").data)
    return client.post(path, data={"csrf_token": token, **data})


def test_admin_manages_accounts_through_the_page(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin", username="boss")
    login(client, admin)
    response = _admin_post(
        client,
        "/editor/admin/users",
        username="xiaoli",
        display_name="小李",
        role="editor",
        password="first-password-1",
    )
    assert response.status_code == 302
    created = _user(app, "xiaoli")
    assert (created.role, created.display_name, created.is_active) == (Role.editor, "小李", True)

    other = app.test_client()

    page = other.get("/login")
    assert (
        other.post(
            "/login",
            data={
                "username": "xiaoli",
                "password": "first-password-1",
                "csrf_token": csrf_token(page.data),
            },
        ).status_code
        == 302
    )
    assert other.get("/editor/recent").status_code == 200

    _admin_post(client, f"/editor/admin/users/{created.id}/role", role="publisher")
    assert _user(app, "xiaoli").role == Role.publisher

    _admin_post(client, f"/editor/admin/users/{created.id}/password", password="second-pass-22")
    assert other.get("/editor/recent").status_code == 302  # the reset ended the session

    asked = _admin_post(client, f"/editor/admin/users/{created.id}/deactivate")
    assert asked.status_code == 200 and "停用 xiaoli？" in asked.data.decode()
    assert _user(app, "xiaoli").is_active is True  # nothing happens before the confirmation
    _admin_post(client, f"/editor/admin/users/{created.id}/deactivate", confirmed="yes")
    assert _user(app, "xiaoli").is_active is False
    page = other.get("/login")
    refused = other.post(
        "/login",
        data={
            "username": "xiaoli",
            "password": "second-pass-22",
            "csrf_token": csrf_token(page.data),
        },
    )
    assert refused.status_code == 200 and other.get("/editor/recent").status_code == 302

    _admin_post(client, f"/editor/admin/users/{created.id}/activate")
    assert _user(app, "xiaoli").is_active is True
    actions = [e.action for e in _events(app, "user.role")] + [
        e.action for e in _events(app, "user.deactivate")
    ]
    assert actions == ["user.role", "user.deactivate"]
    [reset] = _events(app, "user.password_reset")
    assert reset.actor_id == admin.id and reset.details == {"user": "xiaoli"}


def test_admin_page_refuses_bad_input(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    admin = make_user(role="admin", username="solo")
    login(client, admin)
    _admin_post(
        client, "/editor/admin/users", username="x y", role="editor", password="long-enough-1"
    )
    _admin_post(client, "/editor/admin/users", username="short", role="editor", password="short")
    _admin_post(
        client, "/editor/admin/users", username="solo", role="editor", password="long-enough-1"
    )
    assert [u.username for u in _all_users(app)] == ["solo"]
    page = client.get("/editor/admin/users").data.decode()
    assert "用户名 solo 已被占用" in page

    _admin_post(client, f"/editor/admin/users/{admin.id}/deactivate")
    assert "不能停用自己的账号" in client.get("/editor/admin/users").data.decode()
    _admin_post(client, f"/editor/admin/users/{admin.id}/role", role="editor")
    assert "最后一个有效的管理员账号" in client.get("/editor/admin/users").data.decode()
    me = _user(app, "solo")
    assert me.is_active and me.role == Role.admin  # not yourself, not the last admin


def test_editor_cannot_post_to_user_management(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    victim = make_user(role="admin", username="target")
    login(client, make_user(role="editor"))
    token = csrf_token(client.get("/editor/recent").data)
    for path, data in (
        ("/editor/admin/users", {"username": "sneaky", "role": "admin", "password": "p" * 12}),
        (f"/editor/admin/users/{victim.id}/role", {"role": "editor"}),
        (f"/editor/admin/users/{victim.id}/deactivate", {}),
        (f"/editor/admin/users/{victim.id}/password", {"password": "p" * 12}),
    ):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403
    assert _user(app, "target").role == Role.admin and _user(app, "target").is_active
    assert "sneaky" not in [u.username for u in _all_users(app)]


def test_role_required_nests_roles(make_app: Any, make_user: Any, login: Any) -> None:
    """A publisher passes publisher pages (e.g. volumes); an editor does not; admin passes all."""
    from flask import Blueprint

    from stories.web.auth import role_required

    app = make_app()
    probe = Blueprint("probe", __name__)

    @probe.get("/probe/publisher")
    @role_required(Role.publisher)
    def publisher_page() -> str:
        return "publisher ok"

    app.register_blueprint(probe)
    expected = {"editor": 403, "publisher": 200, "admin": 200}
    for role, status in expected.items():
        client = app.test_client()
        login(client, make_user(role=role))
        assert client.get("/probe/publisher").status_code == status, role
    assert app.test_client().get("/probe/publisher").status_code == 302


def _all_users(app: Flask) -> list[User]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(User).order_by(User.username)).all())
