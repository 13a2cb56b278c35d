"""Recipes (content/volumes/<slug>.toml) in and out of the website.

`recipe_document` / `recipe_text` write a volume's settings and chapter list as a recipe, the
structure naming the chapter files `<section>/<name>.md`. `import_upload` reads a recipe sent
from the book page (with its chapter files, if they are sent along), `import_file` one on disk
(`flask demo load`). Reading goes through anthology's own reader (`read_recipe`, `volume_meta`,
the chapter loader), so the website takes exactly what `build.py` takes; its errors, which name
the file and line, are put in plain words (`stories.operations.books.problems`).
"""

from __future__ import annotations

import fnmatch
import posixpath
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from anthology.errors import ContentError
from anthology.sources import CONTRIBUTORS
from anthology.sources.chapters import Loader
from anthology.sources.manuscript import Chapter, Kind
from anthology.sources.recipe import read_recipe, volume_meta
from stories.db import utcnow
from stories.models import ChapterSection, ChapterSource, User, Volume
from stories.operations import OperationError, audit
from stories.operations.books import chapters, contents, press, settings
from stories.operations.books.problems import Where, content_problem, field_problems

SETTINGS_KEYS = (*settings.LINES, *settings.BLOCKS, "editors", "isbn_demo", "year")
KNOWN = {*SETTINGS_KEYS, "slug", "stories", "content", "page", "fonts", "structure", "cover",
         "language", "imprint"}  # fmt: skip
PAGE_KEYS = ("trim", "bleed_mm", "width_mm", "height_mm", *press.PAGE_KEYS)
GLOB = set("*?[")


class RecipeError(OperationError):
    """The recipe cannot be imported; `problems` says what is wrong, and where, in plain words."""

    def __init__(self, problems: list[object]) -> None:
        super().__init__(_l("The recipe was not imported; nothing was changed."))
        self.problems = problems


# --- Writing ----------------------------------------------------------------------------------


def _file(row: contents.ChapterRow) -> str:
    return f"{row.section.value}/{row.name}.md"


def recipe_document(
    slug: str, data: Mapping[str, Any], book: contents.Structure, stories: str
) -> dict[str, Any]:
    """Settings + chapter list in the recipe schema (empty values left out: TOML has no null)."""
    doc: dict[str, Any] = {"slug": slug}
    for key in SETTINGS_KEYS:
        value = data.get(key)
        if value not in (None, "", [], False):
            doc[key] = value
    doc["stories"] = stories
    doc["page"] = {k: v for k, v in data["page"].items() if v is not None}
    if data.get("imprint"):
        doc["imprint"] = dict(data["imprint"])
    doc["fonts"] = dict(data["fonts"])
    history = [
        ({"part": part.title} if part.title else {})
        | {"chapters": [_file(c) for c in part.chapters]}
        for part in book.history
    ]
    around = history or [{"chapters": []}]  # keeps the stories' side without history chapters
    body = {"after": [*around, {"stories": "all"}], "before": [{"stories": "all"}, *around],
            "none": history}[data["structure"]["stories"]]  # fmt: skip
    doc["structure"] = {
        "front": [_file(c) for c in book.front],
        "body": body,
        "back": ([CONTRIBUTORS] if data["structure"]["contributors"] else [])
        + [_file(c) for c in book.back],
    }
    return doc


def recipe_text(session: Session, volume: Volume, stories: str | None = None) -> str:
    """The volume's recipe. `stories` is where the recipe says the stories file is (default:
    `../<slug>/stories.json`, as in content/)."""
    data = settings.current_data(session, volume)
    book = contents.structure(session, volume)
    doc = recipe_document(volume.slug, data, book, stories or f"../{volume.slug}/stories.json")
    stamp = utcnow().strftime("%Y-%m-%d %H:%M UTC")
    header = f"# The recipe of the volume {volume.slug}, written by the website on {stamp}.\n"
    return header + tomli_w.dumps(doc, multiline_strings=True)


