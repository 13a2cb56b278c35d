"""The book builder's stories straight from the database (`build.py --from-db`).

Returns the same plain dict as `flask stories export` writes to stories.json (format version 1),
built by the same code (stories.operations.export); the session is closed before the book
builder sees the data, so rendering never touches the database.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from stories import db
from stories.operations import OperationError, export, volumes

ROOT = Path(__file__).resolve().parent.parent


def default_database_url() -> str:
    """DATABASE_URL from the environment, else the site's default SQLite file in instance/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'stories.db'}"


def volume_stories(slug: str, database_url: str | None = None) -> dict[str, Any]:
    """The accepted stories of volume `slug`, in the editors' order, as a stories.json dict."""
    engine = db.make_engine(database_url or default_database_url())
    try:
        with db.session_scope(engine) as session:
            volume = volumes.get(session, slug)
            return export.volume_document(session, None, volume)
    except OperationError as error:
        raise LookupError(str(error)) from error
    finally:
        engine.dispose()
