"""The book builder's stories straight from the database (`build.py --from-db`).

Returns the same plain dict as `flask stories export` writes to stories.json (format version 1),
built by the same code (stories.operations.export); the session is closed before the book
builder sees the data, so rendering never touches the database.
"""

from __future__ import annotations

from typing import Any

from stories import db
from stories.config import default_database_url
from stories.operations import OperationError, export, volumes


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