def export_recipe(session: Session, actor: User, volume: Volume) -> str:
    """The recipe as a download (an audit event)."""
    text = recipe_text(session, volume)
    audit.record(session, actor, "book.recipe_export", details={"volume": volume.slug})
    return text


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A chapter file (or glob) named by the recipe's structure."""

    section: ChapterSection
    part_title: str
    name: str  # as the recipe writes it, relative to the content folder


@dataclass
class Plan:
    settings: dict[str, Any]
    entries: list[Entry]
    notices: list[object] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    settings_revision: int | None  # None: the settings were already the same
    chapters_imported: bool  # False: only the settings (no chapter files were given)
    added: int = 0
    changed: int = 0
    removed: int = 0
    named: int = 0  # chapter files the recipe names
    notices: tuple[object, ...] = ()


def _table(recipe: dict[str, Any], key: str, where: Where) -> dict[str, Any]:
    value = recipe.get(key, {})
    if not isinstance(value, dict):
        raise RecipeError([where.at(key, _l("“%(key)s” must be a table of settings.", key=key))])
    return value


def _plan(recipe: dict[str, Any], text: str, path: Path, volume: Volume, where: Where) -> Plan:
    """Settings and chapter entries of a recipe, checked; raises RecipeError."""
    notices: list[object] = []
    page, fonts = _table(recipe, "page", where), _table(recipe, "fonts", where)
    structure = _table(recipe, "structure", where)
    ignored = [key for key in recipe if key not in KNOWN]
    ignored += [f"page.{k}" for k in page if k not in PAGE_KEYS or k == "icc_profile"]
    ignored += [f"fonts.{k}" for k in fonts if k not in settings.FONT_ROLES]
    ignored += [key for key in ("cover",) if key in recipe]
    ignored += ["language"] if recipe.get("language", "zh-CN") != "zh-CN" else []
    if ignored:
        notices.append(_l("Not kept by the website: %(keys)s.", keys=", ".join(ignored)))
    entries, place, contributors = _structure(structure, where, notices)
    raw = {key: recipe[key] for key in SETTINGS_KEYS if key in recipe}
    if not raw.get("title"):
        raw["title"] = volume.title
    kept = {k: v for k, v in page.items() if k in PAGE_KEYS and k != "icc_profile"}
    raw.update(page=kept, fonts=fonts, structure={"stories": place, "contributors": contributors},
               imprint=_table(recipe, "imprint", where))  # fmt: skip
    try:
        data = settings.normalise(raw)
    except settings.InvalidSettings as error:
        raise RecipeError(field_problems(error.fields, where)) from None
    checked = {k: v for k, v in recipe.items() if k not in ("cover", "content")}
    checked.update(title=data["title"], page={k: v for k, v in page.items() if k != "icc_profile"})
    try:  # anthology's own checks: the build will accept what is imported
        volume_meta(checked, text, path)
    except ContentError as error:
        raise RecipeError([content_problem(error, where)]) from None
    return Plan(data, entries, notices)


def _safe(name: str) -> bool:
    """A chapter file's name that stays inside the content folder."""
    parts = Path(name).parts
    return bool(name.strip()) and not Path(name).is_absolute() and ".." not in parts


def _files(value: Any, key: str, where: Where) -> list[str]:
    files = [value] if isinstance(value, str) else value
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise RecipeError([where.at(key, _l("“%(key)s” must name chapter files.", key=key))])
    for name in files:
        if not _safe(name):
            raise RecipeError(
                [where.at(name, _l("%(name)s cannot be a chapter file's name.", name=name))]
            )
    return files


