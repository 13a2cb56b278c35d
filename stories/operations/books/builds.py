"""Build jobs: a publisher requests, joins or cancels a build; the worker claims it, reports its
progress and heartbeat, and ends it.

A volume has at most one queued or running build (a partial unique index): a second request
joins it. State changes are conditional UPDATEs (`WHERE state = ...`), so the worker, a cancel
and the check for stopped workers cannot both win. A running build whose heartbeat is older
than the limit is recorded as failed ("the worker stopped"): by the pages that show it, by the
command line and by every worker when it starts.

Verbs flush and leave the commit to the caller, except where the worker calls them in its own
short transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from stories.db import utcnow
from stories.models import (
    ACTIVE_STATES,
    Build,
    BuildFailure,
    BuildPhase,
    BuildState,
    User,
    Volume,
)
from stories.operations import OperationError, audit

REQUEST = "build.request"
_BOOK = col(Build.story_id).is_(None)  # a book build, not a proof (stories.operations.books.proofs)
CANCEL = "build.cancel"


class BuildRefused(OperationError):
    """A change to a build was refused."""


class BuildNotFound(BuildRefused):
    pass


class BuildFinished(BuildRefused):
    """The build has already finished (it cannot be cancelled any more)."""


@dataclass(frozen=True)
class Requested:
    build: Build
    joined: bool  # a build of the volume was already queued or running


def get_build(session: Session, build_id: int, volume: Volume | None = None) -> Build:
    build = session.get(Build, build_id)
    if build is None or (volume is not None and (build.volume_id != volume.id or build.is_proof)):
        raise BuildNotFound(_l("There is no build number %(id)s.", id=build_id))
    return build


def active_build(session: Session, volume: Volume) -> Build | None:
    query = select(Build).where(
        Build.volume_id == volume.id, col(Build.state).in_(ACTIVE_STATES), _BOOK
    )
    return session.exec(query).first()


def recent_builds(session: Session, volume: Volume, limit: int = 10) -> list[Build]:
    query = select(Build).where(Build.volume_id == volume.id, _BOOK)
    return list(session.exec(query.order_by(col(Build.id).desc()).limit(limit)))


def request_build(
    session: Session, actor: User | None, volume: Volume, stale_after: float | None = None
) -> Requested:
    """Queue a build of the volume, or join the one queued or running.

    A running build without a heartbeat for `stale_after` seconds is recorded as failed first
    (it is not joined). Two requests at the same moment meet at the unique index: the loser's
    transaction is rolled back and it joins the winner's build.
    """
    if stale_after is not None:
        reap_stale(session, stale_after)
    active, joined = join_or_add(
        session,
        lambda: active_build(session, volume),
        lambda: Build(volume_id=volume.id or 0, requested_by_id=actor.id if actor else None),
    )
    details = {"volume": volume.slug, "build": active.id, "joined": joined}
    audit.record(session, actor, REQUEST, details=details)
    return Requested(active, joined)


def join_or_add(
    session: Session, active: Callable[[], Build | None], new: Callable[[], Build]
) -> tuple[Build, bool]:
    """The active build `active()` finds (joined), else `new()` added. Two requests at the same
    moment meet at a partial unique index: the loser's transaction is rolled back and it joins
    the winner's build. Shared by book builds and story proofs."""
    found = active()
    if found is not None:
        return found, True
    build = new()
    session.add(build)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        found = active()
        if found is None:  # pragma: no cover - the index holds only active builds
            raise
        return found, True
    return build, False


def set_task(session: Session, build: Build, task_id: str) -> None:
    build.task_id = task_id[:64]
    session.add(build)


def cancel_build(session: Session, actor: User | None, build: Build) -> Build:
    """Stop a build: a queued one is cancelled now, a running one when the worker next looks
    (within a second or two); nothing it wrote is kept."""
    now = utcnow()
    cancelled = _update(
        session, build, (BuildState.queued,),
        state=BuildState.cancelled, cancel_requested=True, finished_at=now,
    ) or _update(session, build, (BuildState.running,), cancel_requested=True)  # fmt: skip
    if not cancelled:
        raise BuildFinished(_l("This build has already finished."))
    session.refresh(build)
    audit.record(session, actor, CANCEL, details={"build": build.id, "state": build.state.value})
    return build


