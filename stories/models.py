"""Database tables. States are enums; invariants are database constraints."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Enum, Index, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from stories.db import UTCDateTime, utcnow


def _enum_column(enum_cls: type[enum.Enum], name: str, **kwargs: object) -> Column:
    return Column(
        Enum(
            enum_cls,
            name=name,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


def _time_column(nullable: bool = False, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class StoryStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    revision_requested = "revision_requested"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class ServiceField(enum.StrEnum):
    elderly = "elderly"  # 老年
    children = "children"  # 儿童
    community = "community"  # 社区
    medical = "medical"  # 医务
    school = "school"  # 学校
    drugs = "drugs"  # 禁毒
    assistance = "assistance"  # 社会救助
    other = "other"  # 其他


class Role(enum.StrEnum):
    editor = "editor"
    publisher = "publisher"
    admin = "admin"


class ConsentKind(enum.StrEnum):
    licence = "licence"  # the publication licence
    people = "people"  # the people in the story are anonymised or have agreed


class RevisionSource(enum.StrEnum):
    author = "author"
    editor = "editor"


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=100)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=_enum_column(Role, "role", nullable=False))
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class Story(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "status NOT IN ('accepted', 'rejected') "
            "OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="ck_story_decided_names_editor",
        ),
        CheckConstraint("version >= 1", name="ck_story_version_positive"),
        Index("ix_story_status_submitted", "status", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str  # current text, Markdown (the author's text escaped)
    pen_name: str = Field(max_length=100)
    real_name: str = Field(default="", max_length=100)  # private
    organisation: str = Field(default="", max_length=200)
    province: str = Field(default="", max_length=50)
    city: str = Field(default="", max_length=50)
    service_field: ServiceField = Field(
        sa_column=_enum_column(ServiceField, "service_field", nullable=False, index=True)
    )
    years_in_practice: int | None = Field(default=None, ge=0, le=80)
    contact_phone: str = Field(default="", max_length=40)  # private
    contact_email: str = Field(default="", max_length=200)  # private
    status: StoryStatus = Field(
        default=StoryStatus.submitted,
        sa_column=_enum_column(StoryStatus, "story_status", nullable=False, index=True),
    )
    version: int = Field(default=1)  # optimistic locking for editors' edits
    tracking_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    submission_token: str | None = Field(default=None, max_length=64, unique=True)
    editor_message: str = Field(default="")  # shown to the author on the status page
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    submitted_at: datetime | None = Field(
        default=None, sa_column=_time_column(nullable=True, index=True)
    )
    last_activity_at: datetime = Field(default_factory=utcnow, sa_column=_time_column(index=True))


class StoryRevision(SQLModel, table=True):
    """An immutable snapshot of a story's title and body. Revision 1 is the original."""

    __tablename__ = "story_revision"
    __table_args__ = (
        UniqueConstraint("story_id", "number", name="uq_revision_story_number"),
        CheckConstraint("number >= 1", name="ck_revision_number_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    number: int
    title: str = Field(max_length=200)
    body: str
    source: RevisionSource = Field(
        sa_column=_enum_column(RevisionSource, "revision_source", nullable=False)
    )
    editor_id: int | None = Field(default=None, foreign_key="user_account.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class Consent(SQLModel, table=True):
    """The exact wording a submitter accepted, its version and the time."""

    __table_args__ = (UniqueConstraint("story_id", "kind", name="uq_consent_story_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    kind: ConsentKind = Field(sa_column=_enum_column(ConsentKind, "consent_kind", nullable=False))
    text: str
    version: str = Field(default="", max_length=40)
    accepted_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class ImmutableRevisionError(RuntimeError):
    """A story revision was about to be changed or deleted."""


@event.listens_for(StoryRevision, "before_update")
def _refuse_revision_update(_mapper: object, _connection: object, target: StoryRevision) -> None:
    raise ImmutableRevisionError(f"story revision {target.id} is immutable")


@event.listens_for(StoryRevision, "before_delete")
def _refuse_revision_delete(_mapper: object, _connection: object, target: StoryRevision) -> None:
    raise ImmutableRevisionError(f"story revision {target.id} may not be deleted")
