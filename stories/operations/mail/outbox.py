"""The outbox: every mail is a row here before anything is sent, and stays there.

`queue` renders a message from its templates (`templates/mail/<kind>.txt`, whose first line is
the subject, and `<kind>.html`) in the recipient's language and adds it in the caller's
transaction: a message is never sent for a change that was rolled back. Without `MAIL_SERVER`
it is `held` (the admins read it on the outbox page); otherwise `queued`, and the ids of the
messages queued by a transaction are in `session.info["outbox"]` for the task queue to pick up
once it is committed (stories.jobs.mail). The worker `claim`s a message, sends it, and records
`sent` or a failure: retried after each of `MAIL_RETRY_SECONDS`, then `failed`. An admin can
`resend` a held or failed message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import MailKind, MailState, OutboxMessage, User
from stories.operations import OperationError, audit

LANGUAGES = ("zh_CN", "en")
ERROR_MAX = 2000
STUCK_AFTER = timedelta(minutes=10)  # a message `sending` this long: its worker died
RESEND = "mail.resend"
PENDING_KEY = "outbox"


class OutboxError(OperationError):
    """A message cannot be sent again."""


@dataclass(frozen=True)
class Letter:
    """A claimed message, as the worker sends it (no ORM row)."""

    id: int
    recipient: str
    language: str
    subject: str
    body_text: str
    body_html: str
    attempts: int


def language_of(value: str | None) -> str:
    return value if value in LANGUAGES else LANGUAGES[0]


def render(kind: MailKind, language: str, **context: Any) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a message in `language`."""
    context.setdefault("organiser", current_app.config["ORGANISER_NAME"])
    context.setdefault("contact", current_app.config.get("ORGANISER_CONTACT", ""))
    context.setdefault("site_title", current_app.config["SITE_TITLE"])
    context["mail_lang"] = language_of(language)
    with force_locale(language_of(language)):
        text = render_template(f"mail/{kind.value}.txt", **context)
        html = render_template(f"mail/{kind.value}.html", **context)
    first, _, body = text.strip().partition("\n")
    subject = " ".join(first.removeprefix("Subject:").split())[:300]
    return subject, body.strip() + "\n", html


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def queue(
    session: Session,
    kind: MailKind,
    recipient: str,
    language: str,
    story_id: int | None = None,
    user_id: int | None = None,
    **context: Any,
) -> OutboxMessage:
    """Write one message to the outbox (flushed); it is sent after the commit."""
    language = language_of(language)
    subject, text, html = render(kind, language, **context)
    now = utcnow()
    message = OutboxMessage(
        kind=kind, recipient=recipient, language=language, subject=subject, body_text=text,
        body_html=html, story_id=story_id, user_id=user_id, created_at=now,
        state=MailState.queued if mail_enabled() else MailState.held,
        next_attempt_at=now if mail_enabled() else None,
    )  # fmt: skip
    session.add(message)
    session.flush()
    if message.state == MailState.queued:
        session.info.setdefault(PENDING_KEY, []).append(message.id)
    return message


def pending(session: Session) -> list[int]:
    """The ids queued in the transaction just committed (and forget them)."""
    return list(session.info.pop(PENDING_KEY, []))


def forget(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def claim(session: Session, message_id: int, now: datetime | None = None) -> Letter | None:
    """Take a queued message that is due, for sending (committed by the caller)."""
    now = now or utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.state) == MailState.queued,
            or_(
                col(OutboxMessage.next_attempt_at).is_(None),
                col(OutboxMessage.next_attempt_at) <= now + timedelta(seconds=1),
            ),
        )  # fmt: skip
        .values(state=MailState.sending, attempts=OutboxMessage.attempts + 1, next_attempt_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    row = session.get(OutboxMessage, message_id)
    assert row is not None
    session.refresh(row)
    return Letter(row.id or 0, row.recipient, row.language, row.subject, row.body_text,
                  row.body_html, row.attempts)  # fmt: skip


def mark_sent(session: Session, message_id: int) -> None:
    now = utcnow()
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(state=MailState.sent, sent_at=now, last_error="", next_attempt_at=None)
    )


def mark_failed(session: Session, message_id: int, error: str, delays: list[float]) -> float | None:
    """Record a failed try: queued again after the next delay (returned), or failed for good."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        return None
    delay = delays[row.attempts - 1] if 0 < row.attempts <= len(delays) else None
    row.last_error = error[:ERROR_MAX]
    if delay is None:
        row.state, row.next_attempt_at = MailState.failed, None
    else:
        row.state = MailState.queued
        row.next_attempt_at = utcnow() + timedelta(seconds=float(delay))
    session.add(row)
    session.flush()
    return delay


def hold(session: Session, message_id: int) -> None:
    """The worker has no mail server configured: the message waits for an admin."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id)
        .values(
            state=MailState.held, next_attempt_at=None, last_error="MAIL_SERVER is not set"
        )  # fmt: skip
    )


def due(session: Session, late: timedelta = timedelta(seconds=60)) -> list[int]:
    """Messages the queue should have sent by now (lost on the way, or left by a dead worker):
    stuck `sending` ones are queued again; the ids of those overdue by `late` are returned."""
    now = utcnow()
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.state) == MailState.sending,
            col(OutboxMessage.next_attempt_at) < now - STUCK_AFTER,
        )  # fmt: skip
        .values(state=MailState.queued, next_attempt_at=now - late)
    )
    query = select(OutboxMessage.id).where(
        OutboxMessage.state == MailState.queued,
        or_(col(OutboxMessage.next_attempt_at).is_(None),
            col(OutboxMessage.next_attempt_at) <= now - late),
    )  # fmt: skip
    return [i for i in session.exec(query.order_by(col(OutboxMessage.id))).all() if i]


def resend(session: Session, actor: User | None, message_id: int) -> OutboxMessage:
    """An admin sends a held or failed message again (a new round of tries)."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise OutboxError(_l("There is no message number %(id)s.", id=message_id))
    if row.state in (MailState.queued, MailState.sending):
        raise OutboxError(_l("This message is already waiting to be sent."))
    if not mail_enabled():
        raise OutboxError(
            _l("No mail server is configured (MAIL_SERVER): the message stays in the outbox.")
        )
    row.state, row.attempts, row.next_attempt_at = MailState.queued, 0, utcnow()
    session.add(row)
    audit.record(session, actor, RESEND, story=row.story_id,
                 details={"message": message_id, "kind": row.kind.value})  # fmt: skip
    session.flush()
    session.info.setdefault(PENDING_KEY, []).append(row.id)
    return row


def listing(
    session: Session, state: MailState | None = None, limit: int = 100, offset: int = 0
) -> tuple[list[OutboxMessage], dict[str, int]]:
    """The newest messages (of one state), and the count per state."""
    from sqlalchemy import func

    counts = {s.value: 0 for s in MailState}
    for value, count in session.execute(
        select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
    ).all():
        counts[MailState(value).value] = count
    query = select(OutboxMessage)
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    query = query.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc())
    return list(session.exec(query.offset(offset).limit(limit)).all()), counts
