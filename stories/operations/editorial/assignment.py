"""Assign a story to an editor (or to nobody), and the "revised by the author" mark, which an
editor's opening of the story page clears. The caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import Story, User
from stories.operations import audit
from stories.operations.review import ReviewError


def assignees(session: Session) -> list[User]:
    """The active staff accounts a story can be assigned to, by name."""
    query = select(User).where(col(User.is_active)).order_by(col(User.username))
    return list(session.exec(query))


def assign(session: Session, story: Story, editor: User, assignee_id: int | None) -> User | None:
    """Give the story to `assignee_id` (None: to nobody); returns the assignee."""
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if assignee is None or not assignee.is_active:
            raise ReviewError(_l("There is no active account to assign the story to."))
    if story.assigned_to_id == assignee_id:
        return assignee
    previous = session.get(User, story.assigned_to_id) if story.assigned_to_id else None
    story.assigned_to_id = assignee_id
    story.last_activity_at = utcnow()
    session.add(story)
    audit.record(
        session,
        editor,
        "story.assign",
        story=story,
        details={
            "from": previous.username if previous else None,
            "to": assignee.username if assignee else None,
        },
    )
    session.flush()
    return assignee


def mark_revised(story: Story) -> None:
    """The author sent a revision: the story carries the mark until an editor opens it."""
    story.revised_by_author_at = utcnow()


def mark_seen(session: Session, story: Story) -> bool:
    """An editor opened the story: the "revised by the author" mark goes. True if it was set."""
    if story.revised_by_author_at is None:
        return False
    story.revised_by_author_at = None
    session.add(story)
    session.flush()
    return True
