"""The book settings for the press: the imprint page's people and firms, the paper, the inks,
the press condition and the printer's ICC profile (issue 12); and how the pages are made up:
where stories, parts and history chapters open and how footnotes are numbered (issue 13).

Stored in the recipe's own schema (`anthology.sources.recipe`): `imprint` (responsible_editors,
cover_designers, proofreaders: lists of names; address, postcode, printer, distributor,
seller) and, in `page`, `paper` ("787×1092"), `fold` (开数), `paper_caliper_mm`, `inks`,
`press_condition`, `story_start`, `part_start`, `history_start`, `footnote_numbering` (kept
only when not the builder's default) and `icc_profile` (the name of the uploaded profile in the
profiles folder, `PROFILES_FOLDER`, default `profiles/` in the instance folder;
`sources.write_sources` copies it beside the recipe it writes, where the builder finds it).
`stories.operations.books.settings` calls `check` from `normalise` and the form helpers from
`to_form`/`from_form`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l

from anthology.pdf.inks import profile_problem
from anthology.sources.manuscript import FOOTNOTE_NUMBERINGS, OPENINGS, Openings
from anthology.sources.recipe import FOLDS, INKS, PAPERS
from anthology.text.markdown import clean_text
from stories.operations import OperationError

PEOPLE = ("responsible_editors", "cover_designers", "proofreaders")
TEXTS = {"address": 200, "postcode": 10, "printer": 200, "distributor": 200, "seller": 200}
# Where blocks open (anthology.sources.recipe `_openings`) and the footnotes' numbering.
LAYOUT = {"story_start": OPENINGS, "part_start": ("page", "right"), "history_start": OPENINGS,
          "footnote_numbering": FOOTNOTE_NUMBERINGS}  # fmt: skip
LAYOUT_DEFAULTS = {
    "story_start": Openings().story,
    "part_start": Openings().part,
    "history_start": Openings().history,
    "footnote_numbering": FOOTNOTE_NUMBERINGS[0],
}
PAGE_KEYS = ("paper", "fold", "paper_caliper_mm", "inks", "press_condition", "icc_profile",
             *LAYOUT)  # fmt: skip
PEOPLE_MAX, NAME_MAX, CONDITION_MAX = 10, 100, 100
PROFILE_MAX = 8 * 1024 * 1024
_PAPER = re.compile(r"^\s*(\d{3,4})\s*(?:mm)?\s*[×xX*]\s*(\d{3,4})\s*(?:mm)?\s*$")
_PROFILE_NAME = re.compile(r"^printer-[0-9a-f]{16}\.icc$")

LABELS: dict[str, Any] = {
    "responsible_editors": _l("Responsible editors (责任编辑, one a line)"),
    "cover_designers": _l("Cover design (封面设计, one a line)"),
    "proofreaders": _l("Proofreaders (责任校对, one a line)"),
    "address": _l("Publisher's address"),
    "postcode": _l("Postcode"),
    "printer": _l("Printer (印刷者)"),
    "distributor": _l("Distributor (发行, if not the publisher)"),
    "seller": _l("Seller (经销, e.g. 全国新华书店)"),
    "paper": _l("Paper sheet in mm (e.g. 787×1092)"),
    "fold": _l("Fold (开数)"),
    "paper_caliper_mm": _l("Paper caliper (mm a leaf)"),
    "inks": _l("Inks"),
    "press_condition": _l("Press condition (e.g. FOGRA39)"),
    "icc_profile": _l("The printer's ICC profile"),
    "story_start": _l("Where each story begins"),
    "part_start": _l("Where each part begins"),
    "history_start": _l("Where each history chapter begins"),
    "footnote_numbering": _l("Footnote numbers"),
}


class ProfileRefused(OperationError):
    """An uploaded ICC profile cannot serve as the print PDF's output intent."""


def _line(value: Any) -> str:
    return " ".join(clean_text(str(value)).split())


def _names(value: Any, key: str, problems: dict[str, object]) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems[key] = _l("“%(field)s” must be text.", field=LABELS[key])
        return []
    names = [_line(name) for name in value if _line(name)]
    if len(names) > PEOPLE_MAX or any(len(name) > NAME_MAX for name in names):
        problems[key] = _l(
            "At most %(n)s names, each at most %(m)s characters.", n=PEOPLE_MAX, m=NAME_MAX
        )
    return names


def check_imprint(raw: Any, problems: dict[str, object]) -> dict[str, Any]:
    """The stored `imprint` table (empty values left out)."""
    raw = raw if isinstance(raw, Mapping) else {}
    out: dict[str, Any] = {}
    for key in PEOPLE:
        names = _names(raw.get(key) or [], key, problems)
        if names:
            out[key] = names
    for key, limit in TEXTS.items():
        value = _line(raw.get(key) or "")
        if len(value) > limit:
            problems[key] = _l("“%(field)s”: at most %(n)s characters.", field=LABELS[key],
                               n=limit)  # fmt: skip
        if key == "postcode" and value and not value.isdigit():
            problems[key] = _l("A postcode is digits only (six in China).")
        if value:
            out[key] = value
    return out


