"""Database engine and sessions: one engine per app, one session per request.

Bound parameters never appear in logs or error messages (`hide_parameters`): they hold authors'
phone numbers, e-mail addresses, names and texts. On SQLite (WAL) a write transaction takes the
write lock when it begins (`BEGIN IMMEDIATE`: requests other than GET/HEAD/OPTIONS, and
`session_scope`), so two writers queue for the lock instead of one failing with "database is
locked" when it upgrades its read snapshot; other sessions keep the driver's behaviour (reads
outside a transaction, a deferred BEGIN before the first change) and never wait to read.
The views do the expensive work (privacy scan, word segmentation, rendering) before they write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use stories.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


IMMEDIATE = "sqlite_immediate"  # execution option: this connection's transactions write
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BUSY_SECONDS = 15  # how long a SQLite writer waits for the lock before the site answers 503


def make_engine(url: str, busy_seconds: float = BUSY_SECONDS) -> Engine:
    """The engine for `url`; a writer waits `busy_seconds` for a lock, then the site says 503."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_seconds},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A writer takes the lock now. Other transactions keep the driver's own behaviour:
            # reads outside a transaction, a deferred BEGIN before the first change.
            if connection.get_execution_options().get(IMMEDIATE):
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql"):
        options = f"-c lock_timeout={int(busy_seconds * 1000)}"
        return create_engine(url, pool_pre_ping=True, hide_parameters=True,
                             connect_args={"options": options})  # fmt: skip
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def writer(bind: Engine) -> Engine:
    """The engine whose transactions take SQLite's write lock at once (no-op elsewhere)."""
    return bind.execution_options(**{IMMEDIATE: True})


def init_app(app: Flask) -> None:
    busy = float(app.config.get("DATABASE_BUSY_SECONDS", BUSY_SECONDS))
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"], busy)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        from flask import has_request_context, request

        writes = has_request_context() and request.method not in SAFE_METHODS
        bind = writer(engine()) if writes else engine()
        g.db_session = Session(bind, expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def session_scope(bind: Engine | None = None) -> Iterator[Session]:
    """A session for CLI commands and scripts: committed on success, rolled back on error."""
    with Session(writer(bind or engine()), expire_on_commit=False) as db_session:
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise
