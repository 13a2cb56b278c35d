"""Site-wide checks found in a browser walk-through: role boundaries on every editorial URL,
CSRF on every POST, friendly pages, and the small page fixes that came out of it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from conftest import csrf_token


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


def test_every_post_without_a_csrf_token_is_refused(
    client: FlaskClient, make_user: Any, login: Any
) -> None:
    login(client, make_user(role="admin"))
    posts = [u for m, u in _editorial_rules(client.application) if m == "POST"]
    posts += ["/logout", "/submit/preview", "/submit/send", "/submit/edit", "/track"]
    for url in posts:
        response = client.post(url, data={"title": "x"})
        assert response.status_code == 400, (url, response.status_code)
        assert "Traceback" not in response.data.decode()