def _update(session: Session, build: Build | int, states: tuple[BuildState, ...], **values: Any):
    build_id = build if isinstance(build, int) else build.id
    statement = (
        update(Build)
        .where(col(Build.id) == build_id, col(Build.state).in_(states))
        .values(**values)
    )
    return session.exec(statement).rowcount  # type: ignore[call-overload]


# --- The worker's side ------------------------------------------------------------------------


def claim(session: Session, build_id: int, worker: str) -> Build | None:
    """The worker takes a queued build (None: it was cancelled, or another worker has it)."""
    now = utcnow()
    taken = _update(
        session, build_id, (BuildState.queued,),
        state=BuildState.running, phase=BuildPhase.gathering, started_at=now, heartbeat_at=now,
        worker=worker[:200],
    )  # fmt: skip
    if not taken:
        return None
    build = session.get(Build, build_id)
    if build is not None:
        session.refresh(build)
    return build


def record_progress(session: Session, build_id: int, **values: Any) -> bool:
    """Write the heartbeat and any progress (phase, chunks_done, chunks_total, pages, warnings)
    of a running build. Returns whether the build should stop: cancelled, or no longer running
    (e.g. recorded as failed after a missed heartbeat)."""
    values = {key: value for key, value in values.items() if value is not None}
    if not _update(session, build_id, (BuildState.running,), heartbeat_at=utcnow(), **values):
        return True
    query = select(Build.cancel_requested).where(Build.id == build_id)
    return bool(session.exec(query).one())


def fail(session: Session, build_id: int, failure: BuildFailure, message: str = "") -> bool:
    """Record a queued or running build as failed; False when it had already ended."""
    return bool(
        _update(
            session,
            build_id,
            ACTIVE_STATES,
            state=BuildState.failed,
            failure=failure,
            message=message[:20000],
            finished_at=utcnow(),
        )  # fmt: skip
    )


def end_cancelled(session: Session, build_id: int) -> bool:
    """The worker stopped a cancelled build."""
    return bool(
        _update(session, build_id, ACTIVE_STATES, state=BuildState.cancelled, finished_at=utcnow())
    )


def succeed(session: Session, build_id: int, pages: int, warnings: list[dict[str, str]]) -> bool:
    """A running build made its edition (stories.operations.books.editions)."""
    return bool(
        _update(
            session,
            build_id,
            (BuildState.running,),
            state=BuildState.succeeded,
            phase=BuildPhase.saving,
            pages=pages,
            warnings=warnings,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
        )  # fmt: skip
    )


def reap_stale(session: Session, stale_after: float, now: datetime | None = None) -> list[int]:
    """Running builds without a heartbeat for `stale_after` seconds are recorded as failed: the
    worker stopped (killed, crashed, out of memory, or the machine restarted)."""
    cutoff = (now or utcnow()) - timedelta(seconds=stale_after)
    query = select(Build.id).where(
        Build.state == BuildState.running, col(Build.heartbeat_at) < cutoff
    )
    return [
        i for i in session.exec(query).all() if i is not None and _stop_stale(session, i, cutoff)
    ]


def _stop_stale(session: Session, build_id: int, cutoff: datetime | None = None) -> bool:
    statement = update(Build).where(
        col(Build.id) == build_id, col(Build.state) == BuildState.running
    )
    if cutoff is not None:
        statement = statement.where(col(Build.heartbeat_at) < cutoff)
    statement = statement.values(
        state=BuildState.failed, failure=BuildFailure.worker_stopped, finished_at=utcnow()
    )
    return bool(session.exec(statement).rowcount)  # type: ignore[call-overload]


def reap_orphans(session: Session, host: str, alive: Any) -> list[int]:
    """At a worker's start: running builds of processes on this host that no longer exist
    (`alive(pid)` is False) failed, whatever their heartbeat says."""
    query = select(Build.id, Build.worker).where(Build.state == BuildState.running)
    stopped = []
    for build_id, worker in session.exec(query).all():
        name, _sep, pid = worker.rpartition(":")
        if name == host and pid.isdigit() and not alive(int(pid)) and build_id is not None:
            if _stop_stale(session, build_id):
                stopped.append(build_id)
    return stopped
