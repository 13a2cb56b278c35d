"""Read a volume's sources into a Manuscript: the recipe (TOML, `recipe`), Markdown chapters with
YAML front matter (`chapters`), and the stories (a stories.json export, or the same data from the
database: `stories`). The gather phase's checks of the result live here too: the publication gate
(`gate`) and the images (`figures`).

Every problem is a ContentError naming the file and, where it can be known, the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anthology.errors import ContentError
from anthology.sources.chapters import Loader, body_items, check_unique_ids
from anthology.sources.manuscript import Kind, Manuscript, Part, Source
from anthology.sources.recipe import line_of, places_stories, read_recipe, stories_file, volume_meta
from anthology.sources.stories import contributors_of, load_stories, parse_stories

CONTRIBUTORS = "contributors"  # the generated list of contributors in `structure.back`


def load_manuscript(
    recipe_path: str | Path,
    stories_path: str | Path | None = None,
    stories_data: dict[str, Any] | None = None,
) -> Manuscript:
    """Recipe + content files + stories -> Manuscript.

    The stories come from `stories_data` (a dict in the stories.json format, e.g. built from the
    database), else from `stories_path`, else from the recipe's `stories` key (relative to the
    recipe). A volume without stories is allowed when the recipe does not place any.
    """
    recipe_path = Path(recipe_path)
    recipe, text = read_recipe(recipe_path)
    meta = volume_meta(recipe, text, recipe_path)
    content_dir = (recipe_path.parent / recipe.get("content", "..")).resolve()
    structure = recipe.get("structure", {})
    if not isinstance(structure, dict):
        raise ContentError("[structure] must be a table", recipe_path, line_of(text, "structure"))
    loader = Loader(recipe_path, text, content_dir)

    story_parts: list[Part] | None = None
    if places_stories(structure):
        if stories_data is not None:
            story_parts = parse_stories(stories_data, Source(f"database volume {meta.slug}"))
        else:
            path = stories_file(recipe, text, recipe_path, stories_path)
            story_parts = load_stories(path)

    front = tuple(loader.chapter(entry, Kind.front) for entry in structure.get("front", []))
    body = tuple(body_items(structure.get("body", []), loader, story_parts or []))
    back_entries = list(structure.get("back", []))
    show_contributors = CONTRIBUTORS in back_entries
    back = tuple(
        loader.chapter(entry, Kind.back) for entry in back_entries if entry != CONTRIBUTORS
    )
    check_unique_ids([*front, *back], body, recipe_path)
    chapters = [c for item in body for c in (item.chapters if isinstance(item, Part) else [item])]
    return Manuscript(
        meta=meta,
        front=front,
        body=body,
        back=back,
        contributors=contributors_of(chapters),
        show_contributors=show_contributors,
    )


__all__ = ["load_manuscript"]
