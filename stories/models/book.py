"""The publisher's workspace: a volume's book settings and its chapters, kept as revisions.

`BookSettings` rows are immutable revisions of everything a recipe holds (`data`, JSON in the
recipe's own schema, see `stories.operations.books.settings`); the latest one is current.
`BookChapter` is a preface, history chapter or afterword placed in a volume (section, part,
position); its text lives in immutable `ChapterRevision` rows, revision 1 being the first text.
Neither kind of revision may be changed or deleted (ORM guard here, triggers in migration 0004).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import enum_column as _enum_column
from stories.models.base import time_column as _time_column
from stories.models.story import ImmutableRevisionError


class ChapterSection(enum.StrEnum):
    """Where a chapter stands in the book (the recipe's `structure`)."""

    front = "front"  # preface and other front matter
    history = "history"  # the body's history chapters, grouped into history parts
    back = "back"  # afterword and other back matter


class ChapterSource(enum.StrEnum):
    """Where a chapter revision's text came from."""

    typed = "typed"  # written in the website's textarea
    word = "word"  # converted from a Word file
    recipe = "recipe"  # imported with a recipe (or `flask demo load`)


class BookSettings(SQLModel, table=True):
    """One immutable revision of a volume's book settings."""

    __tablename__ = "book_settings"
    __table_args__ = (
        UniqueConstraint("volume_id", "number", name="uq_book_settings_volume_number"),
        CheckConstraint("number >= 1", name="ck_book_settings_number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    number: int
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class BookChapter(SQLModel, table=True):
    """A chapter of a volume's book: its place. The text is in its revisions."""

    __tablename__ = "book_chapter"
    __table_args__ = (
        UniqueConstraint("volume_id", "section", "name", name="uq_book_chapter_volume_name"),
        CheckConstraint("section = 'history' OR part_title = ''", name="ck_book_chapter_part"),
    )

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    section: ChapterSection = Field(
        sa_column=_enum_column(ChapterSection, "chapter_section", nullable=False)
    )
    name: str = Field(max_length=64)  # the chapter file's name in a recipe: <section>/<name>.md
    part_title: str = Field(default="", max_length=200)  # history only; "" = in no part
    position: int = Field(default=0)  # order within the section
    removed_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class ChapterRevision(SQLModel, table=True):
    """An immutable snapshot of a chapter's title, subtitle, author and text (Markdown)."""

    __tablename__ = "chapter_revision"
    __table_args__ = (
        UniqueConstraint("chapter_id", "number", name="uq_chapter_revision_number"),
        CheckConstraint("number >= 1", name="ck_chapter_revision_number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chapter_id: int = Field(foreign_key="book_chapter.id", index=True)
    number: int
    title: str = Field(max_length=200)
    subtitle: str = Field(default="", max_length=200)
    author: str = Field(default="", max_length=200)
    body: str
    source: ChapterSource = Field(
        sa_column=_enum_column(ChapterSource, "chapter_source", nullable=False)
    )
    note: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


IMMUTABLE_TABLES = ("book_settings", "chapter_revision")


def _refuse(kind: str, verb: str) -> Any:
    def listener(_mapper: object, _connection: object, target: Any) -> None:
        raise ImmutableRevisionError(f"{kind} {target.id} {verb}")

    return listener


for _model, _kind in (
    (BookSettings, "book settings revision"),
    (ChapterRevision, "chapter revision"),
):
    event.listen(_model, "before_update", _refuse(_kind, "is immutable"))
    event.listen(_model, "before_delete", _refuse(_kind, "may not be deleted"))
