"""serving: session nonces, queued privacy scans, an append-only audit log and consent record

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

- `user_account.session_nonce`: part of every login session's id; logout, a new password and
  deactivation change it, so every session of the account ends.
- `story.scan_pending`: the privacy scan (and the search index) of a long text still waits in
  the queue. Existing stories were scanned when they were written.
- `audit_event.chain_hash`: the hash chain over the audit log (`flask audit verify`); existing
  events are chained here, in id order.
- Triggers refuse UPDATE and DELETE on `audit_event` and `consent`, as on `story_revision`.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("audit_event", "consent")


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(
            sa.Column("session_nonce", sa.String(length=32), nullable=False, server_default="")
        )
    with op.batch_alter_table("story") as batch_op:
        batch_op.add_column(
            sa.Column("scan_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(
            sa.Column("chain_hash", sa.String(length=64), nullable=False, server_default="")
        )
    _chain_existing_events()
    _create_append_only_triggers()


def _chain_existing_events() -> None:
    """The same hash as stories.operations.audit.chain_hash (copied: a migration is frozen)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, actor_id, action, story_id, ip, details, created_at "
            "FROM audit_event ORDER BY id"
        )
    ).all()
    previous = ""
    for row in rows:
        details = row.details if isinstance(row.details, dict) else json.loads(row.details or "{}")
        created = row.created_at
        if isinstance(created, str):
            created = datetime.fromisoformat(created)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        stamp = created.astimezone(UTC).isoformat(timespec="microseconds")
        payload = json.dumps(
            [row.actor_id, row.action, row.story_id, row.ip or "", details, stamp],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )
        previous = hashlib.sha256((previous + payload).encode()).hexdigest()
        bind.execute(
            sa.text("UPDATE audit_event SET chain_hash = :h WHERE id = :id"),
            {"h": previous, "id": row.id},
        )


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS append_only()")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("chain_hash")
    with op.batch_alter_table("story") as batch_op:
        batch_op.drop_column("scan_pending")
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("session_nonce")
