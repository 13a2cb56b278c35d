"""Backups of the database, and their restore (`flask db backup PATH`, `flask db restore PATH`).

- SQLite: SQLite's online backup API copies the live database page by page while the site keeps
  running (a consistent snapshot, WAL included), into `PATH` written beside it and renamed into
  place. Restoring copies the backup into the configured database the same way.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot of a running database) and
  `pg_restore --no-owner`; both come with the PostgreSQL client (Debian `postgresql-client`).

A restore goes into an empty database (a new SQLite file, or a freshly created PostgreSQL
database) unless `replace=True`, and then reports what it holds: stories, revisions, consents,
audit events, and whether the audit log's hash chain is intact.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Contents:
    stories: int
    revisions: int
    consents: int
    audit_events: int

    def __str__(self) -> str:
        return (
            f"{self.stories} stories, {self.revisions} revisions, {self.consents} consents, "
            f"{self.audit_events} audit events"
        )


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (what pg_dump and pg_restore read)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {' '.join(message[-3:])}")


def backup(url: str, path: str | os.PathLike[str]) -> Path:
    """Write a consistent backup of the database at `url` to `path`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    source = _sqlite_path(url)
    try:
        if source is not None:
            if not source.is_file():
                raise BackupError(f"no database at {source}")
            partial.unlink(missing_ok=True)
            live, copy = sqlite3.connect(source), sqlite3.connect(partial)
            try:
                live.backup(copy)
            finally:
                copy.close()
                live.close()
        else:
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}",
                  _libpq(url)])  # fmt: skip
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(url: str, path: str | os.PathLike[str], replace: bool = False) -> Contents:
    """Restore the backup at `path` into the database at `url` (empty unless `replace`)."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    if not replace and _has_tables(url):
        raise BackupError(
            "the database is not empty: restore into a new database (a new SQLite file or "
            "createdb), or pass --replace to overwrite it"
        )
    target = _sqlite_path(url)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        saved, live = sqlite3.connect(source), sqlite3.connect(target)
        try:
            if saved.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (SQLite integrity check)")
            saved.backup(live)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup ({error})") from error
        finally:
            live.close()
            saved.close()
    else:
        command = [_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}"]
        if replace:
            command += ["--clean", "--if-exists"]
        _run([*command, str(source)])
    return contents(url)


def _has_tables(url: str) -> bool:
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = create_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def contents(url: str) -> Contents:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:

            def count(table: str) -> int:
                query = text(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
                return int(connection.execute(query).scalar_one())

            return Contents(
                stories=count("story"),
                revisions=count("story_revision"),
                consents=count("consent"),
                audit_events=count("audit_event"),
            )
    finally:
        engine.dispose()
