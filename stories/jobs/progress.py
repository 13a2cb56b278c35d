"""The worker's record of a running build: progress and heartbeat into the Build row.

The build's process reports events (anthology.progress, through stories.jobs.render); the
tracker keeps the latest phase, chunks and pages and writes them in short transactions of its
own: at once when the phase changes, otherwise at most once a second, and at least every
`heartbeat` seconds even when nothing moved (the heartbeat says the worker is alive). Every
write also reads whether the build was cancelled.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from stories import db
from stories.operations.books import builds

log = logging.getLogger(__name__)
MIN_INTERVAL = 1.0  # seconds between two writes of mere progress


class Tracker:
    def __init__(self, build_id: int, heartbeat: float = 2.0):
        self.build_id, self.heartbeat = build_id, heartbeat
        self.pending: dict[str, Any] = {}
        self.phase: str | None = "gathering"
        self.warnings: list[dict[str, str]] = []
        self.written = 0.0  # time.monotonic() of the last write
        self.urgent = False
        self.stop = False

    def event(self, data: dict[str, Any]) -> None:
        """One progress event of the build's process (anthology.progress.Progress as a dict)."""
        phase = data.get("phase")
        if phase and phase != self.phase:
            self.phase, self.urgent = phase, True
            self.pending.update(phase=phase, chunks_done=0, chunks_total=0, pages=0)
        for key in ("chunks_done", "chunks_total", "pages"):
            if data.get(key) is not None:
                self.pending[key] = max(0, int(data[key]))
        if data.get("warnings"):
            self.add_warnings(data["warnings"])

    def add_warnings(self, items: list[dict[str, str]]) -> None:
        self.warnings += [{"kind": str(i["kind"]), "text": str(i["text"])} for i in items]
        self.pending["warnings"] = list(self.warnings)

    def tick(self, force: bool = False) -> bool:
        """Write what is due; returns whether the build must stop (cancelled or ended)."""
        now = time.monotonic()
        since = now - self.written
        due = force or self.urgent or since >= self.heartbeat
        if not due and not (self.pending and since >= MIN_INTERVAL):
            return self.stop
        try:
            with db.session_scope() as session:
                self.stop = builds.record_progress(session, self.build_id, **self.pending)
        except SQLAlchemyError:  # the database is busy or away: try again at the next tick
            log.warning("build %s: progress not written", self.build_id, exc_info=True)
            return self.stop
        self.pending, self.written, self.urgent = {}, now, False
        return self.stop
