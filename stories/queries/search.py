"""Chinese full-text search over stories: jieba words in an index table, kept current on flush.

Title, body, pen name and organisation are segmented with jieba's search mode (a long word also
yields its dictionary sub-words: 服务中心 → 服务, 中心, 服务中心) and stored as space-separated,
lower-cased words:
- SQLite: the FTS5 table `story_fts` (rowid = story id, unicode61 tokenizer, which splits on the
  spaces we put in and keeps each Han word whole; detail=none, as queries are single words);
- PostgreSQL: the table `story_search` (story id, tsvector of the same words built with
  `array_to_tsvector`, no text-search parser involved) with a GIN index.
A query is segmented with jieba's precise mode and every word must be present as a whole word, so
养老 and 社工 are found while 老社 does not match 养老社区 (养老 / 社区).

Both structures are created by migration 0003 and are not SQLModel tables; `include_name` keeps
Alembic's autogenerate and the models-vs-migrations test away from them. The index is updated by a
session hook whenever a story's indexed fields change or a story is deleted, so every operation
(submission, revision, editor edit, pseudonymisation) keeps it current without calling it;
`flask stories reindex` rebuilds it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import String, bindparam, cast, column, event, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.sql.elements import TextClause

from anthology.text.pictures import masked
from anthology.text.privacy import markdown_text

INDEXED_FIELDS = ("title", "body", "pen_name", "organisation")
# Tables outside SQLModel's metadata (FTS5 keeps its data in shadow tables story_fts_*).
UNMANAGED_TABLE = re.compile(r"^(story_fts(_\w+)?|story_search)$")
_RUN = re.compile(r"[^\W_]+")
_lock = threading.Lock()


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic filter: leave the search index tables (and their indexes) alone."""
    if type_ == "table" and name and UNMANAGED_TABLE.match(name):
        return False
    return not (type_ == "index" and name == "ix_story_search_tokens")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _lock:
        jieba.initialize()
    return jieba


def _words(pieces: Iterable[str]) -> list[str]:
    """Lower-cased words; a piece with inner punctuation (wechat_id) becomes its alphanumeric
    runs, exactly as FTS5's unicode61 tokenizer would split it."""
    words: list[str] = []
    for piece in pieces:
        words.extend(run.lower() for run in _RUN.findall(piece))
    return words


def document_words(*fields: str) -> list[str]:
    """The words a story is found by (search mode, duplicates kept in text order)."""
    words: list[str] = []
    for field in fields:
        if field:
            words.extend(field_words(field))
    return words


@lru_cache(maxsize=32)
def field_words(field: str) -> tuple[str, ...]:
    """The words of one field, kept for a while: a view segments a text before its write
    transaction, and the index hook inside the transaction then finds the words ready."""
    return tuple(_words(_jieba().cut_for_search(field)))


def query_words(query: str) -> list[str]:
    """The words that must all be present for a story to match `query` (precise mode)."""
    unique: dict[str, None] = {}
    for word in _words(_jieba().cut(query[:200])):
        unique.setdefault(word, None)
    return list(unique)


def _dialect(connection: Connection) -> str:
    return connection.dialect.name


def index_rows(connection: Connection, rows: Iterable[tuple[int, str, str, str, str]]) -> int:
    """(Re)index stories given as (id, title, body, pen_name, organisation); returns the count."""
    return write_index(
        connection,
        [(story_id, story_words(title, body, *rest)) for story_id, title, body, *rest in rows],
    )


def story_words(title: str, body: str, pen_name: str, organisation: str) -> list[str]:
    """The words a story is indexed under."""
    # A picture reference is found by its description and caption, never by its hash.
    return document_words(title, masked(body), pen_name, organisation)


def write_index(connection: Connection, entries: list[tuple[int, list[str]]]) -> int:
    """Store (story id, its words) in the index; returns the count."""
    if not entries:
        return 0
    if _dialect(connection) == "postgresql":
        connection.execute(
            text(
                "INSERT INTO story_search (story_id, tokens) "
                "VALUES (:id, array_to_tsvector(CAST(:words AS text[]))) "
                "ON CONFLICT (story_id) DO UPDATE SET tokens = excluded.tokens"
            ),
            [{"id": story_id, "words": sorted(set(words))} for story_id, words in entries],
        )
    else:
        connection.execute(
            text("DELETE FROM story_fts WHERE rowid = :id"),
            [{"id": story_id} for story_id, _ in entries],
        )
        connection.execute(
            text("INSERT INTO story_fts (rowid, tokens) VALUES (:id, :tokens)"),
            [{"id": story_id, "tokens": " ".join(words)} for story_id, words in entries],
        )
    return len(entries)


def index_story(session: OrmSession, story: Any) -> None:
    """Index one story now (for changes made with UPDATE statements, which the hook cannot see)."""
    index_rows(
        session.connection(),
        [(story.id, story.title, story.body, story.pen_name, story.organisation)],
    )


def unindex(connection: Connection, story_ids: Iterable[int]) -> None:
    table, column = (
        ("story_search", "story_id")
        if _dialect(connection) == "postgresql"
        else ("story_fts", "rowid")
    )
    for story_id in story_ids:
        connection.execute(
            text(f"DELETE FROM {table} WHERE {column} = :id"),  # noqa: S608 - fixed names
            {"id": story_id},
        )


