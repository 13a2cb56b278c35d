"""Read a volume's sources into a Manuscript: the recipe (TOML), Markdown chapters with YAML
front matter, and the stories (a stories.json export, or the same data from the database).

Every problem is a ContentError naming the file and, where it can be known, the line.
"""

from __future__ import annotations

import glob
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from anthology.errors import ContentError
from anthology.manuscript import (
    Chapter,
    Consent,
    Contributor,
    Fonts,
    Kind,
    Manuscript,
    Part,
    Source,
    StoryInfo,
    Trim,
    VolumeMeta,
    sort_contributors,
)

TRIMS = {"16开": (185.0, 260.0), "大32开": (140.0, 203.0), "A5": (148.0, 210.0)}
STORIES_FORMAT = "social-work-stories"
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
    recipe, text = _read_recipe(recipe_path)
    meta = _volume_meta(recipe, text, recipe_path)
    content_dir = (recipe_path.parent / recipe.get("content", "..")).resolve()
    structure = recipe.get("structure", {})
    if not isinstance(structure, dict):
        raise ContentError("[structure] must be a table", recipe_path, _line_of(text, "structure"))
    loader = _Loader(recipe_path, text, content_dir)

    story_parts: list[Part] | None = None
    if _places_stories(structure):
        if stories_data is not None:
            story_parts = parse_stories(stories_data, Source(f"database volume {meta.slug}"))
        else:
            path = _stories_path(recipe, text, recipe_path, stories_path)
            story_parts = load_stories(path)

    front = tuple(loader.chapter(entry, Kind.front) for entry in structure.get("front", []))
    body = tuple(_body(structure.get("body", []), loader, story_parts or []))
    back_entries = list(structure.get("back", []))
    show_contributors = CONTRIBUTORS in back_entries
    back = tuple(
        loader.chapter(entry, Kind.back) for entry in back_entries if entry != CONTRIBUTORS
    )
    _check_unique_ids([*front, *back], body, recipe_path)
    chapters = [c for item in body for c in (item.chapters if isinstance(item, Part) else [item])]
    return Manuscript(
        meta=meta,
        front=front,
        body=body,
        back=back,
        contributors=contributors_of(chapters),
        show_contributors=show_contributors,
    )


# -- recipe -----------------------------------------------------------------------------------


