"""Volumes: create and edit them, place accepted stories, group them into parts, order them.

Order is `VolumePart.position` for parts and `VolumeEntry.position` within a part; stories in no
part come after the parts. Positions are renumbered 1..n after every change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from anthology.sources.manuscript import SERVICE_FIELDS
from stories.db import utcnow
from stories.models import ServiceField, Story, StoryStatus, User, Volume, VolumeEntry, VolumePart
from stories.operations import OperationError, audit

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class VolumeError(OperationError):
    """A volume change was refused."""


@dataclass(frozen=True)
class EntryRow:
    story_id: int
    title: str
    pen_name: str
    service_field: ServiceField
    status: StoryStatus
    part_id: int | None
    position: int


@dataclass(frozen=True)
class PartRow:
    id: int | None  # None: the stories in no part
    title: str
    position: int
    entries: tuple[EntryRow, ...]


def get(session: Session, slug: str) -> Volume:
    volume = session.exec(select(Volume).where(Volume.slug == slug)).first()
    if volume is None:
        raise VolumeError(_l("There is no volume %(slug)s.", slug=slug))
    return volume


def all_volumes(session: Session) -> list[Volume]:
    return list(session.exec(select(Volume).order_by(Volume.slug)))


def _check(session: Session, slug: str, title: str, volume_id: int | None = None) -> None:
    if not SLUG.match(slug):
        raise VolumeError(_l("The slug may only contain lower-case letters, digits and dashes."))
    if not title.strip():
        raise VolumeError(_l("A volume needs a working title."))
    other = session.exec(select(Volume).where(Volume.slug == slug)).first()
    if other is not None and other.id != volume_id:
        raise VolumeError(_l("A volume with the slug %(slug)s exists already.", slug=slug))


def create_volume(
    session: Session, actor: User, slug: str, title: str, description: str = ""
) -> Volume:
    slug = slug.strip()
    _check(session, slug, title)
    volume = Volume(slug=slug, title=title.strip(), description=description.strip())
    session.add(volume)
    session.flush()
    audit.record(session, actor, "volume.create", details={"volume": slug})
    return volume


def update_volume(
    session: Session, actor: User, volume: Volume, slug: str, title: str, description: str
) -> Volume:
    slug = slug.strip()
    _check(session, slug, title, volume.id)
    changes = {"from": volume.slug} if volume.slug != slug else {}
    volume.slug, volume.title, volume.description = slug, title.strip(), description.strip()
    volume.updated_at = utcnow()
    session.add(volume)
    audit.record(session, actor, "volume.update", details={"volume": slug, **changes})
    return volume


def _parts(session: Session, volume: Volume) -> list[VolumePart]:
    query = select(VolumePart).where(VolumePart.volume_id == volume.id)
    return list(session.exec(query.order_by(col(VolumePart.position), col(VolumePart.id))))


def _entries(session: Session, volume: Volume, part_id: int | None) -> list[VolumeEntry]:
    query = select(VolumeEntry).where(
        VolumeEntry.volume_id == volume.id, VolumeEntry.part_id == part_id
    )
    return list(session.exec(query.order_by(col(VolumeEntry.position), col(VolumeEntry.id))))


def _renumber(session: Session, rows: Sequence[VolumeEntry | VolumePart]) -> None:
    for index, row in enumerate(rows, 1):
        if row.position != index:
            row.position = index
            session.add(row)


def _touch(session: Session, volume: Volume) -> None:
    volume.updated_at = utcnow()
    session.add(volume)


def _part(session: Session, volume: Volume, part_id: int | None) -> VolumePart | None:
    if part_id is None:
        return None
    part = session.get(VolumePart, part_id)
    if part is None or part.volume_id != volume.id:
        raise VolumeError(_l("That part does not belong to this volume."))
    return part


def assign(
    session: Session, actor: User, volume: Volume, story_id: int, part_id: int | None = None
) -> VolumeEntry:
    """Place an accepted story at the end of a part (or of the unparted stories)."""
    story = session.get(Story, story_id)
    if story is None:
        raise VolumeError(_l("There is no story #%(id)s.", id=story_id))
    if story.status != StoryStatus.accepted:
        raise VolumeError(
            _l("Story #%(id)s is not accepted; only accepted stories go in a volume.", id=story_id)
        )
    _part(session, volume, part_id)
    entry = session.exec(select(VolumeEntry).where(VolumeEntry.story_id == story_id)).first()
    previous = None
    if entry is None:
        entry = VolumeEntry(volume_id=volume.id or 0, story_id=story_id)
    else:
        previous = (entry.volume_id, entry.part_id)
    entry.volume_id, entry.part_id = volume.id or 0, part_id
    entry.position = len(_entries(session, volume, part_id)) + 1
    session.add(entry)
    session.flush()
    if previous is not None and previous != (volume.id, part_id):
        old = session.get(Volume, previous[0])
        if old is not None:
            _renumber(session, _entries(session, old, previous[1]))
    _touch(session, volume)
    audit.record(session, actor, "volume.assign", story=story_id, details={"volume": volume.slug})
    return entry


def assign_stories(session: Session, actor: User, slug: str, story_ids: list[int]) -> int:
    """Place several stories in volume `slug` (the queue's bulk action); returns how many."""
    volume = get(session, slug.strip())
    found = [i for i in story_ids if session.get(Story, i) is not None]
    for story_id in found:
        assign(session, actor, volume, story_id)
    return len(found)


def unassign(session: Session, actor: User, story_id: int) -> None:
    entry = session.exec(select(VolumeEntry).where(VolumeEntry.story_id == story_id)).first()
    if entry is None:
        return
    volume = session.get(Volume, entry.volume_id)
    session.delete(entry)
    session.flush()
    if volume is not None:
        _renumber(session, _entries(session, volume, entry.part_id))
        _touch(session, volume)
        audit.record(
            session, actor, "volume.unassign", story=story_id, details={"volume": volume.slug}
        )


def _arranged(
    session: Session, actor: User | None, volume: Volume, change: str, **details: object
) -> None:
    """Every change of a volume's arrangement is an audit event ("volume.arrange")."""
    audit.record(
        session, actor, "volume.arrange", story=details.pop("story", None),
        details={"volume": volume.slug, "change": change, **details},
    )  # fmt: skip


def add_part(session: Session, actor: User, volume: Volume, title: str) -> VolumePart:
    if not title.strip():
        raise VolumeError(_l("A part needs a title."))
    part = VolumePart(
        volume_id=volume.id or 0, title=title.strip(), position=len(_parts(session, volume)) + 1
    )
    session.add(part)
    session.flush()
    _touch(session, volume)
    _arranged(session, actor, volume, "part_add", part=part.title)
    return part


def rename_part(
    session: Session, volume: Volume, part_id: int, title: str, actor: User | None = None
) -> None:
    part = _part(session, volume, part_id)
    if part is None or not title.strip():
        raise VolumeError(_l("A part needs a title."))
    old, part.title = part.title, title.strip()
    session.add(part)
    _touch(session, volume)
    _arranged(session, actor, volume, "part_rename", part=part.title, old=old)


def delete_part(session: Session, volume: Volume, part_id: int, actor: User | None = None) -> None:
    """Remove a part; its stories stay in the volume, after the parts."""
    part = _part(session, volume, part_id)
    if part is None:
        raise VolumeError(_l("That part does not belong to this volume."))
    _arranged(session, actor, volume, "part_delete", part=part.title)
    tail = len(_entries(session, volume, None))
    for index, entry in enumerate(_entries(session, volume, part_id), 1):
        entry.part_id, entry.position = None, tail + index
        session.add(entry)
    session.flush()
    session.delete(part)
    session.flush()
    _renumber(session, _parts(session, volume))
    _touch(session, volume)


def parts_from_service_fields(session: Session, actor: User, volume: Volume) -> int:
    """Create a part per service field of the volume's stories and move each story there.

    Existing parts with the same title are reused; returns the number of parts created."""
    parts = {p.title: p for p in _parts(session, volume)}
    query = (
        select(VolumeEntry, Story.service_field)
        .join(Story, col(Story.id) == col(VolumeEntry.story_id))
        .where(VolumeEntry.volume_id == volume.id)
        .order_by(col(VolumeEntry.position), col(VolumeEntry.id))
    )
    rows = list(session.exec(query))
    created = 0
    for service_field in ServiceField:
        members = [entry for entry, field in rows if field == service_field]
        if not members:
            continue
        title = SERVICE_FIELDS[service_field.value].part  # book text, as the book names it
        if title not in parts:
            parts[title] = add_part(session, actor, volume, title)
            created += 1
        part = parts[title]
        start = len(_entries(session, volume, part.id))
        for index, entry in enumerate(members, 1):
            if entry.part_id != part.id:
                entry.part_id, entry.position = part.id, start + index
                session.add(entry)
        session.flush()
    for part in _parts(session, volume):
        _renumber(session, _entries(session, volume, part.id))
    _renumber(session, _entries(session, volume, None))
    _touch(session, volume)
    _arranged(session, actor, volume, "parts_from_fields", added=created)
    return created


def _placed(session: Session, volume: Volume, story_id: int) -> VolumeEntry:
    """The story's entry in this volume; refused when it is not placed there."""
    entry = session.exec(
        select(VolumeEntry).where(
            VolumeEntry.story_id == story_id, VolumeEntry.volume_id == volume.id
        )
    ).first()
    if entry is None:
        raise VolumeError(_l("Story #%(id)s is not in this volume.", id=story_id))
    return entry


def set_part(
    session: Session, actor: User, volume: Volume, story_id: int, part_id: int | None
) -> None:
    entry = _placed(session, volume, story_id)
    if entry.part_id == part_id:
        return
    old_part = entry.part_id
    _part(session, volume, part_id)
    entry.part_id = part_id
    entry.position = len(_entries(session, volume, part_id)) + 1
    session.add(entry)
    session.flush()
    _renumber(session, _entries(session, volume, old_part))
    _touch(session, volume)
    new = _part(session, volume, part_id)
    _arranged(session, actor, volume, "story_part", story=story_id, part=new.title if new else "")


def _swap(session: Session, rows: list, index: int, step: int) -> bool:  # type: ignore[type-arg]
    other = index + step
    if index < 0 or not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    _renumber(session, rows)
    return True


def move_entry(
    session: Session, volume: Volume, story_id: int, step: int, actor: User | None = None
) -> bool:
    """Move a story one place up (step -1) or down (+1) within its part."""
    entry = _placed(session, volume, story_id)
    rows = _entries(session, volume, entry.part_id)
    moved = _swap(session, rows, [r.id for r in rows].index(entry.id), step)
    if moved:
        _touch(session, volume)
        _arranged(session, actor, volume, "story_move", story=story_id, step=step)
    return moved


def move_part(
    session: Session, volume: Volume, part_id: int, step: int, actor: User | None = None
) -> bool:
    rows = _parts(session, volume)
    ids = [p.id for p in rows]
    if part_id not in ids:
        raise VolumeError(_l("That part does not belong to this volume."))
    moved = _swap(session, rows, ids.index(part_id), step)
    if moved:
        _touch(session, volume)
        title = next(p.title for p in rows if p.id == part_id)
        _arranged(session, actor, volume, "part_move", part=title, step=step)
    return moved


def arrangement(session: Session, volume: Volume) -> list[PartRow]:
    """The volume's parts in order with their stories in order; unparted stories last."""
    query = (
        select(VolumeEntry, Story)
        .join(Story, col(Story.id) == col(VolumeEntry.story_id))
        .where(VolumeEntry.volume_id == volume.id)
        .order_by(col(VolumeEntry.position), col(VolumeEntry.id))
    )
    by_part: dict[int | None, list[EntryRow]] = {}
    for entry, story in session.exec(query):
        by_part.setdefault(entry.part_id, []).append(
            EntryRow(
                story_id=story.id or 0,
                title=story.title,
                pen_name=story.pen_name,
                service_field=story.service_field,
                status=story.status,
                part_id=entry.part_id,
                position=entry.position,
            )
        )
    rows = [
        PartRow(part.id, part.title, part.position, tuple(by_part.get(part.id, [])))
        for part in _parts(session, volume)
    ]
    if by_part.get(None):
        rows.append(PartRow(None, "", len(rows) + 1, tuple(by_part[None])))
    return rows


def placement(session: Session, story_id: int) -> tuple[Volume, VolumePart | None] | None:
    """The volume (and part) a story is placed in, if any."""
    entry = session.exec(select(VolumeEntry).where(VolumeEntry.story_id == story_id)).first()
    if entry is None:
        return None
    volume = session.get(Volume, entry.volume_id)
    if volume is None:  # pragma: no cover - foreign key
        return None
    part = session.get(VolumePart, entry.part_id) if entry.part_id else None
    return volume, part
