"""Book settings: everything a recipe holds, kept as immutable revisions of a volume.

`BookSettings.data` is in the recipe's own schema (content/volumes/*.toml, read by
`anthology.sources.recipe`): the top-level keys (title, subtitle, series, editors, publisher,
isbn, isbn_demo, cip, edition, printing, year, price, copyright, description), `page` (trim,
width_mm and height_mm for a custom trim, bleed_mm, and the press's keys), `imprint` (the
imprint page's people and firms: `stories.operations.books.press`) and `fonts` (body, heading,
quote). One
difference: a recipe's `structure` names chapter files, which the website derives from its
chapters (`stories.operations.books.chapters`); the stored `structure` keeps the two choices the
publisher makes: where the stories go (`stories`: after, before or none) and whether the list of
contributors is printed (`contributors`).

`normalise` checks and cleans such data (the form and an imported recipe both go through it);
problems are reported per field, by the form's field names (`FIELDS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from anthology.sources.manuscript import Fonts
from anthology.sources.recipe import TRIMS, isbn_valid
from anthology.text.markdown import clean_text
from stories.models import BookSettings, User, Volume
from stories.operations import OperationError, audit
from stories.operations.books import press

TRIM_NAMES = (*TRIMS, "custom")
STORIES_PLACES = ("after", "before", "none")  # the stories after or before the history parts
FONT_ROLES = ("body", "heading", "quote")
LINES = {"title": 200, "subtitle": 200, "series": 200, "publisher": 200, "isbn": 40,
         "edition": 100, "printing": 100, "price": 100, "copyright": 1000}  # fmt: skip
BLOCKS = {"cip": 5000, "description": 5000}  # several lines, kept as given
EDITORS_MAX, NAME_MAX, FONT_MAX, NOTE_MAX = 20, 100, 100, 500

FIELD_LABELS: dict[str, Any] = {
    "title": _l("Book title"),
    "subtitle": _l("Book subtitle"),
    "series": _l("Series"),
    "editors": _l("Editors (one a line)"),
    "publisher": _l("Publisher (the press)"),
    "isbn": _l("ISBN"),
    "isbn_demo": _l("The ISBN is a demo number (not registered)"),
    "cip": _l("CIP data block (printed as supplied)"),
    "edition": _l("Edition"),
    "printing": _l("Printing"),
    "year": _l("Year"),
    "price": _l("Price"),
    "copyright": _l("Copyright line"),
    "description": _l("Description (for the e-book)"),
    "trim": _l("Trim size"),
    "width_mm": _l("Width (mm, custom trim)"),
    "height_mm": _l("Height (mm, custom trim)"),
    "bleed_mm": _l("Bleed (mm)"),
    "font_body": _l("Body font (Song/Ming)"),
    "font_heading": _l("Heading font (Hei)"),
    "font_quote": _l("Quotation font (Kai)"),
    "contributors": _l("Print the list of contributors"),
    "stories": _l("The stories"),
    **press.LABELS,
}
FIELDS = tuple(FIELD_LABELS)


class SettingsError(OperationError):
    """A change of the book settings was refused."""


class InvalidSettings(SettingsError):
    """Some fields are not valid; `fields` maps a field name (FIELDS) to its message."""

    def __init__(self, fields: Mapping[str, object]) -> None:
        super().__init__(_l("The settings were not saved: please correct the marked fields."))
        self.fields = dict(fields)


class SettingsConflict(SettingsError):
    """Someone saved the settings since the form was opened."""


# --- Checking and cleaning --------------------------------------------------------------------


def _line(value: str) -> str:
    return " ".join(clean_text(value).split())


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _texts(raw: Mapping[str, Any], out: dict[str, Any], problems: dict[str, object]) -> None:
    for key, limit in (*LINES.items(), *BLOCKS.items()):
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems[key] = _l("“%(field)s” must be text.", field=FIELD_LABELS[key])
            continue
        value = _line(value) if key in LINES else clean_text(value).strip()
        if len(value) > limit:
            problems[key] = _l(
                "“%(field)s”: at most %(n)s characters.", field=FIELD_LABELS[key], n=limit
            )
        out[key] = value
    if not out.get("title") and "title" not in problems:
        problems["title"] = _l("The book needs a title.")
    isbn = out.get("isbn", "")
    if isbn and not isbn_valid(isbn):
        digits = "".join(ch for ch in isbn if ch.isdigit())
        if len(digits) == 13 and digits[:3] in ("978", "979"):
            problems["isbn"] = _l(
                "The ISBN %(isbn)s has a wrong check digit: please check the last digit.",
                isbn=isbn,
            )
        else:
            problems["isbn"] = _l(
                "%(isbn)s is not an ISBN-13 (13 digits beginning with 978 or 979).", isbn=isbn
            )


def _editors(value: Any, problems: dict[str, object]) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems["editors"] = _l("“%(field)s” must be text.", field=FIELD_LABELS["editors"])
        return []
    names = [_line(name) for name in value if _line(name)]
    if len(names) > EDITORS_MAX or any(len(name) > NAME_MAX for name in names):
        problems["editors"] = _l(
            "At most %(n)s editors, each at most %(m)s characters.", n=EDITORS_MAX, m=NAME_MAX
        )
    return names


def _flag(raw: Mapping[str, Any], key: str, default: bool, problems: dict[str, object]) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        problems[key] = _l("“%(field)s” must be true or false.", field=FIELD_LABELS[key])
        return default
    return value


def _year(value: Any, problems: dict[str, object]) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1900 <= int(text) <= 2100:
        problems["year"] = _l("The year must be a whole number between 1900 and 2100.")
        return None
    return int(text)


def _page(page: Mapping[str, Any], problems: dict[str, object]) -> dict[str, Any]:
    trim = page.get("trim", "16开")
    if trim not in TRIM_NAMES:
        problems["trim"] = _l("Choose a trim size: 16开, 大32开, A5 or custom.")
        trim = "16开"
    out: dict[str, Any] = {"trim": trim}
    if trim == "custom":
        for key in ("width_mm", "height_mm"):
            size = _number(page.get(key))
            if size is None or not 50 <= size <= 1000:
                problems[key] = _l(
                    "A custom trim needs a width and a height in millimetres (50 to 1000)."
                )
            out[key] = size
    given = page.get("bleed_mm")
    bleed = _number(3 if given is None or given == "" else given)
    if bleed is None or not 0 <= bleed <= 10:
        problems["bleed_mm"] = _l("The bleed must be a number of millimetres from 0 to 10.")
    out["bleed_mm"] = bleed
    return out


def _fonts(fonts: Mapping[str, Any], problems: dict[str, object]) -> dict[str, str]:
    out = {}
    for role in FONT_ROLES:
        value = fonts.get(role) or getattr(Fonts(), role)
        key = f"font_{role}"
        if not isinstance(value, str) or len(_line(value)) > FONT_MAX:
            problems[key] = _l(
                "“%(field)s”: a font family name of at most %(n)s characters.",
                field=FIELD_LABELS[key],
                n=FONT_MAX,
            )
            value = getattr(Fonts(), role)
        out[role] = _line(value)
    return out


def _table(raw: Mapping[str, Any], key: str, problems: dict[str, object], field: str) -> Any:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        problems[field] = _l("“%(field)s” must be a table of settings.", field=key)
        return {}
    return value


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Checked, cleaned settings in the stored form; raises InvalidSettings naming the fields."""
    problems: dict[str, object] = {}
    out: dict[str, Any] = {}
    _texts(raw, out, problems)
    out["editors"] = _editors(raw.get("editors", []), problems)
    out["isbn_demo"] = _flag(raw, "isbn_demo", False, problems)
    out["year"] = _year(raw.get("year"), problems)
    page = _table(raw, "page", problems, "trim")
    out["page"] = _page(page, problems)
    out["page"].update(press.check_page(page, out["page"]["trim"], problems))
    out["imprint"] = press.check_imprint(raw.get("imprint"), problems)
    out["fonts"] = _fonts(_table(raw, "fonts", problems, "font_body"), problems)
    structure = _table(raw, "structure", problems, "stories")
    place = structure.get("stories", "after")
    if place not in STORIES_PLACES:
        problems["stories"] = _l("Choose where the stories go.")
    out["structure"] = {
        "stories": place if place in STORIES_PLACES else "after",
        "contributors": _flag(structure, "contributors", True, problems),
    }
    if problems:
        raise InvalidSettings(problems)
    return out


