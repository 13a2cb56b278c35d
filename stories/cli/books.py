"""`flask --app stories books ...`: build a volume through the task queue, list its editions.

`books build SLUG` queues the same job as the volume page's Build button (or joins the build
of that volume already queued or running); a worker (`flask --app stories worker`) runs it.
With `--wait` the command prints the progress until the build ends and exits non-zero unless
it succeeded.
"""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup

from stories import db
from stories.db import utcnow
from stories.jobs import builds as jobs
from stories.jobs import settings as job_settings
from stories.models import Build, BuildState, Volume
from stories.operations import OperationError, volumes
from stories.operations.books import builds, editions
from stories.queries.builds import times

books_cli = AppGroup("books", help="Books: build a volume (through the worker), list editions.")
POLL_SECONDS = 1.0
NO_WORKER_HINT = 15  # seconds queued before the command says a worker is needed


def _volume(session: object, slug: str) -> Volume:
    try:
        return volumes.get(session, slug)  # type: ignore[arg-type]
    except OperationError as error:
        raise click.ClickException(str(error)) from None


def _line(build: Build) -> str:
    now = utcnow()
    spent = times(build, now)
    parts = [build.state.value]
    if build.state == BuildState.running and build.phase:
        parts.append(build.phase.value)
        if build.chunks_total:
            parts.append(f"{build.chunks_done}/{build.chunks_total}")
        if build.pages:
            parts.append(f"{build.pages} pages")
        if spent.remaining is not None:
            parts.append(f"about {spent.remaining:.0f} s left")
    clock = f"[{spent.elapsed:6.1f}s] " if spent.elapsed is not None else "[   ...] "
    return clock + " · ".join(parts)


@books_cli.command("build")
@click.argument("slug")
@click.option("--wait", is_flag=True, help="Print the progress until the build ends.")
def build_command(slug: str, wait: bool) -> None:
    """Build the volume SLUG into its print PDF, screen PDF and EPUB (queued for the worker)."""
    with db.session_scope() as session:
        requested = jobs.queue_build(session, None, _volume(session, slug))
        build_id = requested.build.id
    verb = "joined the running build" if requested.joined else "queued build"
    click.echo(f"{slug}: {verb} #{build_id}")
    if not wait:
        return
    build = _follow(int(build_id or 0))
    if build.state != BuildState.succeeded:
        detail = f"\n{build.message}" if build.message else ""
        failure = f" ({build.failure.value})" if build.failure else ""
        raise click.ClickException(f"build #{build_id} {build.state.value}{failure}{detail}")
    with db.session_scope() as session:
        edition = editions.of_build(session, build)
        for fmt, entry in (edition.files if edition else {}).items():
            click.echo(f"{fmt:<7} {entry['pages']:>5} pages  {entry['bytes'] / 1e6:7.2f} MB")
    click.echo(f"edition #{edition.id if edition else '?'} of {slug}")


def _follow(build_id: int) -> Build:
    stale = job_settings.of(current_app).stale
    shown, started = "", time.monotonic()
    while True:
        with db.session_scope() as session:
            builds.reap_stale(session, stale)
        with db.session_scope() as session:
            build = builds.get_build(session, build_id)
        key = f"{build.state}{build.phase}{build.chunks_done}{build.chunks_total}{build.pages}"
        if key != shown:
            click.echo(_line(build))
            shown = key
        if not build.active:
            return build
        if build.state == BuildState.queued and time.monotonic() - started > NO_WORKER_HINT:
            click.echo("still queued: is a worker running? (flask --app stories worker)")
            started = float("inf")
        time.sleep(POLL_SECONDS)


@books_cli.command("list")
@click.argument("slug")
def list_command(slug: str) -> None:
    """List the editions of the volume SLUG, newest first."""
    root = job_settings.editions_folder(current_app)
    with db.session_scope() as session:
        volume = _volume(session, slug)
        for edition in editions.volume_editions(session, volume):
            made = edition.created_at.strftime("%Y-%m-%d %H:%M")
            stories = len(edition.inputs.get("stories", []))
            click.echo(f"#{edition.id}\t{made}\t{edition.pages} pages\t{stories} stories"
                       f"\t{root / edition.folder}")  # fmt: skip
