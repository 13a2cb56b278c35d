"""`flask --app stories worker`: the task queue's worker (stories.jobs.worker)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option(
    "--workers", "-w", type=int, default=None,
    help="Jobs run at the same time (default: QUEUE_WORKERS, 1).",
)  # fmt: skip
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Run the task queue's worker: it builds the books the publishers ask for."""
    from stories.jobs import worker

    worker.run(current_app._get_current_object(), workers)  # type: ignore[attr-defined]
