"""The authors' messages about their stories, in the language they used on the form.

Each is queued only when the author gave an e-mail address. The receipt links to the status
page with the tracking code; later messages carry a signed link (stories.operations.mail.links).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from stories.models import EditionStory, MailKind, OutboxMessage, Story, Volume
from stories.operations.mail import links, outbox


def _story_mail(
    session: Session, story: Story, kind: MailKind, code: str | None = None, **context: Any
) -> OutboxMessage | None:
    if not story.contact_email:
        return None
    return outbox.queue(
        session, kind, story.contact_email, story.language, story_id=story.id,
        title=story.title, pen_name=story.pen_name, link=links.status_link(story, code),
        lost_link=links.absolute("track.lost"), **context,
    )  # fmt: skip


def receipt(session: Session, story: Story, code: str) -> OutboxMessage | None:
    return _story_mail(session, story, MailKind.receipt, code)


def decision(session: Session, story: Story, kind: MailKind, message: str) -> OutboxMessage | None:
    """A revision request, an acceptance or a refusal, with the editor's message."""
    return _story_mail(session, story, kind, message=message)


def withdrawn(session: Session, story: Story) -> OutboxMessage | None:
    return _story_mail(session, story, MailKind.withdrawn)


def published(session: Session, edition_id: int, volume: Volume) -> list[OutboxMessage]:
    """The authors of the stories printed for the first time in this edition."""
    printed = select(EditionStory.story_id).where(EditionStory.edition_id == edition_id)
    earlier = select(EditionStory.story_id).where(EditionStory.edition_id != edition_id)
    query = select(Story).where(col(Story.id).in_(printed), col(Story.id).not_in(earlier))
    sent = []
    for story in session.exec(query.order_by(col(Story.id))).all():
        message = _story_mail(session, story, MailKind.published, volume=volume.title)
        if message is not None:
            sent.append(message)
    return sent


def links_mail(
    session: Session, recipient: str, language: str, stories: list[tuple[Story, str]]
) -> OutboxMessage:
    """ "Send me my links": one message with a fresh private link for each story."""
    items = [{"title": story.title, "link": links.status_link(story, code)}
             for story, code in stories]  # fmt: skip
    return outbox.queue(session, MailKind.links, recipient, language, items=items)


def draft(session: Session, recipient: str, language: str, title: str, link: str,
          expires: object) -> OutboxMessage:  # fmt: skip
    return outbox.queue(
        session, MailKind.draft, recipient, language, title=title, link=link, expires=expires
    )
