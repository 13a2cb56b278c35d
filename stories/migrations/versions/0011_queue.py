"""the queue at 100,000 stories: covering indexes for its counts and ordered pages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

`bench/queue.py --big` (100,000 stories) found every view of the queue over 150 ms: the tab
and "my work" counts and the pages read the story rows. On SQLite the columns after the body
(status, dates, assignment) sit behind the body's overflow pages; on PostgreSQL the counts were
a sequential scan. These indexes hold every column the counts, filters and sorts read (and the
id), so both databases answer from the index alone: the counts, the newest-first and by-date
pages (submitted), the by-activity page and the by-title page, the "my work" counts of revised
and assigned stories.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_story_queue_counts": [
        "status", "revised_by_author_at", "assigned_to_id", "service_field", "province",
        "submitted_at", "id",
    ],
    "ix_story_queue_submitted": [
        "submitted_at", "status", "revised_by_author_at", "assigned_to_id", "service_field",
        "province", "last_activity_at", "id",
    ],
    "ix_story_queue_activity": [
        "last_activity_at", "submitted_at", "status", "revised_by_author_at", "assigned_to_id",
        "id",
    ],
    "ix_story_queue_title": [
        "title", "status", "revised_by_author_at", "assigned_to_id", "submitted_at", "id",
    ],
    # The "my work" counts: revised by the author, assigned to me.
    "ix_story_queue_revised": [
        "revised_by_author_at", "status", "assigned_to_id", "service_field", "province",
        "submitted_at", "id",
    ],
    "ix_story_queue_assigned": [
        "assigned_to_id", "status", "revised_by_author_at", "service_field", "province",
        "submitted_at", "id",
    ],
}  # fmt: skip


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "story", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="story")