def reindex_all(connection: Connection) -> int:
    """Rebuild the whole index from the story table."""
    if _dialect(connection) == "postgresql":
        connection.execute(text("DELETE FROM story_search"))
    else:
        connection.execute(text("DELETE FROM story_fts"))
    rows = connection.execute(
        text("SELECT id, title, body, pen_name, organisation FROM story ORDER BY id")
    ).all()
    return index_rows(connection, [tuple(row) for row in rows])  # type: ignore[misc]


def _tsquery_lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _inline_tsquery(expression: str) -> Any:
    """The tsquery written into the statement, not sent as a parameter: psycopg prepares a
    statement run five times, and PostgreSQL then plans it once for any word, guessing 500
    matches (a nested loop and a sort for the counts of 我们: 91 instead of 57 ms). Written in,
    each word is planned with its own statistics. Safe: the lexemes are runs of letters and
    digits (`_words`), quoted by `_tsquery_lexeme` and escaped again as a SQL literal."""
    return bindparam("tsquery", expression, type_=String, literal_execute=True)


def matching_ids(dialect: str, query: str) -> TextClause | None:
    """A `SELECT story_id ...` clause for stories matching every word of `query`.

    None when the query has no words (then nothing is filtered)."""
    words = query_words(query)
    if not words:
        return None
    if dialect == "postgresql":
        expression = " & ".join(_tsquery_lexeme(word) for word in words)
        # OFFSET 0 keeps the match a set of its own, computed once, that the queue joins (its
        # counts) or reads in a MATERIALIZED CTE (its pages, `filters.filtered`): PostgreSQL
        # has no statistics for most words and would otherwise test the stories one by one.
        return text(
            "SELECT story_id FROM story_search WHERE tokens @@ CAST(:tsquery AS tsquery) OFFSET 0"
        ).bindparams(_inline_tsquery(expression))
    expression = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    return text("SELECT rowid AS story_id FROM story_fts WHERE story_fts MATCH :fts").bindparams(
        fts=expression
    )


def matches_story(query: str, story_id: Any) -> Any:
    """PostgreSQL: whether the story `story_id` (a correlated column) matches every word of
    `query`, tested on that story's tsvector alone (one primary-key lookup).

    For a page of a word found in most stories: the order's index is read and each story tested
    until the page is full (about 130 tests for 50 rows of a word in 38% of the stories),
    instead of building the set of all its matches first. A scalar subquery, so PostgreSQL
    cannot turn it into a join over every match. None when the query has no words."""
    words = query_words(query)
    if not words:
        return None
    expression = " & ".join(_tsquery_lexeme(word) for word in words)
    tokens = column("tokens")
    index = table("story_search", column("story_id"), tokens)
    tested = tokens.bool_op("@@")(cast(_inline_tsquery(expression), TSQUERY))
    return select(tested).select_from(index).where(index.c.story_id == story_id).scalar_subquery()


def _changed_stories(session: OrmSession) -> tuple[list[Any], list[int]]:
    from sqlalchemy import inspect as sa_inspect

    from stories.models import Story

    changed = [obj for obj in session.new if isinstance(obj, Story)]
    for obj in session.dirty:
        if isinstance(obj, Story):
            state = sa_inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in INDEXED_FIELDS):
                changed.append(obj)
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Story) and obj.id]
    return changed, deleted


def defer(session: OrmSession, story: Any) -> None:
    """Leave this new story out of the index for now (the queue indexes it: index_story)."""
    session.info.setdefault("search_deferred", set()).add(id(story))


@event.listens_for(OrmSession, "before_flush")
def _remember_changes(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed, deleted = _changed_stories(session)
    deferred = session.info.get("search_deferred", ())
    changed = [story for story in changed if id(story) not in deferred]
    if changed or deleted:
        pending = session.info.setdefault("search_pending", ([], []))
        pending[0].extend(changed)
        pending[1].extend(deleted)


@event.listens_for(OrmSession, "after_flush_postexec")
def _update_index(session: OrmSession, _context: Any) -> None:
    pending = session.info.pop("search_pending", None)
    if not pending:
        return
    changed, deleted = pending
    connection = session.connection()
    if deleted:
        unindex(connection, deleted)
    seen: set[int] = set()
    rows = []
    for story in changed:
        if story.id is not None and story.id not in seen and story.id not in deleted:
            seen.add(story.id)
            rows.append((story.id, story.title, story.body, story.pen_name, story.organisation))
    index_rows(connection, rows)


SNIPPET_WIDTH = 40


def snippet(body: str, query: str, width: int = SNIPPET_WIDTH) -> list[tuple[str, bool]]:
    """A piece of the text around the first match of the query's words, cut into segments; the
    matched words are the segments marked True (the page wraps them in <mark>). Empty when no
    word of the query is in the text (the match was in the title or the pen name)."""
    words = sorted({w for w in query_words(query) if w.strip()}, key=len, reverse=True)
    if not words:
        return []
    text = " ".join(markdown_text(body).split())
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer (İ): match as written
        lowered = text
    pattern = re.compile("|".join(re.escape(word) for word in words))
    first = pattern.search(lowered)
    if first is None:
        return []
    start = max(0, first.start() - width)
    end = min(len(text), first.end() + width * 2)
    segments: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    position = start
    for match in pattern.finditer(lowered, start, end):
        if match.start() < position:
            continue
        segments.append((text[position : match.start()], False))
        segments.append((text[match.start() : match.end()], True))
        position = match.end()
    segments.append((text[position:end], False))
    if end < len(text):
        segments.append(("…", False))
    return [(piece, marked) for piece, marked in segments if piece]
