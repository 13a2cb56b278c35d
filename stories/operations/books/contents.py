"""The book's contents as plain data, and their order: the read side of the chapters.

`structure(session, volume)` is the book in reading order: front chapters; the body (the
history parts with their chapters, the stories after or before them, or none); the back (the
list of contributors when it is printed, then the back chapters). Each chapter comes with its
current revision (`ChapterRow`).

Order is `BookChapter.position`, 1..n within a section. History chapters are grouped by part
title, the parts in the order of their first chapter; `renumber` makes the positions follow
that grouping after every change, so moving a chapter keeps it in its part and moving a part
moves its chapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import BookChapter, ChapterRevision, ChapterSection, User, Volume
from stories.operations import OperationError, audit
from stories.operations.books import settings


class ChapterError(OperationError):
    """A change of a chapter was refused."""


class ChapterNotFound(ChapterError):
    pass


@dataclass(frozen=True)
class ChapterRow:
    """A chapter with its current revision, as plain data for the pages and the build."""

    id: int
    section: ChapterSection
    name: str
    part_title: str
    position: int
    revision: int
    title: str
    subtitle: str
    author: str
    body: str
    removed: bool


@dataclass(frozen=True)
class HistoryPart:
    title: str  # "" = history chapters in no part
    chapters: tuple[ChapterRow, ...]


@dataclass(frozen=True)
class Structure:
    """The book in reading order: front chapters; the body (history parts, the stories before
    or after them, or no stories); the back (the list of contributors, then back chapters)."""

    front: tuple[ChapterRow, ...]
    history: tuple[HistoryPart, ...]
    back: tuple[ChapterRow, ...]
    stories: str  # settings.STORIES_PLACES
    contributors: bool
    removed: tuple[ChapterRow, ...]

    def chapters(self) -> list[ChapterRow]:
        """The chapters in the book, reading order (the stories aside)."""
        body = [c for part in self.history for c in part.chapters]
        return [*self.front, *body, *self.back]


# --- Reading ----------------------------------------------------------------------------------


def get(session: Session, volume: Volume, chapter_id: int) -> BookChapter:
    chapter = session.get(BookChapter, chapter_id)
    if chapter is None or chapter.volume_id != volume.id:
        raise ChapterNotFound(_l("This volume has no chapter number %(id)s.", id=chapter_id))
    return chapter


def revisions(session: Session, chapter_id: int) -> list[ChapterRevision]:
    query = select(ChapterRevision).where(ChapterRevision.chapter_id == chapter_id)
    return list(session.exec(query.order_by(col(ChapterRevision.number))))


def _latest(session: Session, chapter_ids: Sequence[int]) -> dict[int, ChapterRevision]:
    if not chapter_ids:
        return {}
    newest = (
        select(ChapterRevision.chapter_id, func.max(ChapterRevision.number).label("number"))
        .where(col(ChapterRevision.chapter_id).in_(chapter_ids))
        .group_by(col(ChapterRevision.chapter_id))
        .subquery()
    )
    query = select(ChapterRevision).join(
        newest,
        (col(ChapterRevision.chapter_id) == newest.c.chapter_id)
        & (col(ChapterRevision.number) == newest.c.number),
    )
    return {revision.chapter_id: revision for revision in session.exec(query)}


def all_chapters(session: Session, volume: Volume) -> list[BookChapter]:
    """Every chapter of the volume in order, removed ones included."""
    query = select(BookChapter).where(BookChapter.volume_id == volume.id)
    return list(session.exec(query.order_by(col(BookChapter.position), col(BookChapter.id))))


def _row(chapter: BookChapter, revision: ChapterRevision) -> ChapterRow:
    return ChapterRow(
        id=chapter.id or 0,
        section=chapter.section,
        name=chapter.name,
        part_title=chapter.part_title,
        position=chapter.position,
        revision=revision.number,
        title=revision.title,
        subtitle=revision.subtitle,
        author=revision.author,
        body=revision.body,
        removed=chapter.removed_at is not None,
    )


def _grouped(chapters: list[BookChapter]) -> list[tuple[str, list[BookChapter]]]:
    """History chapters by part title, the parts in the order of their first chapter."""
    groups: dict[str, list[BookChapter]] = {}
    for chapter in chapters:
        groups.setdefault(chapter.part_title, []).append(chapter)
    return list(groups.items())


def structure(session: Session, volume: Volume) -> Structure:
    chapters = all_chapters(session, volume)
    latest = _latest(session, [c.id for c in chapters if c.id is not None])
    active = [c for c in chapters if c.removed_at is None and c.id in latest]

    def section(name: ChapterSection) -> list[BookChapter]:
        return [c for c in active if c.section == name]

    history = tuple(
        HistoryPart(title, tuple(_row(c, latest[c.id or 0]) for c in members))
        for title, members in _grouped(section(ChapterSection.history))
    )
    choices = settings.current_data(session, volume)["structure"]
    return Structure(
        front=tuple(_row(c, latest[c.id or 0]) for c in section(ChapterSection.front)),
        history=history,
        back=tuple(_row(c, latest[c.id or 0]) for c in section(ChapterSection.back)),
        stories=choices["stories"],
        contributors=choices["contributors"],
        removed=tuple(
            _row(c, latest[c.id]) for c in chapters if c.removed_at is not None and c.id in latest
        ),
    )


def current(session: Session, chapter: BookChapter) -> ChapterRow:
    latest = _latest(session, [chapter.id or 0])
    return _row(chapter, latest[chapter.id or 0])


# --- Order ------------------------------------------------------------------------------------


def in_section(session: Session, volume: Volume, section: ChapterSection) -> list[BookChapter]:
    return [
        c for c in all_chapters(session, volume) if c.section == section and c.removed_at is None
    ]


def renumber(session: Session, volume: Volume, section: ChapterSection) -> list[BookChapter]:
    """Positions 1..n in the section's order (history: grouped by part); returns that order."""
    chapters = in_section(session, volume, section)
    if section == ChapterSection.history:
        chapters = [c for _title, members in _grouped(chapters) for c in members]
    for index, chapter in enumerate(chapters, 1):
        if chapter.position != index:
            chapter.position = index
            session.add(chapter)
    session.flush()
    return chapters


