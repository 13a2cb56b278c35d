"""The editor's day (issue 17): decision message templates, and what the duplicate check keeps
(each story's MinHash bands, and the matches found)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import time_column as _time_column

TEMPLATE_ACTIONS = ("request_revision", "reject", "accept")
MATCH_KINDS = ("text", "people")


class MessageTemplate(SQLModel, table=True):
    """A message to the author for one kind of decision, in both languages; admins edit them.

    Placeholders: {title}, {pen_name}, {site} (stories.operations.templates fills them in)."""

    __tablename__ = "message_template"
    __table_args__ = (
        CheckConstraint(
            "action IN ('request_revision', 'reject', 'accept')", name="ck_template_action"
        ),
        UniqueConstraint("action", "name", name="uq_template_action_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=32)
    name: str = Field(max_length=100)
    body_zh: str = Field(default="")
    body_en: str = Field(default="")
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class StoryBand(SQLModel, table=True):
    """One band of a story's MinHash signature (locality-sensitive hashing): stories sharing a
    band are candidates for the near-duplicate check."""

    __tablename__ = "story_band"
    __table_args__ = (Index("ix_story_band_band_hash", "band", "hash"),)

    story_id: int = Field(foreign_key="story.id", primary_key=True)
    band: int = Field(primary_key=True)
    hash: int = Field(sa_column=Column(BigInteger(), nullable=False))


class StoryMatch(SQLModel, table=True):
    """Story `story_id` looks like the older story `other_id`: its text (`overlap`, the share of
    character 3-grams in common) or the people and places it names (`shared`)."""

    __tablename__ = "story_match"
    __table_args__ = (
        UniqueConstraint("story_id", "other_id", "kind", name="uq_story_match"),
        CheckConstraint("kind IN ('text', 'people')", name="ck_story_match_kind"),
        CheckConstraint("story_id <> other_id", name="ck_story_match_other"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    other_id: int = Field(foreign_key="story.id", index=True)
    kind: str = Field(max_length=16)
    overlap: float = Field(default=0.0)
    shared: str = Field(default="", max_length=1000)  # the names and places both stories give
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
