"""Stories and what belongs to them: revisions (immutable), consents, decisions, notes, tags,
privacy flags and pseudonyms."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import (
    ConsentKind,
    RevisionSource,
    ServiceField,
    StoryStatus,
)
from stories.models.base import (
    enum_column as _enum_column,
)
from stories.models.base import (
    time_column as _time_column,
)


class Story(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "status NOT IN ('accepted', 'rejected') "
            "OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="ck_story_decided_names_editor",
        ),
        CheckConstraint("version >= 1", name="ck_story_version_positive"),
        Index("ix_story_status_submitted", "status", "submitted_at"),
        Index("ix_story_status_activity", "status", "last_activity_at"),
        Index("ix_story_province", "province"),
        # The queue at 100,000 stories (issue 17, migration 0011): covering indexes, so the
        # counts and the ordered pages read indexes only, never the rows (SQLite keeps the
        # columns after the body in its overflow pages; PostgreSQL scans the index only).
        Index(
            "ix_story_queue_counts", "status", "revised_by_author_at", "assigned_to_id",
            "service_field", "province", "submitted_at", "id",
        ),
        Index(
            "ix_story_queue_submitted", "submitted_at", "id", "status", "revised_by_author_at",
            "assigned_to_id", "service_field", "province", "last_activity_at",
        ),
        Index(
            "ix_story_queue_activity", "last_activity_at", "submitted_at", "status",
            "revised_by_author_at", "assigned_to_id", "id",
        ),
        Index(
            "ix_story_queue_title", "title", "status", "revised_by_author_at", "assigned_to_id",
            "submitted_at", "id",
        ),
        Index(
            "ix_story_queue_revised", "revised_by_author_at", "status", "assigned_to_id",
            "service_field", "province", "submitted_at", "id",
        ),
        Index(
            "ix_story_queue_assigned", "assigned_to_id", "status", "revised_by_author_at",
            "service_field", "province", "submitted_at", "id",
        ),
        # A search counted from its matches (migration 0012): each match one lookup by id.
        Index(
            "ix_story_queue_match", "id", "status", "revised_by_author_at", "assigned_to_id",
            "service_field", "province", "submitted_at", "last_activity_at",
        ),
    )  # fmt: skip

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
    language: str = Field(default="zh_CN", max_length=10)  # the form's language: the mails'
    status: StoryStatus = Field(
        default=StoryStatus.submitted,
        sa_column=_enum_column(StoryStatus, "story_status", nullable=False, index=True),
    )
    version: int = Field(default=1)  # optimistic locking for editors' edits
    # The privacy scan and the search index of a long text still wait in the queue.
    scan_pending: bool = Field(default=False)
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
    # The editor's day (issue 17): who looks after the story, whether the author revised it since
    # an editor last opened it, and which story it duplicates.
    assigned_to_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    revised_by_author_at: datetime | None = Field(
        default=None, sa_column=_time_column(nullable=True)
    )
    duplicate_of_id: int | None = Field(default=None, foreign_key="story.id")


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


# --- The editorial queue (issue 3) -------------------------------------------------------------


class DecisionAction(enum.StrEnum):
    start_review = "start_review"
    request_revision = "request_revision"
    accept = "accept"
    reject = "reject"


class PrivacyKind(enum.StrEnum):
    phone = "phone"  # mainland mobile number
    landline = "landline"
    id_number = "id_number"  # 18-digit resident ID with a valid check digit
    bank_card = "bank_card"  # passes the Luhn check
    email = "email"
    wechat = "wechat"
    qq = "qq"
    address = "address"
    plate = "plate"  # vehicle licence plate
    person_name = "person_name"


class FlagStatus(enum.StrEnum):
    open = "open"
    pseudonymised = "pseudonymised"
    dismissed = "dismissed"  # not personal data; `reason` says why


class Decision(SQLModel, table=True):
    """One editorial decision on a story: who, when, what, and the message to the author."""

    __table_args__ = (
        CheckConstraint(
            "override_reason = '' OR action = 'accept'", name="ck_decision_override_only_accept"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    action: DecisionAction = Field(
        sa_column=_enum_column(DecisionAction, "decision_action", nullable=False)
    )
    editor_id: int = Field(foreign_key="user_account.id", index=True)
    message: str = Field(default="")  # to the author (request_revision, reject)
    override_reason: str = Field(default="")  # an admin accepted despite the acceptance gate
    from_status: StoryStatus = Field(
        sa_column=_enum_column(StoryStatus, "decision_from_status", nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class Note(SQLModel, table=True):
    """An internal note by an editor; never shown to the author."""

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    body: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class Tag(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class StoryTag(SQLModel, table=True):
    __tablename__ = "story_tag"

    story_id: int = Field(foreign_key="story.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True, index=True)


class PrivacyFlag(SQLModel, table=True):
    """Personal data found in a story's text by the detector, and how an editor resolved it."""

    __tablename__ = "privacy_flag"
    __table_args__ = (
        CheckConstraint('"start" >= 0 AND "end" >= "start"', name="ck_privacy_flag_span"),
        CheckConstraint(
            "status = 'open' OR (resolved_by_id IS NOT NULL AND resolved_at IS NOT NULL)",
            name="ck_privacy_flag_resolved_names_editor",
        ),
        CheckConstraint(
            "status <> 'dismissed' OR reason <> ''", name="ck_privacy_flag_dismissal_reason"
        ),
        Index("ix_privacy_flag_story_status", "story_id", "status"),
        Index("ix_privacy_flag_text", "text"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id")
    kind: PrivacyKind = Field(sa_column=_enum_column(PrivacyKind, "privacy_kind", nullable=False))
    text: str = Field(max_length=500)  # the matched text (private: editors only)
    start: int  # character offsets into the body of `revision_number`
    end: int
    revision_number: int = Field(default=1)  # the revision the detector ran on
    in_title: bool = Field(default=False)  # start/end point into the title, not the body
    status: FlagStatus = Field(
        default=FlagStatus.open,
        sa_column=_enum_column(FlagStatus, "flag_status", nullable=False, index=True),
    )
    pseudonym: str = Field(default="", max_length=200)
    reason: str = Field(default="", max_length=500)
    resolved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    resolved_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class Pseudonym(SQLModel, table=True):
    """Within one story the same real text always maps to the same pseudonym (editors only)."""

    __table_args__ = (
        UniqueConstraint("story_id", "real_text", name="uq_pseudonym_story_real_text"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    real_text: str = Field(max_length=500)
    pseudonym: str = Field(max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
