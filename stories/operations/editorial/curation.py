"""Editors' internal notes (never shown to the author) and tags. The caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from anthology.text.markdown import clean_text
from stories.db import utcnow
from stories.models import Note, Story, StoryTag, Tag, User
from stories.operations import audit
from stories.operations.review import ReviewError

NOTE_MAX = 5000
TAG_MAX = 50


def add_note(session: Session, story: Story, editor: User, body: str) -> Note:
    """An internal note: editors only, never shown to the author."""
    text = clean_text(body or "").strip()
    if not text:
        raise ReviewError(_l("The note is empty."))
    if len(text) > NOTE_MAX:
        raise ReviewError(_l("The note is too long (at most %(n)s characters).", n=NOTE_MAX))
    note = Note(story_id=story.id or 0, author_id=editor.id or 0, body=text)
    story.last_activity_at = utcnow()
    session.add_all([note, story])
    audit.record(session, editor, "story.note", story=story, details={"note": text[:200]})
    session.flush()
    return note


def notes(session: Session, story_id: int) -> list[tuple[Note, str]]:
    query = (
        select(Note, User.username)
        .join(User, col(Note.author_id) == col(User.id))
        .where(Note.story_id == story_id)
        .order_by(col(Note.created_at), col(Note.id))
    )
    return [(note, username) for note, username in session.exec(query).all()]


def tag_name(name: str) -> str:
    return " ".join(clean_text(name or "").split()).lstrip("#＃").strip()


def tag_story(session: Session, story: Story, editor: User, name: str) -> Tag:
    name = tag_name(name)
    if not name:
        raise ReviewError(_l("The tag is empty."))
    if len(name) > TAG_MAX:
        raise ReviewError(_l("A tag has at most %(n)s characters.", n=TAG_MAX))
    tag = session.exec(select(Tag).where(Tag.name == name)).first()
    if tag is None:
        tag = Tag(name=name)
        session.add(tag)
        session.flush()
    if session.get(StoryTag, (story.id, tag.id)) is None:
        session.add(StoryTag(story_id=story.id or 0, tag_id=tag.id or 0))
        audit.record(session, editor, "story.tag", story=story, details={"tag": name})
        session.flush()
    return tag


def tag_stories(session: Session, editor: User, story_ids: list[int], name: str) -> int:
    """Tag several stories (the queue's bulk action); returns how many exist and were tagged."""
    stories = [story for story in map(lambda i: session.get(Story, i), story_ids) if story]
    for story in stories:
        tag_story(session, story, editor, name)
    return len(stories)


def untag_story(session: Session, story: Story, editor: User, tag_id: int) -> None:
    """Take the tag off the story; a tag left on no story is deleted."""
    link = session.get(StoryTag, (story.id, tag_id))
    if link is None:
        return
    tag = session.get(Tag, tag_id)
    session.delete(link)
    audit.record(
        session, editor, "story.untag", story=story, details={"tag": tag.name if tag else tag_id}
    )
    session.flush()
    still_used = session.exec(select(StoryTag).where(StoryTag.tag_id == tag_id).limit(1)).first()
    if tag is not None and still_used is None:
        session.delete(tag)  # a tag no story carries any more leaves the lists
        session.flush()


def tags(session: Session, story_id: int) -> list[Tag]:
    query = (
        select(Tag)
        .join(StoryTag, col(StoryTag.tag_id) == col(Tag.id))
        .where(StoryTag.story_id == story_id)
        .order_by(Tag.name)
    )
    return list(session.exec(query).all())
