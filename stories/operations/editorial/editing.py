"""Editors' edits: a new revision by the editor, with optimistic locking on Story.version.

The earlier revisions are never changed (ORM guard and database triggers). A stale version raises
`ConflictError`, which carries the current text and the editor's text, so the page can show both
and nothing is lost. Verbs flush and leave the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from anthology.text import pictures as references
from anthology.text.markdown import clean_text
from stories.db import utcnow
from stories.models import RevisionSource, Story, StoryRevision, User
from stories.operations import audit, flags, pictures
from stories.operations.review import ReviewError

TITLE_MAX = 200  # the column's size


class InvalidEdit(ReviewError):
    pass


@dataclass(eq=False)
class ConflictError(ReviewError):
    """The story changed since the editor opened the form. Both versions travel with the error."""

    story_id: int
    expected_version: int
    current_version: int
    current_title: str
    current_body: str
    submitted_title: str
    submitted_body: str
    message: object = field(
        default=_l("Someone else changed this story while you were editing it. Nothing was saved.")
    )

    def __str__(self) -> str:
        return str(self.message)


def revisions(session: Session, story_id: int) -> list[StoryRevision]:
    query = (
        select(StoryRevision)
        .where(StoryRevision.story_id == story_id)
        .order_by(col(StoryRevision.number))
    )
    return list(session.exec(query).all())


def edit_story(
    session: Session,
    story: Story,
    editor: User,
    title: str,
    body: str,
    expected_version: int,
    note: str = "",
) -> StoryRevision | None:
    """A new revision by the editor (the earlier ones are never changed).

    Returns None when nothing changed. Raises ConflictError, carrying both texts, when the story
    is no longer at `expected_version`.
    """
    title = " ".join(clean_text(title or "").split())
    body = clean_text(body or "").strip()
    note = " ".join(clean_text(note or "").split())[:500]
    if not title:
        raise InvalidEdit(_l("The title may not be empty."))
    if len(title) > TITLE_MAX:
        raise InvalidEdit(_l("The title is too long (at most %(n)s characters).", n=TITLE_MAX))
    if not body:
        raise InvalidEdit(_l("The text may not be empty."))
    if title == story.title and body == story.body:
        return None
    now = utcnow()
    claimed = session.execute(
        update(Story)
        .where(col(Story.id) == story.id, col(Story.version) == expected_version)
        .values(version=Story.version + 1)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(story)
        raise ConflictError(
            story_id=story.id or 0,
            expected_version=expected_version,
            current_version=story.version,
            current_title=story.title,
            current_body=story.body,
            submitted_title=title,
            submitted_body=body,
        )
    set_committed_value(story, "version", expected_version + 1)
    number = (
        session.exec(
            select(func.max(StoryRevision.number)).where(StoryRevision.story_id == story.id)
        ).one()
        or 0
    ) + 1
    revision = StoryRevision(
        story_id=story.id or 0,
        number=number,
        title=title,
        body=body,
        source=RevisionSource.editor,
        editor_id=editor.id,
        note=note,
        created_at=now,
    )
    changed = [
        name for name, new in (("title", title), ("body", body)) if new != getattr(story, name)
    ]
    story.title, story.body = title, body
    story.updated_at = story.last_activity_at = now
    session.add_all([revision, story])
    audit.record(
        session,
        editor,
        "story.edit",
        story=story,
        details={"revision": number, "version": expected_version + 1, "changed": changed},
    )
    session.flush()

    flags.scan_story(session, story)  # flags follow the new text
    pictures.sync(session, story)  # a new picture in the text starts "to review"
    return revision


def keep_conflicting_edit(session: Session, editor: User, conflict: ConflictError) -> None:
    """Keep the refused text in the audit trail, so it survives even if the browser closes."""
    audit.record(
        session,
        editor,
        "story.edit_conflict",
        story=conflict.story_id,
        details={
            "expected_version": conflict.expected_version,
            "current_version": conflict.current_version,
            "title": conflict.submitted_title,
            "body": conflict.submitted_body,
        },
    )
    session.flush()


def describe_picture(
    session: Session,
    editor: User,
    story: Story,
    ref: str,
    description: str,
    caption: str,
    expected_version: int,
) -> bool:
    """The editor changes a picture's description and caption: a new revision of the text.
    Returns False when nothing changed (editing.ConflictError when the text moved on)."""
    if ref not in references.refs(story.body):
        raise pictures.PictureNotFound(_l("This story has no such picture."))
    description, caption = description.strip()[:300], caption.strip()[:300]
    body = references.describe(story.body, ref, description, caption)
    revision = edit_story(
        session, story, editor, story.title, body, expected_version, note="picture text"
    )
    return revision is not None
