"""Build jobs as pages and commands ask for them: queue a build of a volume (or a proof of a
story), or join the one queued or running.

`queue_build` runs the operation (stories.operations.books.builds.request_build) in the
caller's transaction and hands the job to the queue only once that transaction is committed,
so the worker always finds the Build row. If the queue cannot take it, the build is recorded
as failed with the reason.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import event
from sqlmodel import Session

from stories import db
from stories.jobs import queue, tasks
from stories.jobs import settings as job_settings
from stories.models import BuildFailure, Story, User, Volume
from stories.operations.books import builds, proofs

log = logging.getLogger(__name__)


def queue_build(session: Session, actor: User | None, volume: Volume) -> builds.Requested:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stale = job_settings.of(app).stale
    requested = builds.request_build(session, actor, volume, stale_after=stale)
    return _hand_over(app, session, requested, tasks.BUILD)


def queue_proof(
    session: Session, actor: User | None, story: Story, volume: Volume
) -> builds.Requested:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stale = job_settings.of(app).stale
    requested = proofs.request_proof(session, actor, story, volume, stale_after=stale)
    return _hand_over(app, session, requested, tasks.PROOF)


def _hand_over(
    app: Flask, session: Session, requested: builds.Requested, task: str
) -> builds.Requested:
    """A new build's task goes to the queue once the caller's transaction is committed."""
    if requested.joined:
        return requested
    build_id = requested.build.id
    assert build_id is not None
    queue.huey(app)  # made (and its tasks registered) on first use
    message = tasks.task(app, task).s(build_id)
    builds.set_task(session, requested.build, message.id)

    def enqueue(_session: Session) -> None:
        _enqueue(app, message, build_id)

    event.listen(session, "after_commit", enqueue, once=True)
    return requested


def _enqueue(app: Flask, message: object, build_id: int) -> None:
    try:
        queue.huey(app).enqueue(message)
    except Exception as error:  # the queue is down: the build must not stay queued for ever
        log.exception("build %s could not be queued", build_id)
        with app.app_context(), db.session_scope() as session:
            builds.fail(session, build_id, BuildFailure.queue, str(error))
