"""a search at 100,000 stories: an index keyed by id for the matches, and newest-first by id

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01

`bench/queue.py --big` found a search for a common word (我们, in 38% of the stories) over
150 ms: the matches were tested against every story, once per count and once for the page.
The queue now counts a search in one pass driven from its matches; `ix_story_queue_match`
holds, keyed by the id, every column that pass reads, so each match is one index lookup (SQLite
would otherwise read the row past the body's overflow pages). `ix_story_queue_submitted` gains
the id as its second column, so PostgreSQL can read the newest-first page (submitted_at, id) in
the index order and stop after a page of matches instead of sorting them all (SQLite's indexes
end with the rowid: there the order was already the index's).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MATCH = [
    "id", "status", "revised_by_author_at", "assigned_to_id", "service_field", "province",
    "submitted_at", "last_activity_at",
]  # fmt: skip
SUBMITTED_BEFORE = [
    "submitted_at", "status", "revised_by_author_at", "assigned_to_id", "service_field",
    "province", "last_activity_at", "id",
]  # fmt: skip
SUBMITTED_AFTER = [
    "submitted_at", "id", "status", "revised_by_author_at", "assigned_to_id", "service_field",
    "province", "last_activity_at",
]  # fmt: skip


def upgrade() -> None:
    op.create_index("ix_story_queue_match", "story", MATCH, unique=False)
    op.drop_index("ix_story_queue_submitted", table_name="story")
    op.create_index("ix_story_queue_submitted", "story", SUBMITTED_AFTER, unique=False)


def downgrade() -> None:
    op.drop_index("ix_story_queue_submitted", table_name="story")
    op.create_index("ix_story_queue_submitted", "story", SUBMITTED_BEFORE, unique=False)
    op.drop_index("ix_story_queue_match", table_name="story")
