"""The pictures of a story: their rows, the editors' privacy review, captions and descriptions,
and what a published book gets of each.

A picture is referenced from the story's text (`anthology.text.pictures`) and kept once in the
picture store (`stories.pictures`). `sync` gives every reference of the current text a row that
starts "to review" (the verbs that change a text call it; an editor's change of a caption or
description is `editing.describe_picture`). An editor then marks it fine to
publish, publish blurred (a region, or all of it) or leave out (`review`); a picture still to
review stops acceptance (`review.acceptance_gate`) and the book (the readiness check and
anthology's publication gate). `published` is the file a book or an export gets: the original,
its blurred rendition, or nothing; the original of a blurred picture stays for editors only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from anthology.text import pictures as references
from stories import pictures as picture_store
from stories.db import utcnow
from stories.models import PictureReview, Story, StoryPicture, User
from stories.operations import OperationError, audit
from stories.pictures import Store, images

FOLDER = "pictures"  # the export's and the source tree's folder of picture files


class PictureNotFound(OperationError):
    pass


class InvalidReview(OperationError):
    pass


@dataclass(frozen=True)
class PictureRow:
    ref: str
    description: str
    caption: str
    review: PictureReview
    blur: tuple[float, float, float, float] | None  # None: the whole picture (when blurred)
    width: int
    height: int


def parse_blur(text: str) -> tuple[float, float, float, float] | None:
    """ "left,top,width,height" (fractions) -> a region; "" or anything broken -> None."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        return None
    if len(values) != 4:
        return None
    left, top, width, height = values
    if not (0 <= left < 1 and 0 <= top < 1 and 0 < width <= 1 and 0 < height <= 1):
        return None
    return (left, top, min(width, 1 - left), min(height, 1 - top))


def _rows(session: Session, story_id: int) -> dict[str, StoryPicture]:
    found = session.exec(select(StoryPicture).where(StoryPicture.story_id == story_id))
    return {row.ref: row for row in found}


def sync(session: Session, story: Story, store: Store | None = None) -> None:
    """A row "to review" for every picture the story's text refers to and that has none yet.
    Rows of pictures no longer in the text are kept (an earlier revision still shows them)."""
    assert story.id is not None
    existing = _rows(session, story.id)
    if store is None:
        store = picture_store.store()
    for ref in references.refs(story.body):
        if ref in existing:
            continue
        width = height = 0
        data = store.read(ref) if store is not None else None
        if data is not None:
            width, height = images.size(data)
        session.add(StoryPicture(story_id=story.id, ref=ref, width=width, height=height))
    session.flush()


def rows(session: Session, story: Story) -> list[PictureRow]:
    """The pictures of the story's current text, in text order."""
    assert story.id is not None
    existing = _rows(session, story.id)
    out = []
    seen: set[str] = set()
    for found in references.references(story.body):
        if found.ref in seen:
            continue
        seen.add(found.ref)
        row = existing.get(found.ref)
        out.append(
            PictureRow(
                ref=found.ref,
                description=found.description,
                caption=found.caption,
                review=row.review if row else PictureReview.to_review,
                blur=parse_blur(row.blur) if row else None,
                width=row.width if row else 0,
                height=row.height if row else 0,
            )
        )
    return out


def unreviewed(session: Session, story: Story) -> int:
    """Pictures of the current text still to review."""
    return sum(1 for row in rows(session, story) if row.review is PictureReview.to_review)


def review(
    session: Session,
    editor: User,
    story: Story,
    ref: str,
    decision: PictureReview,
    blur: str = "",
) -> StoryPicture:
    """An editor's privacy review of one picture (`blur`: the region, "" for all of it)."""
    assert story.id is not None
    row = _rows(session, story.id).get(ref)
    if row is None or ref not in references.refs(story.body):
        raise PictureNotFound(_l("This story has no such picture."))
    if decision is PictureReview.to_review:
        raise InvalidReview(_l("Choose how the picture may be published."))
    region = parse_blur(blur) if decision is PictureReview.blurred else None
    if decision is PictureReview.blurred and blur.strip() and region is None:
        raise InvalidReview(_l("The region to blur is not valid."))
    row.review = decision
    row.blur = ",".join(f"{v:.4f}" for v in region) if region else ""
    row.reviewed_by_id, row.reviewed_at = editor.id, utcnow()
    session.add(row)
    audit.record(
        session,
        editor,
        "picture.review",
        story=story,
        details={"picture": ref[:12], "review": decision.value, "blur": row.blur or None},
    )
    session.flush()
    return row


def published(store: Store, row: StoryPicture | PictureRow) -> bytes | None:
    """The file a book gets of a picture: the original when fine, its blurred rendition when
    blurred, nothing when left out or still to review (the gate refuses those)."""
    if row.review not in (PictureReview.fine, PictureReview.blurred):
        return None
    data = store.read(row.ref)
    if data is None or row.review is PictureReview.fine:
        return data
    region = row.blur if isinstance(row, PictureRow) else parse_blur(row.blur)
    return images.blurred(data, region)


def export_entries(session: Session, story: Story, store: Store) -> list[dict[str, Any]]:
    """stories.json's `pictures` of a story; `_data` (bytes) is taken out by `write_files`."""
    out = []
    for row in rows(session, story):
        data = published(store, row)
        entry: dict[str, Any] = {"ref": row.ref, "review": row.review.value}
        if data is not None:
            extension = "png" if data.startswith(b"\x89PNG") else "jpg"
            entry["file"] = f"{FOLDER}/{row.ref}.{extension}"
            entry["_data"] = data
        out.append(entry)
    return out


def write_files(document: dict[str, Any], folder: Path) -> int:
    """Write the picture files of a stories document into `folder` (next to its JSON) and take
    their bytes out of the document; returns how many files were written."""
    written = 0
    for part in document.get("parts", []):
        for story in part.get("stories", []):
            for entry in story.get("pictures", []):
                data = entry.pop("_data", None)
                if data is None:
                    continue
                path = Path(folder) / entry["file"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                written += 1
    return written