def defaults(volume: Volume) -> dict[str, Any]:
    """The settings of a volume that has none yet: its working title, the usual choices."""
    return normalise({"title": volume.title[: LINES["title"]] or volume.slug})


# --- The form's flat fields -------------------------------------------------------------------


def _mm(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def to_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored settings as the settings form's fields (FIELDS)."""
    page, fonts, structure = data["page"], data["fonts"], data["structure"]
    values = {key: data.get(key, "") for key in (*LINES, *BLOCKS)}
    values.update(
        editors="\n".join(data.get("editors", [])),
        isbn_demo=bool(data.get("isbn_demo")),
        year="" if data.get("year") is None else str(data["year"]),
        trim=page["trim"],
        width_mm=_mm(page.get("width_mm")),
        height_mm=_mm(page.get("height_mm")),
        bleed_mm=_mm(page.get("bleed_mm")),
        font_body=fonts["body"],
        font_heading=fonts["heading"],
        font_quote=fonts["quote"],
        contributors=bool(structure["contributors"]),
        stories=structure["stories"],
    )
    values.update(press.to_form(data))
    return values


def from_form(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings form's fields as (unchecked) settings data."""
    raw: dict[str, Any] = {key: values.get(key) or "" for key in (*LINES, *BLOCKS)}
    raw.update(
        editors=values.get("editors") or "",
        isbn_demo=bool(values.get("isbn_demo")),
        year=values.get("year") or "",
        page={key: values.get(key) or "" for key in ("trim", "width_mm", "height_mm", "bleed_mm")},
        fonts={role: values.get(f"font_{role}") or "" for role in FONT_ROLES},
        structure={
            "stories": values.get("stories"),
            "contributors": bool(values.get("contributors")),
        },
    )
    raw["imprint"], page = press.from_form(values)
    raw["page"].update(page)
    return raw


def changed_fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """The form fields whose value differs between two stored settings."""
    before = to_form(old) if old else {}
    after = to_form(new)
    return [key for key in FIELDS if before.get(key) != after.get(key)]


# --- Revisions --------------------------------------------------------------------------------


def current(session: Session, volume: Volume) -> BookSettings | None:
    """The volume's latest settings revision, or None when it has none yet."""
    query = select(BookSettings).where(BookSettings.volume_id == volume.id)
    return session.exec(query.order_by(col(BookSettings.number).desc())).first()


def current_data(session: Session, volume: Volume) -> dict[str, Any]:
    """The current settings (the defaults when the volume has no revision yet)."""
    latest = current(session, volume)
    return dict(latest.data) if latest is not None else defaults(volume)


def save(
    session: Session,
    actor: User | None,
    volume: Volume,
    raw: Mapping[str, Any],
    base: int | None = None,
    note: str = "",
) -> BookSettings | None:
    """A new settings revision (None when nothing changed); earlier revisions stay.

    `base` is the revision the form was opened on (0: none yet); another revision saved since
    is a SettingsConflict, so nobody's changes are silently overwritten.
    """
    data = normalise(raw)
    latest = current(session, volume)
    number = latest.number if latest is not None else 0
    if base is not None and base != number:
        raise SettingsConflict(
            _l(
                "Someone else saved these settings meanwhile (now revision %(n)s). Your values "
                "are still in the form: check them and save again.",
                n=number,
            )
        )
    if latest is not None and latest.data == data:
        return None
    changed = changed_fields(latest.data if latest else None, data)
    revision = BookSettings(
        volume_id=volume.id or 0,
        number=number + 1,
        data=data,
        note=_line(note)[:NOTE_MAX],
        created_by_id=actor.id if actor else None,
    )
    session.add(revision)
    session.flush()
    audit.record(
        session,
        actor,
        "book.settings",
        details={"volume": volume.slug, "revision": revision.number, "changed": changed},
    )
    return revision


def save_form(
    session: Session,
    actor: User,
    volume: Volume,
    values: Mapping[str, Any],
    base: int | None,
    note: str = "",
) -> BookSettings | None:
    """`save` with the settings form's flat fields."""
    return save(session, actor, volume, from_form(values), base, note)


@dataclass(frozen=True)
class HistoryRow:
    number: int
    created_at: datetime
    username: str
    note: str
    changed: tuple[str, ...]  # form field names (none for the first revision)


def history(session: Session, volume: Volume) -> list[HistoryRow]:
    """Every settings revision, newest first, with who saved it and what changed."""
    query = (
        select(BookSettings, User.username)
        .join(User, col(BookSettings.created_by_id) == col(User.id), isouter=True)
        .where(BookSettings.volume_id == volume.id)
        .order_by(col(BookSettings.number))
    )
    rows, previous = [], None
    for revision, username in session.exec(query):
        changed: list[str] = changed_fields(previous, revision.data) if previous else []
        rows.append(
            HistoryRow(
                revision.number, revision.created_at, username or "", revision.note, tuple(changed)
            )
        )
        previous = revision.data
    return rows[::-1]
