"""The links mails carry: absolute addresses on the site, and a story's private link.

A mail about a story that is sent after the receipt (a decision, a withdrawal, an edition) has
no tracking code to put in its link: only the code's hash is stored. It carries instead a
token signed with the app's secret that names the story and the hash of its current code, so
it opens the same pages as the code, and stops working when the code is replaced ("send me my
links" gives a new one).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from stories.models import Story

FALLBACK_SITE = "http://127.0.0.1:5000/"
SALT = "stories.mail-link"
TOKEN_PREFIX = "m."  # noqa: S105 - not a secret: marks a signed link (codes have no dots)


def site_url() -> str:
    """SITE_URL, else the address the request came to, else the demo server's."""
    configured = current_app.config.get("SITE_URL")
    if configured:
        return str(configured).rstrip("/") + "/"
    if has_request_context():
        return request.url_root
    return FALLBACK_SITE


def absolute(endpoint: str, **values: Any) -> str:
    """The absolute address of an endpoint, for a mail."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return site_url().rstrip("/") + path


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def story_token(story: Story) -> str:
    assert story.id is not None and story.tracking_hash
    return TOKEN_PREFIX + _signer().dumps([story.id, story.tracking_hash[:16]])


def is_token(text: str) -> bool:
    return text.startswith(TOKEN_PREFIX)


def token_story(text: str) -> tuple[int, str] | None:
    """(story id, start of its code's hash) of a valid token, else None."""
    if not is_token(text):
        return None
    try:
        value = _signer().loads(text[len(TOKEN_PREFIX) :])
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    return value[0], str(value[1])


def status_link(story: Story, code: str | None = None) -> str:
    """The story's private status page: with its tracking code when known, else a token (a
    story without a code, such as imported demo content, gets the look-up page)."""
    if not code and not story.tracking_hash:
        return absolute("track.lookup")
    return absolute("track.status", code=code or story_token(story))
