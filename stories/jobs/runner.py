"""One build job on the worker's side: claim the build, write its sources, run the build's own
process (stories.jobs.render) while keeping its progress and heartbeat, then keep the edition.

Everything is written into a temporary folder inside the editions folder (`.build-<id>-*`) and
the finished books are moved into place (`<slug>/<edition id>/`, one rename; a proof's PDF to
`_proofs/<build id>.pdf`) in the transaction that records the edition or the proof, so a
failed, cancelled or killed build leaves no edition behind. A cancelled build's process group is
killed at the next check (within a second).
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from stories import db
from stories.jobs import settings as job_settings
from stories.jobs.progress import Tracker
from stories.jobs.render import failure_kind
from stories.models import Build, BuildFailure, Volume
from stories.operations import OperationError
from stories.operations.books import builds, editions, proofs, sources

log = logging.getLogger(__name__)
LOG_TAIL = 2000  # characters of the build's log kept with a crash


class Stop(Exception):
    """The build was cancelled, or is no longer running (recorded as failed meanwhile)."""


@dataclass
class Failed(Exception):
    kind: BuildFailure
    message: str = ""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_build(app: Flask, build_id: int) -> None:
    """The task: build `build_id` if it is still queued; every way out records the build's end."""
    settings = job_settings.of(app)
    with app.app_context():
        with db.session_scope() as session:
            build = builds.claim(session, build_id, worker_name())
            volume = session.get(Volume, build.volume_id) if build else None
        if build is None or volume is None:
            log.info("build %s is no longer queued; nothing to do", build_id)
            return
        log.info("build %s of %s started", build_id, volume.slug)
        staging: Path | None = None
        try:
            try:
                (settings.editions / volume.slug).mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=f".build-{build_id}-",
                                                dir=settings.editions / volume.slug))  # fmt: skip
                if build.is_proof:
                    _proof(build_id, staging, settings)
                else:
                    _build(build_id, volume, staging, settings)
            finally:  # gone before the build's end is recorded (and seen by anyone)
                if staging is not None:
                    shutil.rmtree(staging, ignore_errors=True)
            log.info("build %s succeeded", build_id)
        except Stop:
            _end(builds.end_cancelled, build_id)
            log.info("build %s stopped", build_id)
        except Failed as failed:
            _end(builds.fail, build_id, failed.kind, failed.message)
            log.info("build %s failed: %s %s", build_id, failed.kind.value, failed.message)
        except Exception as error:
            kind = BuildFailure(failure_kind(error))
            if kind is BuildFailure.internal:
                log.exception("build %s failed", build_id)
            _end(builds.fail, build_id, kind, str(error))


def _end(verb: Any, build_id: int, *args: Any) -> None:
    with db.session_scope() as session:
        verb(session, build_id, *args)


def _build(build_id: int, volume: Volume, staging: Path, settings: job_settings.Settings) -> None:
    tracker = Tracker(build_id, settings.heartbeat)
    try:
        with db.session_scope() as session:
            written = sources.write_sources(
                session, volume, staging / "sources", profiles=settings.profiles
            )
    except OperationError as error:
        raise Failed(BuildFailure.content, str(error)) from error
    if tracker.tick(force=True):
        raise Stop
    files = _render(written.recipe, staging / "out", staging / "build.log", settings, tracker)
    tracker.event({"phase": "saving"})
    if tracker.tick(force=True):
        raise Stop
    moved: Path | None = None
    try:
        with db.session_scope() as session:
            build = session.get(Build, build_id)
            assert build is not None
            try:
                edition = editions.record_edition(
                    session, build, files, written.inputs, tracker.warnings
                )
            except builds.BuildFinished:
                raise Stop from None
            target = settings.editions / edition.folder
            os.replace(staging / "out", target)
            moved = target
    except BaseException:
        if moved is not None:  # the move happened, the commit did not
            shutil.rmtree(moved, ignore_errors=True)
        raise