def touch(session: Session, chapter: BookChapter) -> None:
    chapter.updated_at = utcnow()
    session.add(chapter)


def record(
    session: Session, actor: User | None, action: str, volume: Volume, **details: Any
) -> None:
    audit.record(session, actor, action, details={"volume": volume.slug, **details})


def move_chapter(
    session: Session, actor: User, volume: Volume, chapter: BookChapter, step: int
) -> bool:
    """One place up (step -1) or down (+1) within its section (history: within its part)."""
    if chapter.removed_at is not None:
        return False
    order = renumber(session, volume, chapter.section)
    peers = [c for c in order if c.part_title == chapter.part_title]
    other = [c.id for c in peers].index(chapter.id) + step
    if not 0 <= other < len(peers):
        return False
    chapter.position, peers[other].position = peers[other].position, chapter.position
    session.add_all([chapter, peers[other]])
    session.flush()
    record(session, actor, "book.chapter_move", volume, chapter=chapter.name, step=step)
    return True


def move_part(session: Session, actor: User, volume: Volume, part_title: str, step: int) -> bool:
    """A history part (all its chapters) one place up (-1) or down (+1)."""
    groups = _grouped(renumber(session, volume, ChapterSection.history))
    titles = [title for title, _members in groups]
    if part_title not in titles:
        raise ChapterError(_l("There is no history part %(title)s.", title=part_title))
    index = titles.index(part_title)
    other = index + step
    if not 0 <= other < len(groups):
        return False
    groups[index], groups[other] = groups[other], groups[index]
    for position, chapter in enumerate((c for _t, members in groups for c in members), 1):
        chapter.position = position
        session.add(chapter)
    session.flush()
    record(session, actor, "book.part_move", volume, part=part_title, step=step)
    return True
