"""The book builder's command line with the site's database behind `--from-db`.

`build.py` in a checkout and the `stories-build` command of an installed copy both run this:
anthology's builder (which never imports the site) plus the stories read from the database.
"""

from __future__ import annotations

from typing import Any

from anthology.build import main as build_main


def stories_from_db(slug: str, database_url: str | None) -> dict[str, Any]:
    """`--from-db`: the volume's accepted stories read by the web app's export code."""
    from stories.operations.export import volume_stories

    return volume_stories(slug, database_url)


def main(argv: list[str] | None = None) -> int:
    return build_main(argv, db_loader=stories_from_db)
