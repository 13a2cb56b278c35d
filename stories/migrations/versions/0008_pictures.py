"""pictures: a story's pictures as stored files with a privacy review, not base64 in the text

Revision ID: 0008
Revises: 0007 (written on 0005; chained after 0006 and 0007 when merged)
Create Date: 2026-12-01

Creates `story_picture`, then moves every `data:` picture out of the stories' texts (the current
text and every revision): the picture is decoded, re-encoded without metadata and kept in the
picture store by its content hash, and the text gets a reference to it (the Markdown alt text
stays the description). The revisions keep their words; only the bytes move to the store. Each
picture starts "to review". Privacy flags found inside the base64 text (random letters read as
WeChat IDs or numbers) are removed: they were never personal data. A picture that cannot be
decoded is left in the text as it was, so nothing is lost.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

import stories.db
from anthology.text import pictures as references

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATA_PICTURE = re.compile(
    r"!\[(?P<alt>(?:\\.|[^\]\\])*)\]\(data:image/[a-z+.-]+;base64,(?P<data>[A-Za-z0-9+/=\s]+)\)"
)


def upgrade() -> None:
    op.create_table(
        "story_picture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column(
            "review",
            sa.Enum(
                "to_review",
                "fine",
                "blurred",
                "left_out",
                name="picture_review",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("blur", sa.String(length=100), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", stories.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", stories.db.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "review = 'to_review' OR (reviewed_by_id IS NOT NULL AND reviewed_at IS NOT NULL)",
            name="ck_story_picture_reviewed_names_editor",
        ),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("story_id", "ref", name="uq_story_picture_ref"),
    )
    with op.batch_alter_table("story_picture", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_picture_ref"), ["ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_picture_review"), ["review"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_picture_story_id"), ["story_id"], unique=False)
    _move_data_pictures()


def downgrade() -> None:
    # The pictures stay in the store and the references in the texts: the texts are not put
    # back to base64 (a downgrade loses only the review).
    with op.batch_alter_table("story_picture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_picture_story_id"))
        batch_op.drop_index(batch_op.f("ix_story_picture_review"))
        batch_op.drop_index(batch_op.f("ix_story_picture_ref"))
    op.drop_table("story_picture")


def _store():  # noqa: ANN202 - imported here: the store needs Pillow, only this step does
    from stories import pictures

    folder = context.config.attributes.get("pictures_folder")
    if not folder:
        try:
            from flask import current_app

            folder = pictures.folder(current_app.config)
        except RuntimeError:  # no app: the instance folder's store
            folder = pictures.folder(None)
    return pictures.Store(folder)


def _convert(text: str, store, found: dict[str, tuple[int, int]], payloads: list[str]) -> str:  # noqa: ANN001
    from stories.pictures import PictureError

    def replace(match: re.Match[str]) -> str:
        payload = re.sub(r"\s", "", match.group("data"))
        try:
            ref, picture = store.add(base64.b64decode(payload, validate=True))
        except (binascii.Error, ValueError, PictureError):
            return match.group(0)  # kept as it was: nothing is lost
        found[ref] = (picture.width, picture.height)
        payloads.append(payload)
        alt = re.sub(r"\\(.)", r"\1", match.group("alt"))
        return references.reference(ref, alt)

    return DATA_PICTURE.sub(replace, text)


_PICTURES = sa.table(
    "story_picture",
    sa.column("story_id", sa.Integer()),
    sa.column("ref", sa.String()),
    sa.column("width", sa.Integer()),
    sa.column("height", sa.Integer()),
    sa.column("review", sa.String()),
    sa.column("blur", sa.String()),
    sa.column("created_at", stories.db.UTCDateTime()),
)


def _move_data_pictures() -> None:
    bind = op.get_bind()
    like = "%](data:image/%"
    stories_rows = bind.execute(
        sa.text("SELECT id, body FROM story WHERE body LIKE :like"), {"like": like}
    ).fetchall()
    revision_rows = bind.execute(
        sa.text("SELECT id, story_id, body FROM story_revision WHERE body LIKE :like"),
        {"like": like},
    ).fetchall()
    if not stories_rows and not revision_rows:
        return
    store = _store()
    now = datetime.now(UTC)
    for story_id, body in stories_rows:
        found: dict[str, tuple[int, int]] = {}
        payloads: list[str] = []
        new = _convert(body, store, found, payloads)
        bind.execute(sa.text("UPDATE story SET body = :b WHERE id = :i"), {"b": new, "i": story_id})
        for ref, (width, height) in found.items():
            bind.execute(
                _PICTURES.insert().values(
                    story_id=story_id, ref=ref, width=width, height=height,
                    review="to_review", blur="", created_at=now,
                )
            )  # fmt: skip
        _drop_base64_flags(bind, story_id, payloads)
    _reindex(bind, [story_id for story_id, _body in stories_rows])
    # Revisions are immutable (0001's triggers); this one-time move of their picture bytes into
    # the store keeps every word and every picture, so the trigger is lifted for it alone.
    postgres = bind.dialect.name == "postgresql"
    if revision_rows:
        op.execute(
            "ALTER TABLE story_revision DISABLE TRIGGER story_revision_no_change"
            if postgres
            else "DROP TRIGGER IF EXISTS story_revision_no_update"
        )
    for row_id, _story_id, body in revision_rows:
        new = _convert(body, store, {}, [])
        bind.execute(
            sa.text("UPDATE story_revision SET body = :b WHERE id = :i"), {"b": new, "i": row_id}
        )
    if revision_rows:
        op.execute(
            "ALTER TABLE story_revision ENABLE TRIGGER story_revision_no_change"
            if postgres
            else "CREATE TRIGGER story_revision_no_update BEFORE UPDATE ON story_revision "
            "BEGIN SELECT RAISE(ABORT, 'story revisions are immutable'); END"
        )


def _reindex(bind: sa.Connection, story_ids: list[int]) -> None:
    """The search index held the base64 text: index the migrated texts again."""
    from stories.queries import search

    for story_id in story_ids:
        row = bind.execute(
            sa.text("SELECT id, title, body, pen_name, organisation FROM story WHERE id = :i"),
            {"i": story_id},
        ).one()
        search.index_rows(bind, [tuple(row)])


def _drop_base64_flags(bind: sa.Connection, story_id: int, payloads: list[str]) -> None:
    if not payloads:
        return
    flags = bind.execute(
        sa.text("SELECT id, text FROM privacy_flag WHERE story_id = :s"), {"s": story_id}
    ).fetchall()
    for flag_id, text in flags:
        if text and any(text in payload for payload in payloads):
            bind.execute(sa.text("DELETE FROM privacy_flag WHERE id = :i"), {"i": flag_id})
