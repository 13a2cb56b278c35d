"""Book builds and editions: a publisher's build job, and the books a finished build left.

A `Build` is one request to turn a volume into books: queued, then running in the task
queue's worker (its phase, chunks and pages written as it goes, its heartbeat every few
seconds), then succeeded, failed or cancelled. At most one build of a volume is queued or
running at a time (a partial unique index). A succeeded build made exactly one `Edition`: the
files, kept under the instance folder, and the inputs they were made from; `EditionStory` says
which revision of which story an edition printed.

A build with a `story_id` is a proof: that story alone, at `story_revision`, in the volume's
trim and fonts, kept as `proof_file` (no edition). A story has at most one proof queued or
running; proofs and the volume's book builds do not wait for each other.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from stories.db import utcnow
from stories.models.base import enum_column as _enum_column
from stories.models.base import time_column as _time_column


class BuildState(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


ACTIVE_STATES = (BuildState.queued, BuildState.running)
FINISHED_STATES = (BuildState.succeeded, BuildState.failed, BuildState.cancelled)


class BuildPhase(enum.StrEnum):
    """The phases of a build in order (`anthology.progress.PHASES`)."""

    gathering = "gathering"
    print = "print"  # the print PDF
    screen = "screen"  # the screen PDF
    epub = "epub"
    checking = "checking"
    saving = "saving"


class BuildFailure(enum.StrEnum):
    """Why a build failed: the kind is shown translated, the detail as the builder gave it."""

    content = "content"  # a recipe, chapter or stories file is wrong (file and line)
    gate = "gate"  # the publication gate refused stories (consent, privacy flags)
    font = "font"  # a font is not installed
    build = "build"  # the builder could not go on (a tool, a render)
    crashed = "crashed"  # a process of the build crashed
    out_of_memory = "out_of_memory"  # the build was killed, most often for lack of memory
    disk_full = "disk_full"
    worker_stopped = "worker_stopped"  # the worker died or was stopped during the build
    queue = "queue"  # the job could not be handed to the task queue
    internal = "internal"  # a bug: the log has the traceback


_ACTIVE = "state IN ('queued', 'running')"
_ACTIVE_BOOK = f"{_ACTIVE} AND story_id IS NULL"
_ACTIVE_PROOF = f"{_ACTIVE} AND story_id IS NOT NULL"


class Build(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint(
            "chunks_done >= 0 AND chunks_total >= 0 AND pages >= 0", name="ck_build_counts"
        ),
        CheckConstraint(
            "state NOT IN ('running', 'succeeded') OR started_at IS NOT NULL",
            name="ck_build_started",
        ),
        CheckConstraint(
            "state NOT IN ('succeeded', 'failed', 'cancelled') OR finished_at IS NOT NULL",
            name="ck_build_finished",
        ),
        CheckConstraint("state <> 'failed' OR failure IS NOT NULL", name="ck_build_failure"),
        Index(
            "uq_build_active_volume",
            "volume_id",
            unique=True,
            sqlite_where=text(_ACTIVE_BOOK),
            postgresql_where=text(_ACTIVE_BOOK),
        ),
        Index(
            "uq_build_active_proof",
            "story_id",
            unique=True,
            sqlite_where=text(_ACTIVE_PROOF),
            postgresql_where=text(_ACTIVE_PROOF),
        ),
        CheckConstraint("story_id IS NULL OR story_revision >= 1", name="ck_build_proof"),
    )

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    # A proof: one story alone, at one revision, in the volume's trim and fonts (no edition).
    story_id: int | None = Field(default=None, foreign_key="story.id", index=True)
    story_revision: int | None = Field(default=None)
    proof_file: str = Field(default="", max_length=200)  # a proof's PDF, in the editions folder
    proof_pages: int = Field(default=0)
    requested_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    state: BuildState = Field(
        default=BuildState.queued,
        sa_column=_enum_column(BuildState, "build_state", nullable=False, index=True),
    )
    phase: BuildPhase | None = Field(
        default=None, sa_column=_enum_column(BuildPhase, "build_phase", nullable=True)
    )
    chunks_done: int = Field(default=0)
    chunks_total: int = Field(default=0)
    pages: int = Field(default=0)  # pages of the current PDF laid out so far
    cancel_requested: bool = Field(default=False)
    failure: BuildFailure | None = Field(
        default=None, sa_column=_enum_column(BuildFailure, "build_failure", nullable=True)
    )
    message: str = Field(default="")  # the failure's detail, as the builder gave it
    warnings: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # {"kind": privacy|font|image|system|epub|other, "text": as the builder gave it}
    worker: str = Field(default="", max_length=200)  # host:pid of the process running it
    task_id: str = Field(default="", max_length=64)  # the task queue's id
    requested_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())
    started_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    heartbeat_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_time_column(nullable=True))

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_proof(self) -> bool:
        return self.story_id is not None


class Edition(SQLModel, table=True):
    """The books of a succeeded build, kept in `folder` (relative to the editions folder)."""

    id: int | None = Field(default=None, primary_key=True)
    volume_id: int = Field(foreign_key="volume.id", index=True)
    build_id: int = Field(foreign_key="build.id", unique=True)
    folder: str = Field(max_length=200)
    # format (print, screen, epub) -> {"file": name, "bytes": n, "pages": n}
    files: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # what it was made from: settings revision, chapters, stories and revisions, software
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pages: int = Field(default=0)  # the print edition's pages
    warnings: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )  # {"kind": privacy|font|image|system|epub|other, "text": as the builder gave it}
    created_at: datetime = Field(default_factory=utcnow, sa_column=_time_column())


class EditionStory(SQLModel, table=True):
    """A story printed in an edition, and the revision that was printed."""

    __tablename__ = "edition_story"
    __table_args__ = (
        UniqueConstraint("edition_id", "story_id", name="uq_edition_story"),
        CheckConstraint("revision >= 1", name="ck_edition_story_revision"),
    )

    id: int | None = Field(default=None, primary_key=True)
    edition_id: int = Field(foreign_key="edition.id", index=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    revision: int = Field(default=1)