def _structure(
    structure: dict[str, Any], where: Where, notices: list[object]
) -> tuple[list[Entry], str, bool]:
    """The chapter entries, where the stories go and whether the contributors are listed."""
    entries = [Entry(ChapterSection.front, "", n) for n in _files(structure.get("front", []),
               "front", where)]  # fmt: skip
    body = structure.get("body", [])
    if not isinstance(body, list):
        raise RecipeError([where.at("body", _l("“%(key)s” must be a list.", key="body"))])
    place, seen_history = "none", False
    for item in body:
        if isinstance(item, dict) and "stories" in item:
            if place == "none":
                place = "after" if seen_history else "before"
            if item["stories"] != "all":
                notices.append(_l("The website places all the stories of the volume."))
            continue
        seen_history = True
        if isinstance(item, str):
            entries.append(Entry(ChapterSection.history, "", _files(item, "body", where)[0]))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("part", ""), str):
            raise RecipeError([where.at("body", _l("This entry of the body is not understood."))])
        part = " ".join(item.get("part", "").split())
        for name in _files(item.get("chapters", []), "chapters", where):
            entries.append(Entry(ChapterSection.history, part, name))
    back = _files(structure.get("back", []), "back", where)
    entries += [Entry(ChapterSection.back, "", n) for n in back if n != CONTRIBUTORS]
    return entries, place, CONTRIBUTORS in back


def _load(entries: list[Entry], loader: Loader, where: Where) -> list[tuple[Entry, Chapter]]:
    """The chapter files the entries name (globs sorted by `order`), read by anthology."""
    kinds = {ChapterSection.front: Kind.front, ChapterSection.history: Kind.history,
             ChapterSection.back: Kind.back}  # fmt: skip
    found: list[tuple[Entry, Chapter]] = []
    for entry in entries:
        try:
            if GLOB & set(entry.name):
                if not list(loader.content_dir.glob(entry.name)):
                    raise RecipeError([where.at(entry.name, _l(
                        "No chapter file matches %(name)s.", name=entry.name))])  # fmt: skip
                paths = loader.paths(entry.name)
                names = [str(p.relative_to(loader.content_dir)) for p in paths]
            elif not (loader.content_dir / entry.name).is_file():
                raise RecipeError([where.at(entry.name, where.missing(entry.name))])
            else:
                names = [entry.name]
            for name in names:
                chapter = loader.chapter(name, kinds[entry.section])
                found.append((Entry(entry.section, entry.part_title, name), chapter))
        except ContentError as error:
            raise RecipeError([content_problem(error, where)]) from None
    seen: set[tuple[ChapterSection, str]] = set()
    for entry, chapter in found:
        key = (entry.section, Path(entry.name).stem)
        if key in seen:
            raise RecipeError([where.at(entry.name, _l(
                "The chapter file %(name)s is named twice.", name=entry.name))])  # fmt: skip
        seen.add(key)
        _check_chapter(entry, chapter, where)
    return found


def _check_chapter(entry: Entry, chapter: Chapter, where: Where) -> None:
    """What the website would refuse in a chapter, said before anything is changed."""
    problems: dict[str, object] = {}
    if not chapters.NAME.match(Path(entry.name).stem):
        problems["name"] = _l("%(name)s cannot be a chapter file's name.", name=entry.name)
    if len(entry.part_title) > chapters.TITLE_MAX:
        problems["part_title"] = _l("At most %(n)s characters.", n=chapters.TITLE_MAX)
    text = chapters.ChapterText(chapter.title, chapter.body, chapter.subtitle, chapter.author)
    try:
        chapters.check_text(text)
    except chapters.InvalidChapter as error:
        problems.update(error.fields)
    if problems:
        raise RecipeError([
            _l("The chapter file %(name)s: %(problem)s", name=entry.name, problem=message)
            for message in problems.values()
        ])  # fmt: skip


def _apply_chapters(
    session: Session, actor: User | None, volume: Volume, found: list[tuple[Entry, Chapter]]
) -> tuple[int, int, int]:
    """The volume's chapters become the recipe's: (added, changed, removed)."""
    existing = {(c.section, c.name): c for c in contents.all_chapters(session, volume)}
    added = changed = 0
    rows = []
    for entry, chapter in found:
        key = (entry.section, Path(entry.name).stem)
        text = chapters.ChapterText(chapter.title, chapter.body, chapter.subtitle, chapter.author)
        row = existing.get(key)
        if row is None:
            row = chapters.add_chapter(
                session, actor, volume, entry.section, entry.part_title, text,
                ChapterSource.recipe, name=key[1], note="imported from a recipe",
            )  # fmt: skip
            added += 1
        elif chapters.new_revision(
            session, actor, row, text, ChapterSource.recipe, "imported from a recipe"
        ):
            changed += 1
        rows.append((key, row, entry.part_title))
    for position, (_key, row, part_title) in enumerate(rows, 1):  # the recipe's order
        row.part_title, row.removed_at, row.position = part_title, None, position
        session.add(row)
    wanted = {key for key, _row, _part in rows}
    removed = 0
    for key, row in existing.items():
        if key not in wanted and row.removed_at is None:
            row.removed_at = utcnow()
            session.add(row)
            removed += 1
    session.flush()
    for section in ChapterSection:
        contents.renumber(session, volume, section)
    return added, changed, removed


