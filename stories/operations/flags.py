"""Privacy flags: personal data found in a story's current title and text, kept up to date.

`scan_story` is called by the verbs that change a story's text: `submission.submit_story` and
`submission.revise_story` (the author's text), `editing.edit_story` (an editor's edit, which also
covers pseudonymisation); the story page rescans a story whose flags were found on an older
revision; `flask stories scan` rescans every story. A rescan keeps resolved decisions: dismissed
text stays dismissed, pseudonyms are not flagged again. Resolving flags is `privacy`.

The detector is the costly part of a submission (about 0.7 s of CPU for 28,000 characters), so
`detect_body` runs it before the write transaction and keeps the result for `scan_story` (the
preview's result, carried to the send signed, is kept the same way: one scan per text), and a long
author's text (over `LONG_TEXT_CHARS`) is scanned and indexed by the task queue after the commit
(`stories.jobs.scans`): until then `story.scan_pending` is true, and the readers that decide on
flags (the privacy panel, the acceptance gate) call `ensure_scanned` first, which does both.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace

from sqlmodel import Session, col, select

from anthology.text.privacy import Flag, detect, detect_markdown
from stories.models import FlagStatus, PrivacyFlag, PrivacyKind, Pseudonym, Story, StoryRevision
from stories.queries import search


@dataclass(frozen=True)
class FlagRow:
    id: int
    kind: PrivacyKind
    text: str
    start: int
    end: int
    status: FlagStatus
    pseudonym: str
    reason: str
    in_title: bool = False


def _current_revision(session: Session, story_id: int) -> int:
    numbers = session.exec(
        select(StoryRevision.number)
        .where(StoryRevision.story_id == story_id)
        .order_by(col(StoryRevision.number).desc())
    ).first()
    return numbers or 1


class BodyFindings:
    """The detector's findings for the last few story texts, found by the text's SHA-256.

    `detect_body(body)` runs the detector only for a text it has not kept; `remember` keeps
    findings the server made earlier for the same text (the preview's, carried to the send in a
    value signed by the server: stories.web.authors.forms.sign_findings), so a text is scanned
    once from preview to send. `cache_info().misses` counts the detector's runs."""

    def __init__(self, size: int) -> None:
        self.size, self.misses = size, 0
        self._kept: OrderedDict[str, tuple[Flag, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, body: str) -> tuple[Flag, ...]:
        key = digest(body)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            self.misses += 1
        found = tuple(detect_markdown(body))
        self.remember(body, found)
        return found

    def remember(self, body: str, found: tuple[Flag, ...]) -> None:
        with self._lock:
            self._kept[digest(body)] = found
            self._kept.move_to_end(digest(body))
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def cache_info(self) -> SimpleNamespace:
        return SimpleNamespace(misses=self.misses, size=len(self._kept))

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# The view runs it before the write transaction; scan_story then finds the result ready.
detect_body = BodyFindings(size=16)


def pending(session: Session, story: Story) -> bool:
    """True when the story's current text has not been scanned yet (a queued scan)."""
    return story.scan_pending


def ensure_scanned(session: Session, story: Story) -> None:
    """Scan now when the queued scan has not run yet (or the flags are from an older revision)."""
    waiting = pending(session, story)
    if waiting or needs_rescan(session, story):
        scan_story(session, story)
        session.flush()
    if waiting:
        search.index_story(session, story)  # a queued story is not in the index yet


def scan_story(session: Session, story: Story) -> list[PrivacyFlag]:
    """Bring the story's open flags up to date with its current body; returns the open flags."""
    assert story.id is not None
    with session.no_autoflush:
        existing = list(session.exec(select(PrivacyFlag).where(PrivacyFlag.story_id == story.id)))
        pseudonyms = set(
            session.exec(select(Pseudonym.pseudonym).where(Pseudonym.story_id == story.id))
        )
        revision = _current_revision(session, story.id)
    dismissed = {(f.kind.value, f.text) for f in existing if f.status == FlagStatus.dismissed}
    reusable: dict[tuple[str, str, bool], list[PrivacyFlag]] = {}
    for flag in existing:
        if flag.status == FlagStatus.open:
            reusable.setdefault((flag.kind.value, flag.text, flag.in_title), []).append(flag)
    open_flags: list[PrivacyFlag] = []
    found_in = [(found, True) for found in detect(story.title)]
    found_in += [(found, False) for found in detect_body(story.body)]
    for found, in_title in found_in:
        key = (found.kind, found.text[:500], in_title)
        if key[:2] in dismissed or found.text in pseudonyms:
            continue
        candidates = reusable.get(key)
        row = candidates.pop(0) if candidates else None
        if row is None:
            row = PrivacyFlag(
                story_id=story.id,
                kind=PrivacyKind(found.kind),
                text=key[1],
                start=found.start,
                end=found.end,
                in_title=in_title,
            )
        row.start, row.end, row.revision_number = found.start, found.end, revision
        session.add(row)
        open_flags.append(row)
    for leftovers in reusable.values():
        for row in leftovers:
            session.delete(row)
    if story.scan_pending:
        story.scan_pending = False
        session.add(story)
    return open_flags


def needs_rescan(session: Session, story: Story) -> bool:
    """True when the story has flags found on an older revision than the current one."""
    numbers = session.exec(
        select(PrivacyFlag.revision_number).where(PrivacyFlag.story_id == story.id).distinct()
    ).all()
    return bool(numbers) and min(numbers) < _current_revision(session, story.id or 0)


def rows(session: Session, story_id: int) -> list[FlagRow]:
    query = (
        select(PrivacyFlag)
        .where(PrivacyFlag.story_id == story_id)
        .order_by(col(PrivacyFlag.status), col(PrivacyFlag.start), col(PrivacyFlag.id))
    )
    return [
        FlagRow(
            id=f.id or 0,
            kind=f.kind,
            text=f.text,
            start=f.start,
            end=f.end,
            status=f.status,
            pseudonym=f.pseudonym,
            reason=f.reason,
            in_title=f.in_title,
        )
        for f in session.exec(query)
    ]


def scan_all(session: Session) -> int:
    count = 0
    for story in session.exec(select(Story).order_by(col(Story.id))):
        scan_story(session, story)
        count += 1
    session.flush()
    return count
