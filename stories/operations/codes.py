"""Tracking codes and submission tokens: how an author's story is found again.

The tracking code is the author's only key to their story. It is derived from the random
submission token of the form (HMAC with the app's secret), so a repeated or double-clicked
submission of the same form finds the same story and can show the same code again. Only the
SHA-256 of the normalised code is stored (`Story.tracking_hash`), and only the SHA-256 of the
submission token (`Story.submission_token`). A mail's signed link finds the story while its
code is the one the link was made for.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlmodel import Session, select

from stories.models import Story
from stories.operations.mail import links

# Upper-case letters and digits without 0/O, 1/I/L (and U/V look-alikes are fine in print).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUP = 4
_SEPARATORS = re.compile(r"[\s\-_.·—–]+")
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_token() -> str:
    """A random submission token for a new form (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def valid_token(token: str | None) -> bool:
    return bool(token) and TOKEN_PATTERN.match(token or "") is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(("submission:" + token).encode()).hexdigest()


def tracking_code_for(token: str, secret: str) -> str:
    """The tracking code of the form with this token: 12 characters of ALPHABET, ungrouped."""
    digest = hmac.new(secret.encode(), ("tracking:" + token).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def normalise_code(text: str) -> str | None:
    """Accept a code typed with or without dashes and spaces, in any case; None if impossible."""
    code = _SEPARATORS.sub("", text or "").upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def format_code(code: str) -> str:
    """ABCDEFGHJKMN -> ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def tracking_hash(code: str) -> str:
    """The stored form of a tracking code: SHA-256 of the normalised code."""
    normalised = normalise_code(code)
    if normalised is None:
        raise ValueError("not a tracking code")
    return hashlib.sha256(normalised.encode()).hexdigest()


def find_by_tracking_code(session: Session, code: str) -> Story | None:
    normalised = normalise_code(code)
    if normalised is None:
        return None
    query = select(Story).where(Story.tracking_hash == tracking_hash(normalised))
    return session.exec(query).first()


def find_by_mail_link(session: Session, link: str) -> Story | None:
    """The story of a mail's signed link, while its tracking code is the one it was made for."""
    found = links.token_story(link)
    story = session.get(Story, found[0]) if found else None
    if story is None or not story.tracking_hash or not found:
        return None
    return story if hmac.compare_digest(story.tracking_hash[:16], found[1]) else None


def find_by_token(session: Session, token: str) -> Story | None:
    return session.exec(select(Story).where(Story.submission_token == token_hash(token))).first()
