"""The schema migrations (Alembic: env.py and versions/ in this folder), run from code.

`flask db upgrade`, `flask db revision -m ...` (stories.cli.db), the demo loader and the tests
call these functions.
"""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config

MIGRATIONS = os.path.dirname(os.path.abspath(__file__))


def alembic_config(database_url: str, pictures_folder: str | None = None) -> Config:
    cfg = Config()
    # Where a data migration keeps the pictures it takes out of story texts (0008).
    cfg.attributes["pictures_folder"] = pictures_folder
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head", pictures_folder: str | None = None) -> None:
    """Migrate; `pictures_folder` is the app's picture store (default: the instance folder's)."""
    command.upgrade(alembic_config(database_url, pictures_folder), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=autogenerate)
