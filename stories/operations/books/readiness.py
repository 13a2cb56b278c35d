"""Is the volume ready to become a book? What would stop its build, and what it will leave out.

Read before a build, on the volume page, in plain words: each item names what to fix and where
(a story, the book settings, the chapters). Nothing here changes anything; the build itself runs
the same checks again (anthology's publication gate, the font check) and refuses the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from anthology.errors import FontError
from anthology.fonts.families import resolve
from anthology.sources.manuscript import Fonts
from anthology.sources.recipe import isbn_valid
from stories.labels import status_label
from stories.models import (
    Consent,
    ConsentKind,
    Decision,
    DecisionAction,
    FlagStatus,
    PrivacyFlag,
    Story,
    StoryStatus,
    Volume,
    VolumeEntry,
)
from stories.operations import pictures
from stories.operations.books import contents, settings


@dataclass(frozen=True)
class Item:
    """One thing to say: its message, and what it is about (`story` with an id, `settings`,
    `chapters`) so that the page can link to the place where it is fixed."""

    message: object
    about: str
    story_id: int | None = None


@dataclass(frozen=True)
class Readiness:
    blocking: list[Item] = field(default_factory=list)  # the build would be refused
    left_out: list[Item] = field(default_factory=list)  # placed, but not in the book
    notes: list[Item] = field(default_factory=list)  # the book is built, but look at this

    @property
    def ready(self) -> bool:
        return not self.blocking


def check(session: Session, volume: Volume) -> Readiness:
    out = Readiness()
    data = settings.current_data(session, volume)
    _settings(data, out)
    _fonts(data, out)
    placed = _placed(session, volume)
    accepted = [story for story in placed if story.status == StoryStatus.accepted]
    for story in placed:
        if story.status != StoryStatus.accepted:
            out.left_out.append(Item(
                _l("《%(title)s》 is placed here but no longer accepted (%(status)s): it is left "
                   "out until it is accepted again.", title=story.title,
                   status=status_label(story.status)),
                "story", story.id,
            ))  # fmt: skip
    _gate(session, accepted, out)
    structure = contents.structure(session, volume)
    if accepted and structure.stories == "none":
        out.left_out.append(Item(_l("The book settings print no stories: the %(n)s accepted "
                                    "stories placed here are left out.", n=len(accepted)),
                                 "settings"))  # fmt: skip
    if not accepted and not structure.chapters():
        empty = _l("The book is empty: place accepted stories or write a chapter.")
        out.blocking.append(Item(empty, "chapters"))
    return out


def _settings(data: dict[str, Any], out: Readiness) -> None:
    isbn = (data.get("isbn") or "").strip()
    if not isbn:
        out.notes.append(Item(_l("The book has no ISBN yet: the imprint page and the e-book will "
                                 "print none."), "settings"))  # fmt: skip
    elif not isbn_valid(isbn):
        out.blocking.append(Item(_l("The ISBN %(isbn)s has a wrong check digit.", isbn=isbn),
                                 "settings"))  # fmt: skip
    if not (data.get("publisher") or "").strip():
        out.notes.append(Item(_l("No publisher is named on the title page."), "settings"))


def _fonts(data: dict[str, Any], out: Readiness) -> None:
    chosen = data.get("fonts") or {}
    fonts = Fonts(**{k: v for k, v in chosen.items() if k in ("body", "heading", "quote") and v})
    try:
        _resolved, warnings = resolve(fonts)
    except FontError as error:
        out.blocking.append(Item(_l("A font of the book is not installed on the server: %(what)s",
                                    what=error.message), "settings"))  # fmt: skip
        return
    for warning in warnings:
        out.notes.append(Item(_l("Fonts: %(what)s", what=warning.message), "settings"))


def _placed(session: Session, volume: Volume) -> list[Story]:
    query = (
        select(Story)
        .join(VolumeEntry, col(VolumeEntry.story_id) == col(Story.id))
        .where(VolumeEntry.volume_id == volume.id)
        .order_by(col(Story.id))
    )
    return list(session.exec(query))


def _gate(session: Session, stories: list[Story], out: Readiness) -> None:
    """The publication gate: both consents, and no open privacy flag unless an admin accepted the
    story past the gate with a written reason (anthology refuses the rest)."""
    ids = [story.id for story in stories if story.id is not None]
    if not ids:
        return
    open_flags = dict(session.exec(
        select(PrivacyFlag.story_id, func.count())
        .where(col(PrivacyFlag.story_id).in_(ids), PrivacyFlag.status == FlagStatus.open)
        .group_by(col(PrivacyFlag.story_id))
    ).all())  # fmt: skip
    consents: dict[int, set[ConsentKind]] = {}
    for story_id, kind in session.exec(
        select(Consent.story_id, Consent.kind).where(col(Consent.story_id).in_(ids))
    ):
        consents.setdefault(story_id, set()).add(kind)
    overridden = _overridden(session, ids)
    for story in stories:
        if open_flags.get(story.id or 0) and story.id not in overridden:
            out.blocking.append(Item(
                _l("《%(title)s》 has %(n)s open privacy flags: pseudonymise or dismiss them.",
                   title=story.title, n=open_flags[story.id or 0]),
                "story", story.id,
            ))  # fmt: skip
        unreviewed = pictures.unreviewed(session, story)
        if unreviewed:
            out.blocking.append(Item(
                _l("《%(title)s》 has %(n)s picture(s) still to review for privacy.",
                   title=story.title, n=unreviewed),
                "story", story.id,
            ))  # fmt: skip
        if consents.get(story.id or 0, set()) != set(ConsentKind):
            out.blocking.append(Item(
                _l("《%(title)s》 lacks the author's consent to publication.", title=story.title),
                "story", story.id,
            ))  # fmt: skip


def _overridden(session: Session, ids: list[int]) -> set[int]:
    query = select(Decision.story_id).where(
        col(Decision.story_id).in_(ids),
        Decision.action == DecisionAction.accept,
        Decision.override_reason != "",
    )
    return set(session.exec(query).all())
