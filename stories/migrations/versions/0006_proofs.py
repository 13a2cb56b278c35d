"""proofs: a build of one story alone (story_id, story_revision, proof_file, proof_pages)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

A volume's book builds stay one at a time (the partial unique index now leaves proofs out);
a story has at most one proof queued or running.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "state IN ('queued', 'running')"


def upgrade() -> None:
    with op.batch_alter_table("build", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("story_revision", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "proof_file",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("proof_pages", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key("fk_build_story_id_story", "story", ["story_id"], ["id"])
        batch_op.create_check_constraint(
            "ck_build_proof", "story_id IS NULL OR story_revision >= 1"
        )
        batch_op.create_index(batch_op.f("ix_build_story_id"), ["story_id"], unique=False)
        batch_op.drop_index("uq_build_active_volume")
        batch_op.create_index(
            "uq_build_active_volume",
            ["volume_id"],
            unique=True,
            sqlite_where=sa.text(f"{ACTIVE} AND story_id IS NULL"),
            postgresql_where=sa.text(f"{ACTIVE} AND story_id IS NULL"),
        )
        batch_op.create_index(
            "uq_build_active_proof",
            ["story_id"],
            unique=True,
            sqlite_where=sa.text(f"{ACTIVE} AND story_id IS NOT NULL"),
            postgresql_where=sa.text(f"{ACTIVE} AND story_id IS NOT NULL"),
        )


def downgrade() -> None:
    op.execute("DELETE FROM build WHERE story_id IS NOT NULL")
    with op.batch_alter_table("build", schema=None) as batch_op:
        batch_op.drop_index("uq_build_active_proof")
        batch_op.drop_index("uq_build_active_volume")
        batch_op.create_index(
            "uq_build_active_volume",
            ["volume_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE),
            postgresql_where=sa.text(ACTIVE),
        )
        batch_op.drop_index(batch_op.f("ix_build_story_id"))
        batch_op.drop_constraint("ck_build_proof", type_="check")
        batch_op.drop_constraint("fk_build_story_id_story", type_="foreignkey")
        batch_op.drop_column("proof_pages")
        batch_op.drop_column("proof_file")
        batch_op.drop_column("story_revision")
        batch_op.drop_column("story_id")
