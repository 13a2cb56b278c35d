"""the editor's day: assignment, the author's revision mark, duplicates, title flags, templates

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Stories get an assigned editor, the time the author last revised them (until an editor opens
the story) and the story they duplicate; privacy flags may point into the title; decision
message templates in both languages (three to start with, which admins edit); the MinHash bands
of each story and the near-duplicate matches found.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import stories.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEMPLATES = [
    (
        "request_revision",
        "请补充细节 / More detail, please",
        "{pen_name}，您好！谢谢您投来《{title}》，我们读得很认真。为了让更多读者走进这个故事，"
        "想请您再补充一些细节：……。修改时不必着急，有任何问题都可以在状态页面留言。",
        "Dear {pen_name}, thank you for sending us “{title}”; we read it with care. To help more "
        "readers into the story, could you add a little more detail about …? Take your time, and "
        "ask us anything on the status page.",
    ),
    (
        "reject",
        "暂不采用 / Not this time",
        "{pen_name}，您好！非常感谢您分享《{title}》和您在一线的付出。经过编辑组讨论，这一次我们"
        "暂时不能采用这篇故事：……。这并不是对您工作的否定，欢迎您以后继续投稿。",
        "Dear {pen_name}, thank you very much for sharing “{title}” and the work behind it. After "
        "discussing it, the editors cannot take the story this time: …. This says nothing against "
        "your work, and we hope you will write to us again.",
    ),
    (
        "accept",
        "采用 / Accepted",
        "{pen_name}，您好！《{title}》已被采用，谢谢您！编辑在出版前可能会做少量文字修改，"
        "并按约定隐去个人信息。",
        "Dear {pen_name}, “{title}” has been accepted: thank you! The editors may make small "
        "changes before publication and will remove personal details as agreed.",
    ),
]


def upgrade() -> None:
    template = op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("body_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", stories.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", stories.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('request_revision', 'reject', 'accept')", name="ck_template_action"
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("action", "name", name="uq_template_action_name"),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        template,
        [
            {"action": action, "name": name, "body_zh": zh, "body_en": en,
             "created_at": now, "updated_at": now}
            for action, name, zh, en in TEMPLATES
        ],
    )  # fmt: skip
    op.create_table(
        "story_band",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"]),
        sa.PrimaryKeyConstraint("story_id", "band"),
    )
    with op.batch_alter_table("story_band", schema=None) as batch_op:
        batch_op.create_index("ix_story_band_band_hash", ["band", "hash"], unique=False)
    op.create_table(
        "story_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("overlap", sa.Float(), nullable=False),
        sa.Column("shared", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", stories.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('text', 'people')", name="ck_story_match_kind"),
        sa.CheckConstraint("story_id <> other_id", name="ck_story_match_other"),
        sa.ForeignKeyConstraint(["other_id"], ["story.id"]),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("story_id", "other_id", "kind", name="uq_story_match"),
    )
    with op.batch_alter_table("story_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_match_other_id"), ["other_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_match_story_id"), ["story_id"], unique=False)
    with op.batch_alter_table("privacy_flag", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_title", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_privacy_flag_text", ["text"], unique=False)
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("revised_by_author_at", stories.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("duplicate_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_story_assigned_to_id"), ["assigned_to_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_story_duplicate_of_id_story", "story", ["duplicate_of_id"], ["id"]
        )
        batch_op.create_foreign_key(
            "fk_story_assigned_to_id_user_account", "user_account", ["assigned_to_id"], ["id"]
        )
    with op.batch_alter_table("privacy_flag", schema=None) as batch_op:
        batch_op.alter_column("in_title", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_constraint("fk_story_assigned_to_id_user_account", type_="foreignkey")
        batch_op.drop_constraint("fk_story_duplicate_of_id_story", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_story_assigned_to_id"))
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("revised_by_author_at")
        batch_op.drop_column("assigned_to_id")
    with op.batch_alter_table("privacy_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_privacy_flag_text")
        batch_op.drop_column("in_title")
    with op.batch_alter_table("story_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_match_story_id"))
        batch_op.drop_index(batch_op.f("ix_story_match_other_id"))
    op.drop_table("story_match")
    with op.batch_alter_table("story_band", schema=None) as batch_op:
        batch_op.drop_index("ix_story_band_band_hash")
    op.drop_table("story_band")
    op.drop_table("message_template")
