"""How far a build has come: elapsed time and an estimate of the time left.

The estimate weighs the phases by their usual share of a build (the PDFs take most of it) and
the chunks done within the current one; early in a build, before that says much, it uses the
length of the volume's last successful build instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from stories.models import Build, BuildPhase, BuildState

WEIGHTS = {
    BuildPhase.gathering: 0.05,
    BuildPhase.print: 0.45,
    BuildPhase.screen: 0.30,
    BuildPhase.epub: 0.06,
    BuildPhase.checking: 0.12,
    BuildPhase.saving: 0.02,
}


@dataclass(frozen=True)
class Times:
    elapsed: float | None  # seconds since the worker started it (None: not started)
    remaining: float | None  # estimated seconds left (None: no estimate yet)
    fraction: float  # 0..1


def last_duration(session: Session, volume_id: int) -> float | None:
    """Seconds the volume's last successful build took."""
    query = (
        select(Build)
        .where(Build.volume_id == volume_id, Build.state == BuildState.succeeded)
        .where(col(Build.story_id).is_(None))
        .order_by(col(Build.id).desc())
    )
    build = session.exec(query).first()
    if build is None or build.started_at is None or build.finished_at is None:
        return None
    return (build.finished_at - build.started_at).total_seconds()


def fraction(build: Build) -> float:
    if build.state == BuildState.succeeded:
        return 1.0
    if build.phase is None:
        return 0.0
    phases = list(WEIGHTS)
    before = sum(WEIGHTS[p] for p in phases[: phases.index(build.phase)])
    within = build.chunks_done / build.chunks_total if build.chunks_total else 0.0
    return min(1.0, before + WEIGHTS[build.phase] * min(1.0, within))


def times(build: Build, now: datetime, previous: float | None = None) -> Times:
    if build.started_at is None:
        return Times(None, previous, 0.0)
    end = build.finished_at or now
    elapsed = max(0.0, (end - build.started_at).total_seconds())
    done = fraction(build)
    if build.state != BuildState.running:
        return Times(elapsed, None, done)
    if done >= 0.15:
        remaining: float | None = elapsed * (1 - done) / done
    elif previous is not None:
        remaining = max(previous - elapsed, 1.0)
    else:
        remaining = None
    return Times(elapsed, remaining, done)