def check_page(page: Mapping[str, Any], trim: str, problems: dict[str, object]) -> dict[str, Any]:
    """The press keys of the stored `page` table (empty values left out)."""
    out: dict[str, Any] = {}
    paper = _line(page.get("paper") or "")
    if paper:
        match = _PAPER.match(paper)
        if match:
            out["paper"] = f"{match.group(1)}×{match.group(2)}"
        else:
            problems["paper"] = _l("The paper sheet is its width × height in mm, e.g. 787×1092.")
    fold = page.get("fold")
    if fold not in (None, ""):
        number = int(fold) if str(fold).strip().isdigit() else None
        if number not in FOLDS:
            problems["fold"] = _l("Choose a fold: %(folds)s.", folds=", ".join(map(str, FOLDS)))
        else:
            out["fold"] = number
    elif paper and trim not in PAPERS:
        problems["fold"] = _l("A custom trim's paper needs its fold (开数).")
    caliper = page.get("paper_caliper_mm")
    if caliper not in (None, ""):
        try:
            value = float(str(caliper).strip())
        except ValueError:
            value = -1.0
        if not 0.02 <= value <= 1.0:
            problems["paper_caliper_mm"] = _l(
                "The caliper is one leaf's thickness in mm, from 0.02 to 1 (about 0.1 for 80 g "
                "offset paper): ask the printer."
            )
        else:
            out["paper_caliper_mm"] = value
    inks = page.get("inks") or "cmyk"
    if inks not in INKS:
        problems["inks"] = _l("Choose the inks: four colours or one colour (grey).")
    elif inks != "cmyk":
        out["inks"] = inks
    condition = _line(page.get("press_condition") or "")
    if len(condition) > CONDITION_MAX or not re.fullmatch(r"[\w .+()-]*", condition):
        problems["press_condition"] = _l(
            "A press condition is a registered name such as FOGRA39 or FOGRA51."
        )
    elif condition:
        out["press_condition"] = condition
    profile = page.get("icc_profile") or ""
    if profile:
        if not isinstance(profile, str) or not _PROFILE_NAME.match(profile):
            problems["icc_profile"] = _l("Upload the printer's ICC profile on the settings page.")
        else:
            out["icc_profile"] = profile
    out.update(_layout(page, problems))
    return out


def _layout(page: Mapping[str, Any], problems: dict[str, object]) -> dict[str, str]:
    """The openings and the footnote numbering (left out when the builder's default)."""
    out = {}
    for key, allowed in LAYOUT.items():
        value = page.get(key) or LAYOUT_DEFAULTS[key]
        if value not in allowed:
            problems[key] = _l("Choose one of the offered values for “%(field)s”.",
                               field=LABELS[key])  # fmt: skip
        elif value != LAYOUT_DEFAULTS[key]:
            out[key] = value
    return out


def to_form(data: Mapping[str, Any]) -> dict[str, Any]:
    imprint, page = data.get("imprint") or {}, data.get("page") or {}
    values: dict[str, Any] = {key: "\n".join(imprint.get(key, [])) for key in PEOPLE}
    values.update({key: imprint.get(key, "") for key in TEXTS})
    values.update(
        paper=page.get("paper", ""),
        fold="" if page.get("fold") is None else str(page["fold"]),
        paper_caliper_mm="" if page.get("paper_caliper_mm") is None
        else f"{page['paper_caliper_mm']:g}",
        inks=page.get("inks", "cmyk"),
        press_condition=page.get("press_condition", ""),
        icc_profile=page.get("icc_profile", ""),
    )  # fmt: skip
    values.update({key: page.get(key, LAYOUT_DEFAULTS[key]) for key in LAYOUT})
    return values


def from_form(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the imprint table, the press keys of the page table) from the form's fields."""
    imprint = {key: values.get(key) or "" for key in (*PEOPLE, *TEXTS)}
    page = {key: values.get(key) or "" for key in PAGE_KEYS}
    return imprint, page


# --- The printer's ICC profile ----------------------------------------------------------------


def store_profile(folder: Path, data: bytes, filename: str = "") -> str:
    """Keep an uploaded profile in `folder` under a name made of its digest; returns the name.
    A profile that is not a CMYK printer profile littleCMS can use is refused."""
    if not data:
        raise ProfileRefused(_l("The profile file is empty."))
    if len(data) > PROFILE_MAX:
        raise ProfileRefused(_l("An ICC profile of more than 8 MB is not a printer's profile."))
    name = f"printer-{hashlib.sha256(data).hexdigest()[:16]}.icc"
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".profile-", dir=folder)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    problem = profile_problem(Path(temporary))
    if problem:
        os.unlink(temporary)
        raise ProfileRefused(
            _l("%(file)s cannot be used as the printer's profile: %(problem)s",
               file=filename or _l("The file"), problem=problem)
        )  # fmt: skip
    os.replace(temporary, folder / name)
    return name


def profile_path(folder: Path, name: str) -> Path:
    if not _PROFILE_NAME.match(name):
        raise ProfileRefused(_l("Upload the printer's ICC profile on the settings page."))
    return folder / name
