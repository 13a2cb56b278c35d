"""Drafts: a story form saved before it is sent, opened again by its private draft link.

A draft keeps every field of the form as the author left it, the converted Word text included
(stored as Markdown, signed again when the form is shown). Only the SHA-256 of the draft code
is stored. Saving the same draft again (the form carries its code) updates it and moves its
expiry (`DRAFT_DAYS` after the last save); sending the story deletes it; `purge` deletes the
expired ones (the worker, every quarter of an hour). Drafts are no stories: the editors' queue
never shows them. The author gets the link by mail when the form has an address (again when the
address changes). The caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import Draft
from stories.operations.mail import links, messages

MAX_FIELD = 200_000  # characters kept of one field (the Word text included)


@dataclass(frozen=True)
class Saved:
    draft: Draft
    code: str
    link: str
    created: bool


def code_hash(code: str) -> str:
    return hashlib.sha256(("draft:" + code).encode()).hexdigest()


def find(session: Session, code: str | None) -> Draft | None:
    """The draft of a code, unless it has expired."""
    if not code or len(code) > 64:
        return None
    draft = session.exec(select(Draft).where(Draft.code_hash == code_hash(code))).first()
    if draft is None or draft.expires_at <= utcnow():
        return None
    return draft


def save(
    session: Session, form: dict[str, Any], email: str, language: str, code: str | None = None
) -> Saved:
    """Save the form as a draft: the draft of `code` updated, or a new one."""
    now = utcnow()
    expires = now + timedelta(days=float(current_app.config["DRAFT_DAYS"]))
    kept = {str(k): (str(v)[:MAX_FIELD] if v is not None else "") for k, v in form.items()}
    draft = find(session, code)
    created = draft is None
    old_email = "" if draft is None else draft.contact_email
    if draft is None:
        code = secrets.token_urlsafe(18)
        draft = Draft(code_hash=code_hash(code), created_at=now, expires_at=expires)
    assert code is not None
    draft.form, draft.contact_email, draft.language = kept, email[:200], language
    draft.updated_at, draft.expires_at = now, expires
    session.add(draft)
    session.flush()
    link = links.absolute("drafts.open_draft", code=code)
    if email and email != old_email:
        messages.draft(session, email, language, kept.get("title", ""), link, expires)
    return Saved(draft=draft, code=code, link=link, created=created)


def discard(session: Session, code: str | None) -> None:
    """The story was sent: its draft goes."""
    if code:
        session.execute(delete(Draft).where(col(Draft.code_hash) == code_hash(code)))


def purge(session: Session) -> int:
    """Delete the expired drafts; how many."""
    result = session.execute(delete(Draft).where(col(Draft.expires_at) <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
