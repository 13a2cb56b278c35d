"""Markdown chapters with YAML front matter (content/front|history|back/), as the recipe's
`[structure]` names them: single files, or globs sorted by the front matter's `order`.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Any

import yaml

from anthology.errors import ContentError
from anthology.sources.manuscript import Chapter, Kind, Part, Source
from anthology.sources.recipe import line_of


class Loader:
    """Chapter files of one recipe, named relative to its content folder."""

    def __init__(self, recipe_path: Path, text: str, content_dir: Path):
        self.recipe_path = recipe_path
        self.text = text
        self.content_dir = content_dir

    def paths(self, entry: str) -> list[Path]:
        """One chapter file, or every file of a glob sorted by front matter `order`."""
        if any(ch in entry for ch in "*?["):
            found = [Path(p) for p in sorted(glob.glob(str(self.content_dir / entry)))]
            if not found:
                raise ContentError(
                    f"no chapter file matches {entry!r} in {self.content_dir}",
                    self.recipe_path,
                    line_of(self.text, entry),
                )
            return sorted(found, key=lambda p: (read_front_matter(p)[0].get("order", 0), p.name))
        return [self.content_dir / entry]

    def chapter(self, entry: Any, kind: Kind) -> Chapter:
        if not isinstance(entry, str):
            raise ContentError(
                f"expected a chapter file name, got {entry!r}",
                self.recipe_path,
                line_of(self.text, str(entry)),
            )
        path = self.content_dir / entry
        if not path.is_file():
            raise ContentError(
                f"chapter file not found: {path}", self.recipe_path, line_of(self.text, entry)
            )
        return load_chapter(path, kind)

    def chapters(self, entries: Any, kind: Kind) -> list[Chapter]:
        if isinstance(entries, str):
            entries = [entries]
        out = []
        for entry in entries:
            for path in self.paths(entry):
                rel = str(path.relative_to(self.content_dir))
                out.append(self.chapter(rel, kind))
        return out


_FENCE = re.compile(r"^---\s*$")


def read_front_matter(path: Path) -> tuple[dict[str, Any], str, int]:
    """(front matter, Markdown body, line number where the body starts)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError("not UTF-8 text", path) from None
    lines = text.splitlines(keepends=True)
    if not lines or not _FENCE.match(lines[0]):
        raise ContentError("missing YAML front matter (a first line `---`)", path, 1)
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        raise ContentError("front matter is not closed by a line `---`", path, 1)
    try:
        data = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(f"bad YAML front matter: {problem}", path, line) from None
    if not isinstance(data, dict):
        raise ContentError("front matter must be a mapping (key: value)", path, 2)
    return data, "".join(lines[end + 1 :]), end + 2


def load_chapter(path: Path, kind: Kind) -> Chapter:
    data, body, body_line = read_front_matter(path)
    text = path.read_text(encoding="utf-8")
    for key in ("title", "author", "subtitle"):
        if key in data and not isinstance(data[key], str):
            raise ContentError(f"`{key}` must be text", path, line_of(text, f"{key}:"))
    if not data.get("title", "").strip():
        raise ContentError("front matter needs a `title`", path, 2)
    if "order" in data and not isinstance(data["order"], int):
        raise ContentError("`order` must be a whole number", path, line_of(text, "order:"))
    return Chapter(
        id=f"{kind.value}-{slug(path.stem)}",
        kind=kind,
        title=data["title"].strip(),
        subtitle=data.get("subtitle", "").strip(),
        author=data.get("author", "").strip(),
        body=body,
        source=Source(str(path), body_line),
    )


def slug(name: str) -> str:
    """An ASCII id fragment; non-ASCII names become a stable hex form."""
    ascii_part = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower()
    if ascii_part and ascii_part == name.lower():
        return ascii_part
    return (ascii_part + "-" if ascii_part else "") + name.encode("utf-8").hex()[:16]


def body_items(entries: Any, loader: Loader, story_parts: list[Part]) -> list[Part | Chapter]:
    """`structure.body`: history chapters, recipe parts and the story parts, in reading order."""
    out: list[Part | Chapter] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            out.extend(loader.chapters(entry, Kind.history))
        elif "stories" in entry:
            wanted = entry["stories"]
            if wanted == "all":
                for part in story_parts:  # stories in no part (a part without title) stand alone
                    out.extend(part.chapters if not part.title else [part])
                continue
            by_title = {p.title: p for p in story_parts}
            for title in [wanted] if isinstance(wanted, str) else wanted:
                if title not in by_title:
                    raise ContentError(
                        f"no part {title!r} in the stories",
                        loader.recipe_path,
                        line_of(loader.text, title),
                    )
                out.append(by_title[title])
        elif "part" in entry:
            chapters = tuple(loader.chapters(entry.get("chapters", []), Kind.history))
            out.append(
                Part(
                    f"part-h{number}",
                    entry["part"],
                    chapters,
                    Source(str(loader.recipe_path), line_of(loader.text, entry["part"]) or 1),
                )
            )
        else:
            out.extend(loader.chapters(entry.get("chapters", []), Kind.history))
    return out


def check_unique_ids(chapters: list[Chapter], body: tuple[Part | Chapter, ...], path: Path):
    seen: dict[str, Source] = {}
    for item in body:
        chapters.extend(item.chapters if isinstance(item, Part) else [item])
    for chapter in chapters:
        if chapter.id in seen:
            raise ContentError(
                f"chapter {chapter.id!r} appears twice (also at {seen[chapter.id]})",
                chapter.source.path,
                chapter.source.line,
            )
        seen[chapter.id] = chapter.source