def _import(
    session: Session,
    actor: User | None,
    volume: Volume,
    path: Path,
    where: Where,
    content_dir: Path | None = None,
    uploads: Mapping[str, bytes] | None = None,
) -> ImportResult:
    try:
        recipe, text = read_recipe(path)
    except ContentError as error:
        raise RecipeError([content_problem(error, where)]) from None
    where.text = text
    plan = _plan(recipe, text, path, volume, where)
    if uploads:
        content_dir = where.root
        unused = _place_uploads(plan.entries, content_dir, uploads)
        if unused:
            plan.notices.append(_l("Not named by the recipe: %(files)s.", files=", ".join(unused)))
    found = None
    if content_dir is not None:
        found = _load(plan.entries, Loader(path, text, content_dir), where)
    revision = settings.save(session, actor, volume, plan.settings, note="imported from a recipe")
    counts = (0, 0, 0) if found is None else _apply_chapters(session, actor, volume, found)
    audit.record(
        session,
        actor,
        "book.recipe_import",
        details={"volume": volume.slug, "revision": revision.number if revision else None,
                 "added": counts[0], "changed": counts[1], "removed": counts[2]},
    )  # fmt: skip
    return ImportResult(
        revision.number if revision else None, found is not None, *counts,
        named=len(plan.entries), notices=tuple(plan.notices),
    )  # fmt: skip


def import_file(session: Session, actor: User | None, volume: Volume, path: Path) -> ImportResult:
    """A recipe on disk with the chapter files it names (its `content` folder, default `..`)."""
    try:
        recipe, _text = read_recipe(path)
    except ContentError as error:
        raise RecipeError([content_problem(error, Where(path.parent))]) from None
    content_dir = (path.parent / str(recipe.get("content", ".."))).resolve()
    return _import(session, actor, volume, path, Where(content_dir), content_dir)


def import_upload(
    session: Session,
    actor: User,
    volume: Volume,
    recipe: bytes,
    uploads: Mapping[str, bytes] | None = None,
) -> ImportResult:
    """A recipe sent from the book page; with chapter files (by their file names) the volume's
    chapters become the recipe's, without them only the settings are imported."""
    with tempfile.TemporaryDirectory(prefix="recipe-") as folder:
        path = Path(folder) / "volumes" / f"{volume.slug}.toml"
        path.parent.mkdir()
        path.write_bytes(recipe)
        where = Where(Path(folder), uploaded=True)
        return _import(session, actor, volume, path, where, uploads=uploads)


def _place_uploads(entries: list[Entry], root: Path, uploads: Mapping[str, bytes]) -> list[str]:
    """Put each uploaded chapter file where the recipe names it (named files before globs);
    returns the names of those it does not name."""
    used: set[str] = set()
    ordered = sorted(entries, key=lambda entry: bool(GLOB & set(entry.name)))
    for entry in ordered:
        folder, pattern = posixpath.split(entry.name)
        for upload, data in uploads.items():
            if upload in ("", ".", "..") or set(upload) & set("/\\\0"):
                continue  # not a file name (the browser sends the name alone)
            if GLOB & set(pattern):
                wanted = upload not in used and fnmatch.fnmatch(upload, pattern)
            else:
                wanted = upload == pattern
            if wanted:
                target = root / folder / upload
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                used.add(upload)
    return sorted(set(uploads) - used)