def _proof(build_id: int, staging: Path, settings: job_settings.Settings) -> None:
    """A proof: the story alone in the volume's layout, one PDF kept in the editions folder."""
    tracker = Tracker(build_id, settings.heartbeat)
    try:
        with db.session_scope() as session:
            build = session.get(Build, build_id)
            assert build is not None and build.story_id is not None
            written = proofs.write_proof_sources(
                session, build, staging / "sources", settings.profiles
            )
            chapter = proofs.chapter_id(build.story_id)
    except OperationError as error:
        raise Failed(BuildFailure.content, str(error)) from error
    if tracker.tick(force=True):
        raise Stop
    out = staging / "out"
    files = _render(written.recipe, out, staging / "build.log", settings, tracker,
                    proof=chapter, proof_time=settings.local_time())  # fmt: skip
    tracker.event({"phase": "saving"})
    if tracker.tick(force=True):
        raise Stop
    output = files["proof"]
    moved: Path | None = None
    try:
        with db.session_scope() as session:
            build = session.get(Build, build_id)
            assert build is not None
            try:
                relative = proofs.record_proof(session, build, output, tracker.warnings)
            except builds.BuildFinished:
                raise Stop from None
            moved = proofs.place_file(out / output["file"], settings.editions, relative)
    except BaseException:
        if moved is not None:  # the move happened, the commit did not
            moved.unlink(missing_ok=True)
        raise


def _render(
    recipe: Path,
    out: Path,
    log_path: Path,
    settings: job_settings.Settings,
    tracker: Tracker,
    proof: str | None = None,
    proof_time: str | None = None,
) -> dict[str, Any]:
    """Run the build's process and follow it; returns its files (format -> file, pages, bytes).
    With `proof` (a chapter id) it makes only that chapter's proof (format "proof")."""
    spec = {
        "recipe": str(recipe), "out": str(out), "parent": os.getpid(),
        "cache_dir": str(settings.cache) if settings.cache else None, "check": settings.check,
        "chunk_pages": settings.chunk_pages, "workers": settings.workers, "proof": proof,
        "proof_time": proof_time,
    }  # fmt: skip
    command = [*settings.command, json.dumps(spec, ensure_ascii=False)]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log_file, start_new_session=True
        )
    try:
        return _follow(process, tracker, settings.timeout, log_path)
    finally:
        if process.poll() is None:
            _kill(process)
        if process.stdout:
            process.stdout.close()


def _kill(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """The build's process and its chunk workers (its process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _follow(process: subprocess.Popen, tracker: Tracker, timeout: float,  # type: ignore[type-arg]
            log_path: Path) -> dict[str, Any]:  # fmt: skip
    assert process.stdout is not None
    fd, buffer = process.stdout.fileno(), b""
    deadline = time.monotonic() + timeout
    result: dict[str, Any] = {}
    while True:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                if line.strip():
                    _handle(json.loads(line), tracker, result)
        if tracker.tick():
            raise Stop
        if time.monotonic() > deadline:
            raise Failed(BuildFailure.build, f"the build took longer than {timeout:.0f} s")
    code = process.wait()
    if "files" in result and code == 0:
        return result["files"]
    if "error" in result:
        kind, message = result["error"]
        raise Failed(BuildFailure(kind), message)
    raise Failed(*_death(code, log_path))


def _handle(data: dict[str, Any], tracker: Tracker, result: dict[str, Any]) -> None:
    event = data.get("event")
    if event == "progress":
        tracker.event(data)
    elif event == "warnings":
        tracker.add_warnings(data.get("items", []))
    elif event == "done":
        result["files"] = data["files"]
    elif event == "error":
        kind = data.get("kind", "internal")
        kind = kind if kind in BuildFailure.__members__ else "internal"
        result["error"] = (kind, str(data.get("message", "")))


def _death(code: int, log_path: Path) -> tuple[BuildFailure, str]:
    """Why the build's process ended without a word: killed (most often for lack of memory),
    crashed, or exited."""
    tail = log_path.read_text("utf-8", errors="replace")[-LOG_TAIL:].strip()
    if code < 0:
        name = signal.Signals(-code).name
        kind = BuildFailure.out_of_memory if -code == signal.SIGKILL else BuildFailure.crashed
        return kind, f"the build's process was killed by {name}" + (f"\n{tail}" if tail else "")
    return BuildFailure.crashed, f"the build's process exited with code {code}\n{tail}".strip()
