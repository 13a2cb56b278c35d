"""search index: FTS5 table on SQLite, tsvector table with a GIN index on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The structures are not SQLModel tables (see stories/search.py); existing stories are indexed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE story_search ("
            " story_id INTEGER PRIMARY KEY REFERENCES story (id) ON DELETE CASCADE,"
            " tokens TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_story_search_tokens ON story_search USING GIN (tokens)")
    else:
        # detail=none: only which stories hold a word (no positions), small and fast; queries
        # are single words, never phrases.
        op.execute(
            "CREATE VIRTUAL TABLE story_fts USING fts5(tokens, tokenize='unicode61', detail=none)"
        )
    from stories.queries import search

    search.reindex_all(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE story_search")
    else:
        op.execute("DROP TABLE story_fts")
