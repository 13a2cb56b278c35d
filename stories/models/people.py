"""Staff accounts and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import (
    Role,
)
from stories.models.base import (
    enum_column as _enum_column,
)
from stories.models.base import (
    time_column as _time_column,
)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=100)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=_enum_column(Role, "role", nullable=False))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    last_login_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    email: str = Field(default="", max_length=200)  # for the daily digest
    digest: bool = Field(default=False)  # opted in to the daily digest
    digest_sent_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    # Changed by logout, a new password and deactivation: every login session of the account ends.
    session_nonce: str = Field(default="", max_length=32)


class AuditEvent(SQLModel, table=True):
    """Who did what to which story, when and from where. Written by `stories.operations.audit`."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_story_created", "story_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=64, index=True)  # e.g. "login", "story.accept"
    story_id: int | None = Field(default=None, foreign_key="story.id")
    ip: str = Field(default="", max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column(index=True))
    # SHA-256 over the previous event's hash and this event (`flask audit verify` checks the chain).
    chain_hash: str = Field(default="", max_length=64)
