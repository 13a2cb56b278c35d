"""The volume's recipe (content/volumes/<slug>.toml): its TOML, the book data (VolumeMeta) and
where it says the stories are. Recipes have no line information of their own: `line_of` finds the
line an error is about.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from anthology.errors import ContentError
from anthology.sources.manuscript import (
    FOOTNOTE_NUMBERINGS,
    OPENINGS,
    Fonts,
    Imprint,
    Openings,
    Paper,
    Source,
    Trim,
    VolumeMeta,
)

TRIMS = {"16开": (185.0, 260.0), "大32开": (140.0, 203.0), "A5": (148.0, 210.0)}
# The sheet each named trim is cut from and its fold (开数), as Chinese printers use them.
PAPERS = {"16开": (787, 1092, 16), "大32开": (850, 1168, 32), "A5": (880, 1230, 32)}
FOLDS = (8, 12, 16, 18, 20, 24, 32, 36, 40, 48, 64)
IMPRINT_PEOPLE = ("responsible_editors", "cover_designers", "proofreaders")
IMPRINT_TEXTS = ("address", "postcode", "printer", "distributor", "seller")
_PAPER = re.compile(r"^\s*(\d{3,4})\s*(?:mm)?\s*[×xX*]\s*(\d{3,4})\s*(?:mm)?\s*$")


def read_recipe(path: Path) -> tuple[dict[str, Any], str]:
    """The recipe as data, and its text (for line numbers)."""
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


def line_of(text: str, needle: str) -> int | None:
    """The first line of `text` that contains `needle` (recipes and JSON have no line info)."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    return None


def volume_meta(recipe: dict[str, Any], text: str, path: Path) -> VolumeMeta:
    def need(key: str) -> str:
        value = recipe.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"the recipe needs `{key}` (text)", path, line_of(text, key))
        return value.strip()

    def opt(key: str) -> str:
        value = recipe.get(key, "")
        if not isinstance(value, str):
            raise ContentError(f"`{key}` must be text", path, line_of(text, key))
        return value.strip()

    isbn = opt("isbn")
    if isbn and not isbn_valid(isbn):
        raise ContentError(f"invalid ISBN-13 {isbn!r} (check digit)", path, line_of(text, isbn))
    page = recipe.get("page", {})
    fonts = recipe.get("fonts", {})
    icc = page.get("icc_profile", "")
    editors = recipe.get("editors", [])
    if isinstance(editors, str):
        editors = [editors]
    trim = _trim(page, text, path)
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
        trim=trim,
        bleed_mm=float(page.get("bleed_mm", 3)),
        paper=_paper(page, trim, text, path),
        caliper_mm=_caliper(page, text, path),
        imprint=_imprint(recipe.get("imprint", {}), text, path),
        cover_image=_cover(opt("cover_image"), text, path),
        fonts=Fonts(**{k: v for k, v in fonts.items() if k in ("body", "heading", "quote")}),
        icc_profile=str((path.parent / icc).resolve()) if icc else "",
        inks=_inks(page, text, path),
        press_condition=str(page.get("press_condition", "")).strip(),
        language=recipe.get("language", "zh-CN"),
        description=opt("description"),
        cover=_cover(opt("cover"), text, path),
        source=Source(str(path)),
        openings=_openings(page, text, path),
        footnote_numbering=_footnote_numbering(page, text, path),
    )


def _footnote_numbering(page: dict[str, Any], text: str, path: Path) -> str:
    """`[page] footnote_numbering`: page (① again on every page, the default) or chapter."""
    value = page.get("footnote_numbering", FOOTNOTE_NUMBERINGS[0])
    if value not in FOOTNOTE_NUMBERINGS:
        raise ContentError(
            f"unknown footnote_numbering {value!r} (use {', '.join(FOOTNOTE_NUMBERINGS)})",
            path, line_of(text, "footnote_numbering"),
        )  # fmt: skip
    return value


def _openings(page: dict[str, Any], text: str, path: Path) -> Openings:
    """`[page] story_start`, `part_start`, `history_start`: page (next page), right (a right-hand
    page) or same (on the same page under a rule; not for parts)."""
    chosen = {}
    for kind, default in (("story", "page"), ("part", "right"), ("history", "right")):
        key = f"{kind}_start"
        value = page.get(key, default)
        allowed = OPENINGS if kind != "part" else ("page", "right")
        if value not in allowed:
            raise ContentError(
                f"unknown {key} {value!r} (use {', '.join(allowed)})", path, line_of(text, key)
            )
        chosen[kind] = value
    return Openings(**chosen)


