"""The editors' daily digest: one message a day to each editor who opted in (account page).

It lists what happened since the editor's last digest: new submissions, revisions the authors
sent back, and the open stories the editor is handling: assigned to them, or with nobody
assigned and the last decision on them theirs.
A digest is due from `DIGEST_HOUR` (in `BABEL_DEFAULT_TIMEZONE`) once a local day; a day with
nothing to tell sends nothing. There are no per-event mails to editors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import AuditEvent, Decision, MailKind, Story, StoryStatus, User
from stories.operations.mail import links, outbox

OPEN = (StoryStatus.submitted, StoryStatus.in_review, StoryStatus.revision_requested)
REVISE = "story.revise"  # stories.operations.submission.REVISE


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    pen_name: str
    status: StoryStatus
    link: str


@dataclass(frozen=True)
class Sections:
    new: list[Item]
    revised: list[Item]
    mine: list[Item]

    @property
    def empty(self) -> bool:
        return not (self.new or self.revised or self.mine)


def _item(story: Story) -> Item:
    assert story.id is not None
    return Item(story.id, story.title, story.pen_name, story.status,
                links.absolute("story.show", story_id=story.id))  # fmt: skip


def sections(session: Session, user: User, since: datetime, until: datetime) -> Sections:
    new = session.exec(
        select(Story)
        .where(
            col(Story.submitted_at) >= since,
            col(Story.submitted_at) < until,
            col(Story.status).in_(OPEN),
        )  # fmt: skip
        .order_by(col(Story.submitted_at))
    ).all()
    revised_ids = select(AuditEvent.story_id).where(
        AuditEvent.action == REVISE, col(AuditEvent.created_at) >= since,
        col(AuditEvent.created_at) < until,
    )  # fmt: skip
    revised = session.exec(
        select(Story).where(col(Story.id).in_(revised_ids)).order_by(col(Story.id))
    ).all()
    latest = (
        select(Decision.story_id, func.max(Decision.id).label("last"))
        .group_by(col(Decision.story_id))
        .subquery()
    )
    mine = session.exec(
        select(Story)
        .outerjoin(latest, latest.c.story_id == Story.id)
        .outerjoin(Decision, col(Decision.id) == latest.c.last)
        .where(
            col(Story.status).in_(OPEN),
            or_(
                Story.assigned_to_id == user.id,
                and_(col(Story.assigned_to_id).is_(None), Decision.editor_id == user.id),
            ),
        )
        .order_by(col(Story.last_activity_at).desc())
    ).all()
    return Sections([_item(s) for s in new], [_item(s) for s in revised],
                    [_item(s) for s in mine])  # fmt: skip


def due(user: User, now: datetime) -> bool:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    if local.hour < int(current_app.config["DIGEST_HOUR"]):
        return False
    return user.digest_sent_at is None or user.digest_sent_at.astimezone(zone).date() < local.date()


def send(session: Session, user: User, now: datetime | None = None) -> bool:
    """Write the editor's digest to the outbox (if there is anything); whether it was."""
    now = now or utcnow()
    since = user.digest_sent_at or now - timedelta(days=1)
    found = sections(session, user, since, now)
    user.digest_sent_at = now
    session.add(user)
    if found.empty or not user.email:
        session.flush()
        return False
    outbox.queue(
        session, MailKind.digest, user.email, current_app.config["BABEL_DEFAULT_LOCALE"],
        user_id=user.id, name=user.display_name or user.username, sections=found,
        since=since, queue_link=links.absolute("queue.index"),
        account_link=links.absolute("mail.account"),
    )  # fmt: skip
    return True


def send_due(session: Session, now: datetime | None = None, force: bool = False) -> int:
    """The digests due now (all of the opted-in editors' with `force`); how many were sent."""
    now = now or utcnow()
    editors = session.exec(
        select(User).where(
            col(User.digest).is_(True), col(User.is_active).is_(True), User.email != ""
        )  # fmt: skip
    ).all()
    return sum(send(session, user, now) for user in editors if force or due(user, now))
