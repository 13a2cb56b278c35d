"""Sending the outbox (stories.operations.mail.outbox) on the task queue's worker, and the
periodic work around it.

The worker sends one message per task (`send`) over SMTP with Flask-Mailman; a failure is
recorded on the message and `send` returns the delay after which the task (stories.jobs.tasks)
tries again (the next of `MAIL_RETRY_SECONDS`). Nothing depends on the queue being up:
`overdue` (every minute in the worker, and when it starts) finds the messages that should have
been sent by now, so a message queued while the queue was away, or left by a worker that died,
is still sent. `housekeeping` deletes expired drafts and sends the editors' daily digests.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask_mailman import EmailMultiAlternatives, Mail

from stories import db
from stories.operations import drafts
from stories.operations.mail import digest, outbox

log = logging.getLogger(__name__)
mailman = Mail()


def init_app(app: Flask) -> None:
    mailman.init_app(app)


def send(app: Flask, message_id: int) -> float | None:
    """The task: send one message if it is still queued and due; the delay before the next
    try when this one failed (None: sent, not due, or failed for good)."""
    with app.app_context():
        with db.session_scope() as session:
            letter = outbox.claim(session, message_id)
        if letter is None:
            return None
        if not app.config.get("MAIL_SERVER"):
            with db.session_scope() as session:
                outbox.hold(session, message_id)
            return None
        try:
            _deliver(app, letter)
        except Exception as error:
            reason = f"{type(error).__name__}: {error}"
            with db.session_scope() as session:
                delay = outbox.mark_failed(
                    session, message_id, reason, list(app.config["MAIL_RETRY_SECONDS"])
                )
            if delay is None:
                log.warning("mail %s failed for good: %s", message_id, reason)
            else:
                log.info("mail %s failed (%s); next try in %s s", message_id, reason, delay)
            return delay
        with db.session_scope() as session:
            outbox.mark_sent(session, message_id)
        log.info("mail %s sent to %s", message_id, letter.recipient)
        return None


def _deliver(app: Flask, letter: outbox.Letter) -> None:
    connection = mailman.get_connection(fail_silently=False)
    message = EmailMultiAlternatives(
        subject=letter.subject,
        body=letter.body_text,
        from_email=app.config["MAIL_DEFAULT_SENDER"],
        to=[letter.recipient],
        connection=connection,
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": "zh-CN" if letter.language == "zh_CN" else letter.language,
            "X-Outbox-Id": str(letter.id),
        },
    )
    message.attach_alternative(letter.body_html, "text/html")
    message.send()


def overdue(app: Flask) -> list[int]:
    """The messages the queue should have sent by now (their tasks are queued again)."""
    with app.app_context(), db.session_scope() as session:
        return outbox.due(session)


def housekeeping(app: Flask) -> None:
    """Every quarter of an hour: expired drafts deleted, due digests written to the outbox."""
    with app.app_context():
        with db.session_scope() as session:
            removed = drafts.purge(session)
        if removed:
            log.info("%s expired draft(s) deleted", removed)
        with db.session_scope() as session:
            sent = digest.send_due(session)
        if sent:
            log.info("daily digest for %s editor(s)", sent)
