"""What a test needs to act like a browser on our forms: the CSRF token, the test password."""

from __future__ import annotations

import re

TEST_PASSWORD = "test-password-123"
_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form in a page."""
    text_ = html.decode() if isinstance(html, bytes) else html
    found = _CSRF_INPUT.search(text_)
    assert found, "the page has no CSRF token"
    return found.group(1)
