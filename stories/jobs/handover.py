"""Handing the outbox's messages to the task queue once their transaction is committed.

A hook on every database session: when a transaction that queued messages
(stories.operations.mail.outbox) is committed, their ids go to the queue (task `send_mail`);
a rolled back transaction queues nothing. If the queue cannot take them, they stay queued in
the outbox and the worker's sweep (every minute) sends them.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlmodel import Session

from stories.jobs import queue, tasks
from stories.operations.mail import outbox

log = logging.getLogger(__name__)


def install() -> None:
    """Listen to every session's commits and rollbacks (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    ids = outbox.pending(session)
    if ids and has_app_context():
        enqueue(current_app._get_current_object(), ids)  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    outbox.forget(session)


def enqueue(app: Flask, ids: list[int]) -> None:
    try:
        queue.huey(app)  # made (and its tasks registered) on first use
        send = tasks.task(app, tasks.MAIL)
        for message_id in ids:
            send(message_id)
    except Exception:  # the queue is away: the sweep sends them later, nothing is lost
        log.exception("mail %s could not be queued; the worker's sweep will send it", ids)
