"""`flask mail ...`: the outbox from the command line (the worker does all of this by itself)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from stories import db
from stories.jobs import handover
from stories.jobs import mail as mail_jobs
from stories.models import MailState
from stories.operations import drafts
from stories.operations.mail import digest, outbox

mail_cli = AppGroup("mail", help="The outbox: messages, digests, drafts' expiry.")


@mail_cli.command("list")
@click.option("--state", type=click.Choice([s.value for s in MailState]), default=None)
@click.option("--limit", type=int, default=20, show_default=True)
def list_command(state: str | None, limit: int) -> None:
    """The newest messages of the outbox."""
    with db.session_scope() as session:
        rows, counts = outbox.listing(session, MailState(state) if state else None, limit)
        for row in rows:
            click.echo(f"{row.id}\t{row.state.value}\t{row.kind.value}\t{row.recipient}\t"
                       f"{row.attempts}\t{row.subject}")  # fmt: skip
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@mail_cli.command("digest")
@click.option("--all", "force", is_flag=True, help="Every opted-in editor now, due or not.")
def digest_command(force: bool) -> None:
    """Write the editors' daily digests that are due into the outbox."""
    with db.session_scope() as session:
        count = digest.send_due(session, force=force)
    click.echo(f"{count} digest(s) written to the outbox.")


@mail_cli.command("sweep")
def sweep_command() -> None:
    """Hand the overdue messages of the outbox to the queue again."""
    ids = mail_jobs.overdue(current_app._get_current_object())  # type: ignore[attr-defined]
    handover.enqueue(current_app._get_current_object(), ids)  # type: ignore[attr-defined]
    click.echo(f"{len(ids)} message(s) queued again.")


@mail_cli.command("purge-drafts")
def purge_command() -> None:
    """Delete the expired drafts."""
    with db.session_scope() as session:
        count = drafts.purge(session)
    click.echo(f"{count} expired draft(s) deleted.")
