"""Editions: the books a succeeded build left, where they are kept, who may download them.

The worker builds into a temporary folder inside the editions folder and calls
`record_edition`, which adds the edition (with its inputs and the stories it printed) and marks
the build succeeded in the same transaction; the worker then moves the folder into place
(`Edition.folder`, relative to the editions folder) before committing. A failed or cancelled
build leaves no edition and no folder. Files are only handed out by `open_file`, which the
publishers' download view calls (an audit event per download).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from stories.models import Build, Edition, EditionStory, Story, User, Volume
from stories.operations import OperationError, audit
from stories.operations.books import builds
from stories.operations.mail import messages

FORMATS = ("print", "screen", "epub", "cover")
DOWNLOAD = "edition.download"


class EditionError(OperationError):
    """An edition or one of its files cannot be had."""


class EditionNotFound(EditionError):
    pass


class FileMissing(EditionError):
    """The edition's file is not in the editions folder (deleted or moved by hand)."""


@dataclass(frozen=True)
class StoryEdition:
    edition: Edition
    volume: Volume
    revision: int


@dataclass(frozen=True)
class EditionFile:
    path: Path
    download_name: str


def record_edition(
    session: Session,
    build: Build,
    files: dict[str, dict[str, Any]],
    inputs: dict[str, Any],
    warnings: list[dict[str, str]],
) -> Edition:
    """The edition of a running build, which is marked succeeded (flushed, not committed)."""
    volume = session.get(Volume, build.volume_id)
    assert volume is not None and build.id is not None
    pages = int(files.get("print", {}).get("pages", 0))
    edition = Edition(
        volume_id=build.volume_id, build_id=build.id, folder="", files=files, inputs=inputs,
        pages=pages, warnings=warnings,
    )  # fmt: skip
    session.add(edition)
    session.flush()
    edition.folder = f"{volume.slug}/{edition.id}"
    for entry in inputs.get("stories", []):
        if session.get(Story, entry["id"]) is not None:
            revision = max(1, int(entry.get("revision") or 1))
            session.add(EditionStory(edition_id=edition.id or 0, story_id=entry["id"],
                                     revision=revision))  # fmt: skip
    if not builds.succeed(session, build.id, pages, warnings):
        raise builds.BuildFinished(_l("This build has already finished."))
    session.flush()
    messages.published(session, edition.id or 0, volume)  # first printed here: the authors
    return edition


def get_edition(session: Session, edition_id: int) -> Edition:
    edition = session.get(Edition, edition_id)
    if edition is None:
        raise EditionNotFound(_l("There is no edition number %(id)s.", id=edition_id))
    return edition


def of_build(session: Session, build: Build) -> Edition | None:
    return session.exec(select(Edition).where(Edition.build_id == build.id)).first()


def volume_editions(session: Session, volume: Volume) -> list[Edition]:
    query = select(Edition).where(Edition.volume_id == volume.id)
    return list(session.exec(query.order_by(col(Edition.id).desc())))


def story_editions(session: Session, story_id: int) -> list[StoryEdition]:
    """The editions that print the story, newest first, with the revision each printed."""
    query = (
        select(Edition, Volume, EditionStory.revision)
        .join(EditionStory, col(EditionStory.edition_id) == col(Edition.id))
        .join(Volume, col(Volume.id) == col(Edition.volume_id))
        .where(EditionStory.story_id == story_id)
        .order_by(col(Edition.id).desc())
    )
    return [StoryEdition(e, v, r) for e, v, r in session.exec(query)]


def download_name(volume: Volume, edition: Edition, fmt: str) -> str:
    suffix = ".epub" if fmt == "epub" else f"-{fmt}.pdf"
    return f"{volume.slug}-edition-{edition.id}{suffix}"


def open_file(session: Session, actor: User, edition: Edition, fmt: str, root: Path) -> EditionFile:
    """One of the edition's files, for a download (recorded in the audit log)."""
    entry = edition.files.get(fmt) if fmt in FORMATS else None
    if not entry:
        raise FileMissing(_l("This edition has no such file."))
    path = root / edition.folder / entry["file"]
    if not path.is_file():
        raise FileMissing(_l("The file of this edition is missing from the editions folder."))
    volume = session.get(Volume, edition.volume_id)
    assert volume is not None
    details = {"volume": volume.slug, "edition": edition.id, "format": fmt}
    audit.record(session, actor, DOWNLOAD, details=details)
    return EditionFile(path, download_name(volume, edition, fmt))
