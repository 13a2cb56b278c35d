"""The pictures of a story and their privacy review (the files are in `stories.pictures.store`)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import enum_column, time_column


class PictureReview(enum.StrEnum):
    to_review = "to_review"  # every picture starts here; it stops acceptance and the book
    fine = "fine"  # fine to publish as it is
    blurred = "blurred"  # published blurred (a region, or all of it); the original for editors
    left_out = "left_out"  # never published


class StoryPicture(SQLModel, table=True):
    """One picture a story refers to (`ref`, the content hash of the stored file).

    The caption and the description live in the story's text, with the reference, so that every
    revision keeps them; the review lives here. `blur` is "left,top,width,height" in fractions of
    the picture ("" = the whole picture) and only matters when the review is `blurred`.
    """

    __tablename__ = "story_picture"
    __table_args__ = (
        UniqueConstraint("story_id", "ref", name="uq_story_picture_ref"),
        CheckConstraint(
            "review = 'to_review' OR (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)",
            name="ck_story_picture_reviewed_names_editor",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    ref: str = Field(max_length=64, index=True)
    width: int = Field(default=0)
    height: int = Field(default=0)
    review: PictureReview = Field(
        default=PictureReview.to_review,
        sa_column=enum_column(PictureReview, "picture_review", nullable=False, index=True),
    )
    blur: str = Field(default="", max_length=100)
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=time_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column())
