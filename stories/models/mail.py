"""What the site mails and keeps for authors: the outbox (every message, sent or not) and the
drafts of stories not sent yet."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import enum_column as _enum_column
from stories.models.base import time_column as _time_column


class MailKind(enum.StrEnum):
    receipt = "receipt"  # the story was received: the private link
    revision = "revision"  # the editors ask for a revision
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"  # confirmation of the author's withdrawal
    published = "published"  # the story is in a published edition
    draft = "draft"  # the private link of a saved draft
    links = "links"  # "send me my links": fresh private links
    digest = "digest"  # an editor's daily digest


class MailState(enum.StrEnum):
    held = "held"  # no mail server configured (MAIL_SERVER): kept for the admins to read
    queued = "queued"  # waiting for the worker (first try or a retry at next_attempt_at)
    sending = "sending"  # a worker is talking to the SMTP server
    sent = "sent"
    failed = "failed"  # every try failed; an admin can send it again


class OutboxMessage(SQLModel, table=True):
    """One mail, written here before anything is sent; the worker sends it (with retries)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name="ck_outbox_sent_at"),
        CheckConstraint("attempts >= 0", name="ck_outbox_attempts"),
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: MailKind = Field(sa_column=_enum_column(MailKind, "mail_kind", nullable=False))
    recipient: str = Field(max_length=200)
    language: str = Field(default="zh_CN", max_length=10)
    subject: str = Field(max_length=300)
    body_text: str
    body_html: str
    story_id: int | None = Field(default=None, foreign_key="story.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    state: MailState = Field(
        default=MailState.queued,
        sa_column=_enum_column(MailState, "mail_state", nullable=False, index=True),
    )
    attempts: int = Field(default=0)
    last_error: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column(index=True))
    next_attempt_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))


class Draft(SQLModel, table=True):
    """A story form saved before sending: every field as the author left it (the converted Word
    text included), opened again with its private draft code; deleted when it expires or when
    the story is sent. Not a story: editors never see it."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)  # SHA-256 of the draft code
    form: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    contact_email: str = Field(default="", max_length=200)
    language: str = Field(default="zh_CN", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    expires_at: datetime = Field(sa_column=_time_column(index=True))