def _cover(name: str, text: str, path: Path) -> str:
    """The recipe's `cover` image (relative to the recipe), which must exist."""
    if not name:
        return ""
    cover = (path.parent / name).resolve()
    if not cover.is_file():
        raise ContentError(f"cover image not found: {cover}", path, line_of(text, name))
    return str(cover)


def _paper(page: dict[str, Any], trim: Trim, text: str, path: Path) -> Paper | None:
    """`[page] paper = "787×1092"` (mm) and `fold = 16` (开数); the named trims have defaults."""
    default = PAPERS.get(trim.name)
    given = page.get("paper")
    if given is None:
        if default is None:
            return None
        width, height, fold = default
    else:
        match = _PAPER.match(str(given))
        if not match:
            raise ContentError(
                f"`paper` must be the sheet's size in mm, e.g. \"787×1092\", not {given!r}",
                path, line_of(text, "paper"),
            )  # fmt: skip
        width, height = int(match.group(1)), int(match.group(2))
        fold = default[2] if default else 0
    fold = page.get("fold", fold)
    if fold not in FOLDS:
        raise ContentError(
            f"`fold` (开数) must be one of {', '.join(map(str, FOLDS))}, not {fold!r}",
            path, line_of(text, "fold") or line_of(text, "paper"),
        )  # fmt: skip
    return Paper(width, height, fold)


def _caliper(page: dict[str, Any], text: str, path: Path) -> float:
    """One leaf's thickness in mm: `paper_caliper_mm`, else from `pages_per_cm` (0: not given)."""
    for key in ("paper_caliper_mm", "pages_per_cm"):
        value = page.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ContentError(f"`{key}` must be a positive number", path, line_of(text, key))
        caliper = float(value) if key == "paper_caliper_mm" else 20.0 / value
        if not 0.02 <= caliper <= 1.0:
            raise ContentError(
                f"`{key}` gives {caliper:.3f} mm a leaf: a book paper is 0.02 to 1 mm thick",
                path, line_of(text, key),
            )  # fmt: skip
        return round(caliper, 4)
    return 0.0


def _imprint(table: Any, text: str, path: Path) -> Imprint:
    """`[imprint]`: the people (a name or a list) and the firms of the imprint page."""
    if not isinstance(table, dict):
        raise ContentError("[imprint] must be a table", path, line_of(text, "imprint"))
    values: dict[str, Any] = {}
    for key in IMPRINT_PEOPLE:
        names = table.get(key, [])
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ContentError(f"`{key}` must be a name or a list of names", path,
                               line_of(text, key))  # fmt: skip
        values[key] = tuple(n.strip() for n in names if n.strip())
    for key in IMPRINT_TEXTS:
        value = table.get(key, "")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ContentError(f"`{key}` must be text", path, line_of(text, key))
        values[key] = str(value).strip()
    return Imprint(**values)


INKS = ("cmyk", "grey")


def _inks(page: dict[str, Any], text: str, path: Path) -> str:
    """`[page] inks`: "cmyk" (the default) or "grey" for a book printed in one colour."""
    inks = page.get("inks", "cmyk")
    if inks not in INKS:
        raise ContentError(f"unknown inks {inks!r} (use cmyk or grey)", path, line_of(text, "inks"))
    return inks


def _trim(page: dict[str, Any], text: str, path: Path) -> Trim:
    name = page.get("trim", "16开")
    if name in TRIMS:
        return Trim(name, *TRIMS[name])
    if name == "custom":
        try:
            return Trim(name, float(page["width_mm"]), float(page["height_mm"]))
        except (KeyError, TypeError, ValueError):
            raise ContentError(
                "a custom trim needs width_mm and height_mm", path, line_of(text, "custom")
            ) from None
    known = ", ".join([*TRIMS, "custom"])
    raise ContentError(f"unknown trim {name!r} (use {known})", path, line_of(text, "trim"))


def isbn_valid(isbn: str) -> bool:
    digits = re.sub(r"[\s-]", "", isbn.upper().removeprefix("ISBN"))
    if not re.fullmatch(r"97[89]\d{10}", digits):
        return False
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def places_stories(structure: dict[str, Any]) -> bool:
    return any(isinstance(e, dict) and "stories" in e for e in structure.get("body", []))


def stories_file(
    recipe: dict[str, Any], text: str, recipe_path: Path, override: str | Path | None
) -> Path:
    if override is not None:
        return Path(override)
    if "stories" not in recipe:
        raise ContentError(
            "the recipe places stories but names no stories file: set `stories = ...` "
            "or pass --stories FILE",
            recipe_path,
            line_of(text, "stories"),
        )
    return Path(os.path.normpath(recipe_path.parent / recipe["stories"]))
