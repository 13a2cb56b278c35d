"""A volume's sources for one build, written into a folder the book builder reads offline.

`write_sources(session, volume, folder)` copies the recipe `content/volumes/<slug>.toml` and
the chapter files it names (same layout relative to the content folder), writes the volume's
accepted stories as `stories.json` (`stories.operations.export`) and points the recipe's
`stories` at it. It returns the recipe's path and a record of the inputs: the chapters' files
and digests, each story's id and revision, and the software's versions.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from anthology import resources
from anthology.sources import load_manuscript
from anthology.sources.manuscript import Kind
from anthology.sources.recipe import read_recipe
from stories.models import Volume
from stories.operations import OperationError
from stories.operations.export import volume_document


class SourcesError(OperationError):
    """The volume's sources cannot be written."""


@dataclass(frozen=True)
class BuildSources:
    recipe: Path
    inputs: dict[str, Any]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _software() -> dict[str, str]:
    names = {"stories": "social-work-stories", "weasyprint": "weasyprint"}
    return {key: metadata.version(name) for key, name in names.items()}


def write_sources(session: Session, volume: Volume, folder: Path) -> BuildSources:
    source = resources.CONTENT / "volumes" / f"{volume.slug}.toml"
    if not source.is_file():
        raise SourcesError(
            _l("The volume has no recipe %(path)s.", path=f"content/volumes/{volume.slug}.toml")
        )
    recipe, text = read_recipe(source)
    content = (source.parent / recipe.get("content", "..")).resolve()
    document = volume_document(session, None, volume)
    manuscript = load_manuscript(source, stories_data=document)
    files = [Path(c.source.path) for c in manuscript.chapters() if c.kind is not Kind.story]
    files += [Path(p) for p in (manuscript.meta.cover, manuscript.meta.icc_profile) if p]
    chapters = []
    for path in files:
        relative = path.resolve().relative_to(content)
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / relative)
        if path.suffix == ".md":
            chapters.append({"file": str(relative), "sha256": _digest(path)})
    stories_json = folder / "stories.json"
    stories_json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
    target = folder / "volumes" / f"{volume.slug}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = re.sub(r"(?m)^(stories|content)\s*=.*$\n?", "", text)
    target.write_text('stories = "../stories.json"\n' + text, "utf-8")
    stories = [
        {"id": story["id"], "revision": story["revision"]}
        for part in document["parts"]
        for story in part["stories"]
    ]
    inputs = {
        "settings_revision": None,
        "chapters": chapters,
        "stories": stories,
        "software": _software(),
    }
    return BuildSources(recipe=target, inputs=inputs)
