"""Story proofs: one story alone, as the volume's book will print it, for the editors.

A proof is a `Build` with a `story_id`: it goes through the same task queue, worker, progress,
heartbeat and cancel as a book build (stories.operations.books.builds), but it prints only the
story (its current revision, whatever its status: editors proof before they accept) in the trim,
fonts and inks of a volume, with a proof mark on every page, and it leaves no edition: its one
PDF is kept as `_proofs/<build id>.pdf` in the editions folder and handed out by `open_proof`.
The publication gate does not apply to a proof; it is never for press.

The volume is the one the story is placed in, else the one the editor chooses. A second request
while a proof of the story is queued or running joins it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from stories.models import (
    ACTIVE_STATES,
    Build,
    BuildState,
    Story,
    StoryRevision,
    User,
    Volume,
)
from stories.operations import OperationError, audit, export, volumes
from stories.operations.books import builds, sources

REQUEST = "proof.request"
DOWNLOAD = "proof.download"
FOLDER = "_proofs"  # inside the editions folder (no volume slug has an underscore)


class ProofError(OperationError):
    """A proof cannot be made or had."""


class ProofMissing(ProofError):
    pass


@dataclass(frozen=True)
class ProofFile:
    path: Path
    download_name: str


def chapter_id(story_id: int) -> str:
    """The story's chapter in the book (anthology.sources.stories)."""
    return f"story-{story_id}"


def volume_for(session: Session, story: Story, slug: str | None = None) -> Volume:
    """The volume whose book the proof follows: the story's own, else the chosen one."""
    placed = volumes.placement(session, story.id or 0)
    if placed is not None:
        return placed[0]
    if slug:
        return volumes.get(session, slug)
    raise ProofError(_l("Choose the volume whose page layout the proof should follow."))


def revision_of(session: Session, story: Story) -> int:
    query = select(func.max(StoryRevision.number)).where(StoryRevision.story_id == story.id)
    return session.exec(query).one() or 1


def active_proof(session: Session, story: Story) -> Build | None:
    query = select(Build).where(Build.story_id == story.id, col(Build.state).in_(ACTIVE_STATES))
    return session.exec(query).first()


def story_proofs(session: Session, story: Story, limit: int = 5) -> list[Build]:
    query = select(Build).where(Build.story_id == story.id).order_by(col(Build.id).desc())
    return list(session.exec(query.limit(limit)))


def get_proof(session: Session, build_id: int, story: Story) -> Build:
    build = session.get(Build, build_id)
    if build is None or build.story_id != story.id:
        raise builds.BuildNotFound(_l("There is no proof number %(id)s.", id=build_id))
    return build


def request_proof(
    session: Session,
    actor: User | None,
    story: Story,
    volume: Volume,
    stale_after: float | None = None,
) -> builds.Requested:
    """Queue a proof of the story's current revision in the volume's layout, or join the proof
    of the story already queued or running (flushed, not committed)."""
    if stale_after is not None:
        builds.reap_stale(session, stale_after)
    active, joined = builds.join_or_add(
        session,
        lambda: active_proof(session, story),
        lambda: Build(
            volume_id=volume.id or 0,
            story_id=story.id,
            story_revision=revision_of(session, story),
            requested_by_id=actor.id if actor else None,
        ),
    )
    details = {"story": story.id, "volume": volume.slug, "build": active.id, "joined": joined}
    audit.record(session, actor, REQUEST, details=details)
    return builds.Requested(active, joined)


def write_proof_sources(
    session: Session, build: Build, folder: Path, profiles: Path | None = None
) -> sources.BuildSources:
    """The volume's source tree with a stories file holding only the proof's story."""
    volume = session.get(Volume, build.volume_id)
    story = session.get(Story, build.story_id) if build.story_id else None
    if volume is None or story is None:
        raise ProofError(_l("The story or the volume of this proof no longer exists."))
    entry = export.story_entry(session, story)
    meta = {"slug": volume.slug, "title": volume.title, "description": volume.description}
    document = export.document(meta, [{"title": "", "stories": [entry]}])
    return sources.write_sources(session, volume, folder, stories=document, profiles=profiles)


def record_proof(
    session: Session, build: Build, output: dict[str, Any], warnings: list[dict[str, str]]
) -> str:
    """A running proof succeeded: its file's place (relative to the editions folder), to which
    the worker moves the PDF before committing (flushed, not committed)."""
    assert build.id is not None
    build.proof_file = f"{FOLDER}/{build.id}.pdf"
    build.proof_pages = int(output.get("pages", 0))
    session.add(build)
    session.flush()
    if not builds.succeed(session, build.id, build.proof_pages, warnings):
        raise builds.BuildFinished(_l("This build has already finished."))
    return build.proof_file


def open_proof(session: Session, actor: User, build: Build, root: Path) -> ProofFile:
    """The proof's PDF, for a download (an audit event)."""
    if build.state != BuildState.succeeded or not build.proof_file:
        raise ProofMissing(_l("This proof has no file."))
    path = root / build.proof_file
    if not path.is_file():
        raise ProofMissing(_l("The file of this proof is missing from the editions folder."))
    audit.record(session, actor, DOWNLOAD, details={"story": build.story_id, "build": build.id})
    name = f"proof-story-{build.story_id}-r{build.story_revision}-{build.id}.pdf"
    return ProofFile(path, name)


def place_file(staging: Path, root: Path, relative: str) -> Path:
    """Move a proof's PDF into the editions folder (one rename on the same file system)."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)
    return target
