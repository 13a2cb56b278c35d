"""A volume's own chapters: prefaces (front), history chapters in history parts (body) and
afterwords (back).

A chapter's title, subtitle, author and text (Markdown) live in immutable `ChapterRevision` rows,
as a story's do: revision 1 is the first text and never changes, every change is a new revision.
Its place (section, part title, position) is on `BookChapter`; the order and the structure of
the book are in `stories.operations.books.contents`. A removed chapter leaves the book but keeps
its revisions; it can be put back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin
from sqlmodel import Session

from anthology.text.markdown import clean_text
from stories.db import utcnow
from stories.models import BookChapter, ChapterRevision, ChapterSection, ChapterSource, User, Volume
from stories.operations.books.contents import (
    ChapterError,
    all_chapters,
    current,
    in_section,
    record,
    renumber,
    touch,
)

TITLE_MAX = 200
BODY_MAX = 1_000_000  # characters, pictures (data: URLs) included
NOTE_MAX = 500
NAME = re.compile(r"^[^/\\\s.][^/\\]{0,63}$")  # a chapter file's name, without ".md"


class InvalidChapter(ChapterError):
    """Some fields are not valid; `fields` maps a form field name to its message."""

    def __init__(self, fields: dict[str, object]) -> None:
        super().__init__(_l("The chapter was not saved: please correct the marked fields."))
        self.fields = fields


class ChapterConflict(ChapterError):
    """Someone saved the chapter since the form was opened."""


@dataclass(frozen=True)
class ChapterText:
    """What a chapter revision holds."""

    title: str
    body: str  # Markdown
    subtitle: str = ""
    author: str = ""


# --- Checking ---------------------------------------------------------------------------------


def _line(value: str) -> str:
    return " ".join(clean_text(value or "").split())


def check_text(text: ChapterText) -> ChapterText:
    """Cleaned text; raises InvalidChapter naming the fields."""
    cleaned = ChapterText(
        title=_line(text.title),
        subtitle=_line(text.subtitle),
        author=_line(text.author),
        body=clean_text(text.body or "").strip(),
    )
    problems: dict[str, object] = {}
    if not cleaned.title:
        problems["title"] = _l("The chapter needs a title.")
    for key in ("title", "subtitle", "author"):
        if len(getattr(cleaned, key)) > TITLE_MAX:
            problems[key] = _l("At most %(n)s characters.", n=TITLE_MAX)
    if not cleaned.body:
        problems["body"] = _l("The chapter has no text yet: write it or upload a Word file.")
    elif len(cleaned.body) > BODY_MAX:
        problems["body"] = _l("The text is too long (at most %(n)s characters).", n=BODY_MAX)
    if problems:
        raise InvalidChapter(problems)
    return cleaned


def _place(section: ChapterSection | str, part_title: str) -> tuple[ChapterSection, str]:
    try:
        where = ChapterSection(section)
    except ValueError:
        raise InvalidChapter({"section": _l("Choose where the chapter goes.")}) from None
    part = _line(part_title) if where == ChapterSection.history else ""
    if len(part) > TITLE_MAX:
        raise InvalidChapter({"part_title": _l("At most %(n)s characters.", n=TITLE_MAX)})
    return where, part


def _name_for(session: Session, volume: Volume, section: ChapterSection, title: str) -> str:
    """A file name for a new chapter: the title in pinyin (序言 -> xu-yan), made unique."""
    words = "-".join(lazy_pinyin(title)).lower()
    base = re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:40].strip("-") or "chapter"
    taken = {c.name for c in all_chapters(session, volume) if c.section == section}
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    return name


# --- Changes ----------------------------------------------------------------------------------


def _revision(
    session: Session,
    chapter: BookChapter,
    number: int,
    text: ChapterText,
    source: ChapterSource,
    actor: User | None,
    note: str,
) -> ChapterRevision:
    revision = ChapterRevision(
        chapter_id=chapter.id or 0,
        number=number,
        title=text.title,
        subtitle=text.subtitle,
        author=text.author,
        body=text.body,
        source=source,
        note=_line(note)[:NOTE_MAX],
        created_by_id=actor.id if actor else None,
    )
    session.add(revision)
    return revision


def add_chapter(
    session: Session,
    actor: User | None,
    volume: Volume,
    section: ChapterSection | str,
    part_title: str,
    text: ChapterText,
    source: ChapterSource = ChapterSource.typed,
    name: str | None = None,
    note: str = "",
) -> BookChapter:
    """A new chapter at the end of its section (history: of its part), with revision 1."""
    where, part = _place(section, part_title)
    text = check_text(text)
    if name is not None and not NAME.match(name):
        raise InvalidChapter({"name": _l("%(name)s cannot be a chapter's file name.", name=name)})
    chapter = BookChapter(
        volume_id=volume.id or 0,
        section=where,
        name=name or _name_for(session, volume, where, text.title),
        part_title=part,
        position=len(in_section(session, volume, where)) + 1,
    )
    session.add(chapter)
    session.flush()
    _revision(session, chapter, 1, text, source, actor, note)
    session.flush()
    renumber(session, volume, where)
    record(session, actor, "book.chapter_add", volume, chapter=chapter.name, title=text.title)
    return chapter


def save_chapter(
    session: Session,
    actor: User | None,
    volume: Volume,
    chapter: BookChapter,
    text: ChapterText,
    base: int,
    section: ChapterSection | str | None = None,
    part_title: str | None = None,
    source: ChapterSource = ChapterSource.typed,
    note: str = "",
) -> ChapterRevision | None:
    """A new revision when the text changed (None when not), and the new place if it moved.

    `base` is the revision the form was opened on; a newer one is a ChapterConflict.
    """
    where, part = _place(
        section if section is not None else chapter.section,
        part_title if part_title is not None else chapter.part_title,
    )
    text = check_text(text)
    latest = current(session, chapter)
    if base != latest.revision:
        raise ChapterConflict(
            _l(
                "Someone else saved this chapter meanwhile (now revision %(n)s). Your text is "
                "still in the form: compare it with the latest revision and save again.",
                n=latest.revision,
            )
        )
    moved = (where, part) != (chapter.section, chapter.part_title)
    if moved:
        _move_to(session, actor, volume, chapter, where, part)
    old = ChapterText(latest.title, latest.body, latest.subtitle, latest.author)
    if text == old:
        return None
    revision = _revision(session, chapter, latest.revision + 1, text, source, actor, note)
    touch(session, chapter)
    session.flush()
    record(
        session, actor, "book.chapter_edit", volume, chapter=chapter.name, revision=revision.number
    )
    return revision


def _move_to(
    session: Session,
    actor: User | None,
    volume: Volume,
    chapter: BookChapter,
    where: ChapterSection,
    part: str,
) -> None:
    """Into another section (at its end) or another history part."""
    old_section = chapter.section
    if where != old_section:
        taken = {c.name for c in all_chapters(session, volume) if c.section == where}
        if chapter.name in taken:
            chapter.name = _name_for(session, volume, where, chapter.name)
        chapter.position = len(in_section(session, volume, where)) + 1
    else:
        chapter.position = (
            max((c.position for c in in_section(session, volume, where)), default=0) + 1
        )
    chapter.section, chapter.part_title = where, part
    touch(session, chapter)
    session.flush()
    renumber(session, volume, old_section)
    renumber(session, volume, where)
    record(
        session, actor, "book.chapter_place", volume, chapter=chapter.name,
        section=where.value, part=part,
    )  # fmt: skip


def remove_chapter(session: Session, actor: User, volume: Volume, chapter: BookChapter) -> None:
    """Out of the book; its revisions stay, and it can be put back."""
    if chapter.removed_at is not None:
        return
    chapter.removed_at = utcnow()
    touch(session, chapter)
    session.flush()
    renumber(session, volume, chapter.section)
    record(session, actor, "book.chapter_remove", volume, chapter=chapter.name)


def restore_chapter(session: Session, actor: User, volume: Volume, chapter: BookChapter) -> None:
    """A removed chapter back into the book, at the end of its section (or part)."""
    if chapter.removed_at is None:
        return
    chapter.removed_at = None
    chapter.position = len(in_section(session, volume, chapter.section)) + 1
    touch(session, chapter)
    session.flush()
    renumber(session, volume, chapter.section)
    record(session, actor, "book.chapter_restore", volume, chapter=chapter.name)


def new_revision(
    session: Session,
    actor: User | None,
    chapter: BookChapter,
    text: ChapterText,
    source: ChapterSource,
    note: str = "",
) -> ChapterRevision | None:
    """A new revision when the text differs from the current one (the recipe import)."""
    text = check_text(text)
    latest = current(session, chapter)
    if text == ChapterText(latest.title, latest.body, latest.subtitle, latest.author):
        return None
    revision = _revision(session, chapter, latest.revision + 1, text, source, actor, note)
    touch(session, chapter)
    session.flush()
    return revision