def _read_recipe(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError("volume recipe not found", path) from None
    except UnicodeDecodeError:
        raise ContentError("volume recipe is not UTF-8", path) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise ContentError(f"invalid TOML: {exc}", path, line) from None


def _line_of(text: str, needle: str) -> int | None:
    """The first line of `text` that contains `needle` (recipes and JSON have no line info)."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def _volume_meta(recipe: dict[str, Any], text: str, path: Path) -> VolumeMeta:
    def need(key: str) -> str:
        value = recipe.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"the recipe needs `{key}` (text)", path, _line_of(text, key))
        return value.strip()

    def opt(key: str) -> str:
        value = recipe.get(key, "")
        if not isinstance(value, str):
            raise ContentError(f"`{key}` must be text", path, _line_of(text, key))
        return value.strip()

    isbn = opt("isbn")
    if isbn and not isbn_valid(isbn):
        raise ContentError(f"invalid ISBN-13 {isbn!r} (check digit)", path, _line_of(text, isbn))
    page = recipe.get("page", {})
    fonts = recipe.get("fonts", {})
    icc = page.get("icc_profile", "")
    editors = recipe.get("editors", [])
    if isinstance(editors, str):
        editors = [editors]
    return VolumeMeta(
        slug=recipe.get("slug") or path.stem,
        title=need("title"),
        subtitle=opt("subtitle"),
        series=opt("series"),
        editors=tuple(editors),
        publisher=opt("publisher"),
        isbn=isbn,
        isbn_is_demo=bool(recipe.get("isbn_demo", False)),
        cip=opt("cip"),
        edition=opt("edition"),
        printing=opt("printing"),
        year=recipe.get("year"),
        price=opt("price"),
        copyright=opt("copyright"),
        trim=_trim(page, text, path),
        bleed_mm=float(page.get("bleed_mm", 3)),
        fonts=Fonts(**{k: v for k, v in fonts.items() if k in ("body", "heading", "quote")}),
        icc_profile=str((path.parent / icc).resolve()) if icc else "",
        language=recipe.get("language", "zh-CN"),
        description=opt("description"),
        cover=_cover(opt("cover"), text, path),
        source=Source(str(path)),
    )


def _cover(name: str, text: str, path: Path) -> str:
    """The recipe's `cover` image (relative to the recipe), which must exist."""
    if not name:
        return ""
    cover = (path.parent / name).resolve()
    if not cover.is_file():
        raise ContentError(f"cover image not found: {cover}", path, _line_of(text, name))
    return str(cover)


def _trim(page: dict[str, Any], text: str, path: Path) -> Trim:
    name = page.get("trim", "16开")
    if name in TRIMS:
        return Trim(name, *TRIMS[name])
    if name == "custom":
        try:
            return Trim(name, float(page["width_mm"]), float(page["height_mm"]))
        except (KeyError, TypeError, ValueError):
            raise ContentError(
                "a custom trim needs width_mm and height_mm", path, _line_of(text, "custom")
            ) from None
    known = ", ".join([*TRIMS, "custom"])
    raise ContentError(f"unknown trim {name!r} (use {known})", path, _line_of(text, "trim"))


def isbn_valid(isbn: str) -> bool:
    digits = re.sub(r"[\s-]", "", isbn.upper().removeprefix("ISBN"))
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _places_stories(structure: dict[str, Any]) -> bool:
    return any(isinstance(e, dict) and "stories" in e for e in structure.get("body", []))


def _stories_path(
    recipe: dict[str, Any], text: str, recipe_path: Path, override: str | Path | None
) -> Path:
    if override is not None:
        return Path(override)
    if "stories" not in recipe:
        raise ContentError(
            "the recipe places stories but names no stories file: set `stories = ...` "
            "or pass --stories FILE",
            recipe_path,
            _line_of(text, "stories"),
        )
    return Path(os.path.normpath(recipe_path.parent / recipe["stories"]))


# -- chapters ---------------------------------------------------------------------------------


class _Loader:
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
                    _line_of(self.text, entry),
                )
            return sorted(found, key=lambda p: (read_front_matter(p)[0].get("order", 0), p.name))
        return [self.content_dir / entry]

    def chapter(self, entry: Any, kind: Kind) -> Chapter:
        if not isinstance(entry, str):
            raise ContentError(
                f"expected a chapter file name, got {entry!r}",
                self.recipe_path,
                _line_of(self.text, str(entry)),
            )
        path = self.content_dir / entry
        if not path.is_file():
            raise ContentError(
                f"chapter file not found: {path}", self.recipe_path, _line_of(self.text, entry)
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
            raise ContentError(f"`{key}` must be text", path, _line_of(text, f"{key}:"))
    if not data.get("title", "").strip():
        raise ContentError("front matter needs a `title`", path, 2)
    if "order" in data and not isinstance(data["order"], int):
        raise ContentError("`order` must be a whole number", path, _line_of(text, "order:"))
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


def _body(entries: Any, loader: _Loader, story_parts: list[Part]) -> list[Part | Chapter]:
    out: list[Part | Chapter] = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            out.extend(loader.chapters(entry, Kind.history))
        elif "stories" in entry:
            wanted = entry["stories"]
            if wanted == "all":
                out.extend(story_parts)
                continue
            by_title = {p.title: p for p in story_parts}
            for title in [wanted] if isinstance(wanted, str) else wanted:
                if title not in by_title:
                    raise ContentError(
                        f"no part {title!r} in the stories",
                        loader.recipe_path,
                        _line_of(loader.text, title),
                    )
                out.append(by_title[title])
        elif "part" in entry:
            chapters = tuple(loader.chapters(entry.get("chapters", []), Kind.history))
            out.append(
                Part(
                    f"part-h{number}",
                    entry["part"],
                    chapters,
                    Source(str(loader.recipe_path), _line_of(loader.text, entry["part"]) or 1),
                )
            )
        else:
            out.extend(loader.chapters(entry.get("chapters", []), Kind.history))
    return out


def _check_unique_ids(chapters: list[Chapter], body: tuple[Part | Chapter, ...], path: Path):
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


# -- stories ----------------------------------------------------------------------------------


def load_stories(path: str | Path) -> list[Part]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError("stories file not found", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentError(f"invalid JSON: {exc.msg}", path, exc.lineno) from None
    return parse_stories(data, Source(str(path)), text)


def parse_stories(data: Any, source: Source, text: str = "") -> list[Part]:
    """A stories.json document (format version 1) -> parts of story chapters, editors' order."""
    path = source.path
    if not isinstance(data, dict) or data.get("format") != STORIES_FORMAT:
        raise ContentError(f"not a stories file (format must be {STORIES_FORMAT!r})", path, 1)
    if data.get("version") != 1:
        raise ContentError(
            f"unsupported stories file version {data.get('version')!r} (expected 1)",
            path,
            _line_of(text, '"version"'),
        )
    id_lines = _id_lines(text)
    parts = []
    for p_index, part in enumerate(data.get("parts", []), 1):
        chapters = tuple(_story(s, path, id_lines) for s in part.get("stories", []))
        title = str(part.get("title", "")).strip()
        line = _line_of(text, f'"{title}"') or 1 if text else 1
        parts.append(Part(f"part-{p_index}", title, chapters, Source(path, line)))
    return parts


def _id_lines(text: str) -> dict[int, int]:
    """Story id -> line of its `"id": N` in the stories file (one pass over the text)."""
    out: dict[int, int] = {}
    line, position = 1, 0
    for match in re.finditer(r'"id":\s*(\d+)', text):
        line += text.count("\n", position, match.start())
        position = match.start()
        out.setdefault(int(match.group(1)), line)
    return out


def _story(s: Any, path: str, id_lines: dict[int, int]) -> Chapter:
    if not isinstance(s, dict) or not isinstance(s.get("id"), int):
        raise ContentError("a story needs an integer `id`", path, None)
    line = id_lines.get(s["id"], 1)
    for key in ("title", "body", "pen_name"):
        if not isinstance(s.get(key), str) or not s[key].strip():
            raise ContentError(f"story {s['id']} needs `{key}` (text)", path, line)
    consents = tuple(
        Consent(kind, str(c.get("version", "")), str(c.get("accepted_at", "")))
        for kind, c in (s.get("consents") or {}).items()
        if isinstance(c, dict) and c.get("accepted_at")
    )
    privacy = s.get("privacy") or {}
    info = StoryInfo(
        story_id=s["id"],
        pen_name=s["pen_name"].strip(),
        organisation=(s.get("organisation") or "").strip(),
        province=(s.get("province") or "").strip(),
        city=(s.get("city") or "").strip(),
        service_field=s.get("service_field") or "other",
        years_in_practice=s.get("years_in_practice"),
        revision=s.get("revision"),
        submitted_at=s.get("submitted_at"),
        accepted_at=s.get("accepted_at"),
        consents=consents,
        unresolved_flags=int(privacy.get("unresolved_flags") or 0),
        override_reason=privacy.get("override_reason") or None,
    )
    return Chapter(
        id=f"story-{s['id']}",
        kind=Kind.story,
        title=s["title"].strip(),
        body=s["body"],
        source=Source(path, line),
        story=info,
    )


def contributors_of(chapters: list[Chapter]) -> tuple[Contributor, ...]:
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for chapter in chapters:
        if chapter.story is None:
            continue
        s = chapter.story
        grouped.setdefault((s.pen_name, s.organisation, s.region), []).append(chapter.id)
    return sort_contributors([Contributor(*key, tuple(ids)) for key, ids in grouped.items()])
