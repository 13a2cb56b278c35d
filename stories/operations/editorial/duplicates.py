"""Near-duplicate submissions, found when a story is submitted or revised.

Text: MinHash (datasketch) over the character 3-grams of the title and text, with letters,
digits and Han characters only (punctuation and spacing do not count). The 128 hash values are
cut into 32 bands of 4; a story's bands are kept in `story_band`, and stories sharing a band are
candidates (the usual locality-sensitive hashing: a pair with 50% overlap shares a band with a
probability of about 0.87, one with 80% almost surely). For each candidate the exact overlap
(Jaccard of the 3-gram sets) is computed, and at least `TEXT_OVERLAP` makes a `StoryMatch`.

People: two workers writing about the same client give different texts but the same name,
address or number; flagged personal data (person names, addresses, identifiers) that another
story's flags also name make a match of kind "people", with the shared texts (editors only).

An editor then marks a story as a duplicate of another (or takes the mark back). The caller
commits.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from datasketch import LeanMinHash, MinHash
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, or_, tuple_
from sqlmodel import Session, col, select

from anthology.text.privacy import markdown_text
from stories.models import PrivacyFlag, PrivacyKind, Story, StoryBand, StoryMatch, User
from stories.operations import audit
from stories.operations.review import ReviewError

SHINGLE = 3
PERMUTATIONS = 128
BANDS = 32
ROWS = PERMUTATIONS // BANDS
TEXT_OVERLAP = 0.5
MIN_SHINGLES = 20  # shorter texts are not compared
MAX_CANDIDATES = 50
PEOPLE_KINDS = tuple(kind for kind in PrivacyKind if kind not in (PrivacyKind.plate,))
_NOT_TEXT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class MatchRow:
    """A match as the story page shows it: the other story, and why."""

    other_id: int
    other_title: str
    kind: str
    overlap: float
    shared: str
    other_is_newer: bool


def shingles(title: str, body: str) -> set[str]:
    text = _NOT_TEXT.sub("", f"{title}\n{markdown_text(body)}").lower()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def band_hashes(grams: set[str]) -> list[int]:
    """The story's 32 band hashes (signed 64-bit, as the database keeps them)."""
    minhash = MinHash(num_perm=PERMUTATIONS, seed=17)
    minhash.update_batch([gram.encode("utf-8") for gram in sorted(grams)])
    values = LeanMinHash(minhash).hashvalues
    result = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8).digest()
        result.append(int.from_bytes(digest, "big", signed=True))
    return result


def overlap(first: set[str] | frozenset[str], second: set[str] | frozenset[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


@lru_cache(maxsize=32)
def fingerprint(title: str, body: str) -> tuple[frozenset[str], tuple[int, ...]]:
    """A text's 3-grams and band hashes (none for a text too short to compare), kept for a
    while: a send computes them before its write transaction, `check_story` finds them ready."""
    grams = frozenset(shingles(title, body))
    return grams, tuple(band_hashes(set(grams))) if len(grams) >= MIN_SHINGLES else ()


def _text_matches(
    session: Session, story: Story, grams: frozenset[str], hashes: tuple[int, ...]
) -> list[StoryMatch]:
    session.execute(
        insert(StoryBand),
        [{"story_id": story.id, "band": b, "hash": h} for b, h in enumerate(hashes)],
    )
    same_band = tuple_(col(StoryBand.band), col(StoryBand.hash)).in_(list(enumerate(hashes)))
    candidates = session.exec(
        select(StoryBand.story_id)
        .where(same_band, col(StoryBand.story_id) != story.id)
        .distinct()
        .limit(MAX_CANDIDATES)
    ).all()
    found = []
    for other in session.exec(select(Story).where(col(Story.id).in_(candidates))):
        share = overlap(grams, shingles(other.title, other.body))
        if share >= TEXT_OVERLAP:
            found.append(
                StoryMatch(story_id=story.id or 0, other_id=other.id or 0, kind="text",
                           overlap=round(share, 3))
            )  # fmt: skip
    return found


def _people_matches(session: Session, story: Story) -> list[StoryMatch]:
    own = session.exec(
        select(PrivacyFlag.text)
        .where(PrivacyFlag.story_id == story.id, col(PrivacyFlag.kind).in_(PEOPLE_KINDS))
        .distinct()
    ).all()
    texts = [text for text in own if len(text) >= 2]
    if not texts:
        return []
    shared: dict[int, list[str]] = {}
    rows = session.exec(
        select(PrivacyFlag.story_id, PrivacyFlag.text)
        .where(col(PrivacyFlag.text).in_(texts), PrivacyFlag.story_id != story.id)
        .distinct()
        .order_by(col(PrivacyFlag.story_id), col(PrivacyFlag.text))
    ).all()
    for other_id, text in rows:
        shared.setdefault(other_id, []).append(text)
    return [
        StoryMatch(story_id=story.id or 0, other_id=other_id, kind="people",
                   overlap=len(names) / len(texts), shared="、".join(names)[:1000])
        for other_id, names in list(shared.items())[:MAX_CANDIDATES]
    ]  # fmt: skip


def check_story(session: Session, story: Story) -> list[StoryMatch]:
    """Find the stories this one looks like (after its flags were scanned); replaces the old."""
    assert story.id is not None
    session.flush()
    session.execute(delete(StoryBand).where(col(StoryBand.story_id) == story.id))
    session.execute(delete(StoryMatch).where(col(StoryMatch.story_id) == story.id))
    grams, hashes = fingerprint(story.title, story.body)
    found = _text_matches(session, story, grams, hashes) if hashes else []
    found += _people_matches(session, story)
    session.add_all(found)
    session.flush()
    return found


def matches(session: Session, story_id: int) -> list[MatchRow]:
    """The stories this one looks like, and those that look like it, best first."""
    query = select(StoryMatch).where(
        or_(col(StoryMatch.story_id) == story_id, col(StoryMatch.other_id) == story_id)
    )
    rows = list(session.exec(query))
    ids = {row.other_id if row.story_id == story_id else row.story_id for row in rows}
    titles = dict(session.exec(select(Story.id, Story.title).where(col(Story.id).in_(ids))).all())
    result = []
    for row in rows:
        other = row.other_id if row.story_id == story_id else row.story_id
        if other in titles:
            result.append(
                MatchRow(other, titles[other], row.kind, row.overlap, row.shared,
                         other_is_newer=row.story_id != story_id)
            )  # fmt: skip
    return sorted(result, key=lambda m: (m.kind != "text", -m.overlap, m.other_id))


def mark_duplicate(session: Session, story: Story, editor: User, other_id: int | None) -> None:
    """Mark the story as a duplicate of `other_id`, or (None) take the mark back."""
    if other_id is not None:
        other = session.get(Story, other_id)
        if other is None or other_id == story.id:
            raise ReviewError(_l("Choose another existing story."))
        if other.duplicate_of_id == story.id:
            raise ReviewError(
                _l("Story #%(id)s is already marked as a duplicate of this one.", id=other_id)
            )
    if story.duplicate_of_id == other_id:
        return
    previous, story.duplicate_of_id = story.duplicate_of_id, other_id
    session.add(story)
    action = "story.duplicate" if other_id is not None else "story.not_duplicate"
    audit.record(session, editor, action, story=story, details={"of": other_id or previous})
    session.flush()
