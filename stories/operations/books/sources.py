"""A volume's book as an offline source tree that `anthology` builds unchanged.

`write_sources(session, volume, folder)` writes

    folder/volumes/<slug>.toml        the recipe from the current settings; its structure names
                                      the chapter files below, its `stories` the file below
    folder/front|history|back/<name>.md   each chapter's current revision, with YAML front
                                      matter (title, order, author, subtitle)
    folder/stories.json               the volume's accepted stories (`export.volume_document`)
    folder/pictures/<ref>.jpg         their published pictures (blurred where reviewed so; none
                                      for a picture left out): the only pictures a build sees
    folder/volumes/printer-<digest>.icc   the printer's ICC profile, when the settings name one
                                      (copied from the profiles folder: the builder reads no
                                      file it was not given)

and returns the recipe's path and what the book is made of (`inputs`: the settings revision,
every chapter's and story's revision, the software's version), so a build can say exactly what
it was built from. The session is only read (plus the export's audit event); the caller commits.
`build.py RECIPE --from-db` builds such a tree when the volume has book settings
(`sources_from_db`, called by `stories.cli.book`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from stories import db
from stories.config import default_database_url, instance_folder
from stories.models import Volume
from stories.operations import OperationError, export, volumes
from stories.operations.books import contents, press, recipes, settings

PACKAGE = "social-work-stories"


@dataclass(frozen=True)
class BuildSources:
    recipe: Path
    inputs: dict[str, Any]


def _software() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # pragma: no cover - the package is installed
        return "unknown"


def chapter_file(row: contents.ChapterRow, order: int) -> str:
    """A chapter file: YAML front matter, then the Markdown of the current revision."""
    front: dict[str, Any] = {"title": row.title, "order": order}
    if row.author:
        front["author"] = row.author
    if row.subtitle:
        front["subtitle"] = row.subtitle
    matter = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{matter}---\n\n{row.body}\n"


def profiles_folder() -> Path:
    """Where uploaded ICC profiles are kept when the app does not say (PROFILES_FOLDER)."""
    return Path(instance_folder()) / "profiles"


def write_sources(
    session: Session,
    volume: Volume,
    folder: Path,
    profiles: Path | None = None,
    *,
    stories: dict[str, Any] | None = None,
) -> BuildSources:
    """Write the volume's complete source tree into `folder` (see the module's docstring);
    `profiles` is the folder of the uploaded ICC profiles (default: `profiles_folder()`),
    `stories` replaces the volume's stories file (a proof's one story)."""
    folder = Path(folder)
    latest = settings.current(session, volume)
    book = contents.structure(session, volume)
    listed = []
    for section, rows in (("front", book.front), ("history", [c for p in book.history for c in
                          p.chapters]), ("back", book.back)):  # fmt: skip
        (folder / section).mkdir(parents=True, exist_ok=True)
        for order, row in enumerate(rows, 1):
            path = folder / section / f"{row.name}.md"
            path.write_text(chapter_file(row, order), encoding="utf-8")
            listed.append({"id": row.id, "title": row.title, "revision": row.revision})
    document = stories if stories is not None else export.volume_document(session, None, volume)
    export.write(document, folder / "stories.json")
    recipe = folder / "volumes" / f"{volume.slug}.toml"
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(recipes.recipe_text(session, volume, "../stories.json"), encoding="utf-8")
    name = settings.current_data(session, volume)["page"].get("icc_profile")
    if name:
        source = press.profile_path(profiles or profiles_folder(), name)
        if not source.is_file():
            raise press.ProfileRefused(
                _l("The printer's ICC profile is missing from the profiles folder: upload it "
                   "again on the book settings page.")
            )  # fmt: skip
        shutil.copyfile(source, recipe.parent / name)
    inputs = {
        "settings_revision": latest.number if latest is not None else None,
        "chapters": listed,
        "stories": [
            {"id": story["id"], "revision": story["revision"]}
            for part in document["parts"]
            for story in part["stories"]
        ],
        "software": _software(),
    }
    return BuildSources(recipe=recipe, inputs=inputs)


def sources_from_db(slug: str, database_url: str | None, folder: Path) -> BuildSources | None:
    """`build.py --from-db`: the volume's source tree from the database, or None when the volume
    has no book settings there (then only its stories come from the database, as before).
    The session is closed before the book builder reads the files."""
    engine = db.make_engine(database_url or default_database_url())
    try:
        with db.session_scope(engine) as session:
            try:
                volume = volumes.get(session, slug)
            except OperationError:
                return None  # the builder's own --from-db path says that there is no volume
            if settings.current(session, volume) is None:
                return None
            return write_sources(session, volume, folder)
    finally:
        engine.dispose()
