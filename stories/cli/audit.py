"""`flask audit verify`: check the audit log's hash chain (stories.operations.audit)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from stories import db
from stories.operations import audit

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def verify() -> None:
    """Recompute the hash chain over every audit event; exit 1 if an event was changed."""
    with db.session_scope() as session:
        report = audit.verify(session)
    if report.ok:
        click.echo(f"The audit log is intact: {report.events} events, hash chain verified.")
        return
    shown = ", ".join(str(event_id) for event_id in report.broken[:20])
    raise click.ClickException(
        f"The audit log was changed: the hash chain breaks at event(s) {shown} "
        f"({len(report.broken)} of {report.events})."
    )
