"""The book builder's command line with the site's database behind `--from-db`.

`build.py` in a checkout and the `stories-build` command of an installed copy both run this:
anthology's builder (which never imports the site) plus what the database holds. With
`--from-db`, a volume that has book settings in the database is built from the database
alone: its settings, chapters and accepted stories are written as a source tree into a temporary
folder (`stories.operations.books.sources.write_sources`) and that recipe is built; RECIPE then
only names the volume (its file name, or a slug). A volume without book settings takes its
stories from the database and everything else from RECIPE, as before.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anthology.build import parser, run


def stories_from_db(folder: Path) -> Callable[[str, str | None], dict[str, Any]]:
    """`--from-db` for a volume without book settings: its accepted stories, their pictures
    written into `folder` (which lives as long as the build)."""

    def load(slug: str, database_url: str | None) -> dict[str, Any]:
        from stories.operations.export import volume_stories

        return volume_stories(slug, database_url, folder)

    return load


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from stories.operations.books.sources import sources_from_db

    with tempfile.TemporaryDirectory(prefix="book-sources-") as folder:
        if args.from_db is None:
            return run(args, db_loader=stories_from_db(Path(folder)))
        sources = sources_from_db(Path(args.recipe).stem, args.from_db or None, Path(folder))
        if sources is None:
            return run(args, db_loader=stories_from_db(Path(folder)))
        if not args.quiet:
            revision = sources.inputs["settings_revision"]
            print(
                f"building from the database: book settings revision {revision}, "
                f"{len(sources.inputs['chapters'])} chapters, "
                f"{len(sources.inputs['stories'])} stories",
                file=sys.stderr,
            )
        args.recipe, args.from_db, args.stories = str(sources.recipe), None, None
        return run(args)
