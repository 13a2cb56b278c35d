"""The editorial queue as queries: filters, full-text search, sorting, counts and pages.

Views and `bench/queue.py` call `queue_page(session, QueueFilter(...))` and get plain rows back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, literal_column
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from stories.models import (
    FlagStatus,
    PrivacyFlag,
    ServiceField,
    Story,
    StoryStatus,
    StoryTag,
    Tag,
    Volume,
    VolumeEntry,
)
from stories.queries import search

PAGE_SIZE = 50
SORTS = ("submitted_desc", "submitted_asc", "title", "activity")
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")  # date filters are calendar days for the editors


@dataclass(frozen=True)
class QueueFilter:
    status: StoryStatus | None = None
    service_field: ServiceField | None = None
    province: str = ""
    volume: str = ""  # slug, or "none" for stories in no volume
    tag: str = ""
    flagged: bool = False  # only stories with open privacy flags
    since: date | None = None
    until: date | None = None  # inclusive
    q: str = ""
    sort: str = "submitted_desc"
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    pen_name: str
    organisation: str
    province: str
    service_field: ServiceField
    status: StoryStatus
    submitted_at: datetime | None
    last_activity_at: datetime
    open_flags: int
    volume: str  # slug or ""
    tags: tuple[str, ...]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # per status, and "all"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def _filtered(query: Select[Any], where: QueueFilter, dialect: str) -> Select[Any]:
    """Every filter except the status (the tabs count across statuses)."""
    if where.service_field is not None:
        query = query.where(col(Story.service_field) == where.service_field)
    if where.province:
        query = query.where(col(Story.province) == where.province)
    if where.volume == "none":
        query = query.where(~col(Story.id).in_(select(VolumeEntry.story_id)))
    elif where.volume:
        in_volume = (
            select(VolumeEntry.story_id)
            .join(Volume, col(Volume.id) == col(VolumeEntry.volume_id))
            .where(Volume.slug == where.volume)
        )
        query = query.where(col(Story.id).in_(in_volume))
    if where.tag:
        tagged = (
            select(StoryTag.story_id)
            .join(Tag, col(Tag.id) == col(StoryTag.tag_id))
            .where(Tag.name == where.tag)
        )
        query = query.where(col(Story.id).in_(tagged))
    if where.flagged:
        flagged = select(PrivacyFlag.story_id).where(PrivacyFlag.status == FlagStatus.open)
        query = query.where(col(Story.id).in_(flagged))
    if where.since is not None:
        query = query.where(col(Story.submitted_at) >= _day_start(where.since))
    if where.until is not None:
        query = query.where(col(Story.submitted_at) < _day_start(where.until + timedelta(days=1)))
    if where.q.strip():
        matching = search.matching_ids(dialect, where.q)
        if matching is not None:
            ids = matching.columns(literal_column("story_id")).subquery()
            query = query.where(col(Story.id).in_(select(ids.c.story_id)))
    return query


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    if sort == "submitted_asc":
        return query.order_by(col(Story.submitted_at).asc(), col(Story.id).asc())
    if sort == "title":
        return query.order_by(col(Story.title).asc(), col(Story.id).asc())
    if sort == "activity":
        return query.order_by(col(Story.last_activity_at).desc(), col(Story.id).desc())
    return query.order_by(col(Story.submitted_at).desc(), col(Story.id).desc())


def status_counts(session: Session, where: QueueFilter) -> dict[str, int]:
    dialect = session.get_bind().dialect.name
    base = select(Story.status, func.count()).select_from(Story)
    query = _filtered(base, where, dialect)  # type: ignore[arg-type]
    counts = {status.value: 0 for status in StoryStatus}
    for status, count in session.execute(query.group_by(col(Story.status))).all():
        counts[StoryStatus(status).value] = count
    counts["all"] = sum(counts.values())
    return counts


def _decorate(session: Session, stories: list[Story]) -> list[QueueRow]:
    ids = [s.id for s in stories if s.id is not None]
    flags: dict[int, int] = {}
    volumes: dict[int, str] = {}
    tags: dict[int, list[str]] = {}
    if ids:
        flag_query = (
            select(PrivacyFlag.story_id, func.count(distinct(PrivacyFlag.text)))
            .where(col(PrivacyFlag.story_id).in_(ids), PrivacyFlag.status == FlagStatus.open)
            .group_by(col(PrivacyFlag.story_id))
        )
        flags = dict(session.exec(flag_query).all())  # type: ignore[arg-type]
        volume_query = (
            select(VolumeEntry.story_id, Volume.slug)
            .join(Volume, col(Volume.id) == col(VolumeEntry.volume_id))
            .where(col(VolumeEntry.story_id).in_(ids))
        )
        volumes = dict(session.exec(volume_query).all())  # type: ignore[arg-type]
        tag_query = (
            select(StoryTag.story_id, Tag.name)
            .join(Tag, col(Tag.id) == col(StoryTag.tag_id))
            .where(col(StoryTag.story_id).in_(ids))
            .order_by(Tag.name)
        )
        for story_id, name in session.exec(tag_query).all():
            tags.setdefault(story_id, []).append(name)
    return [
        QueueRow(
            id=s.id or 0,
            title=s.title,
            pen_name=s.pen_name,
            organisation=s.organisation,
            province=s.province,
            service_field=s.service_field,
            status=s.status,
            submitted_at=s.submitted_at,
            last_activity_at=s.last_activity_at,
            open_flags=flags.get(s.id or 0, 0),
            volume=volumes.get(s.id or 0, ""),
            tags=tuple(tags.get(s.id or 0, [])),
        )
        for s in stories
    ]


def queue_page(session: Session, where: QueueFilter, page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue plus the total and the per-status counts for the tabs."""
    dialect = session.get_bind().dialect.name
    counts = status_counts(session, replace(where, status=None))
    total = counts[where.status.value] if where.status is not None else counts["all"]
    pages = max(1, -(-total // page_size))
    page = min(max(1, where.page), pages)
    # The page's ids first (the filters and the order need only a few columns), then the rows.
    query = _filtered(select(col(Story.id)), where, dialect)  # type: ignore[arg-type]
    if where.status is not None:
        query = query.where(col(Story.status) == where.status)
    ordered = _ordered(query, where.sort).limit(page_size).offset((page - 1) * page_size)
    ids = list(session.scalars(ordered))
    by_id = {s.id: s for s in session.exec(select(Story).where(col(Story.id).in_(ids)))}
    stories = [by_id[story_id] for story_id in ids if story_id in by_id]
    return QueuePage(_decorate(session, stories), total, page, pages, counts)


def provinces(session: Session) -> list[str]:
    query = select(Story.province).where(Story.province != "").distinct().order_by(Story.province)
    return list(session.exec(query).all())


def volume_slugs(session: Session) -> list[tuple[str, str]]:
    return [(v.slug, v.title) for v in session.exec(select(Volume).order_by(Volume.slug))]


def tag_names(session: Session) -> list[str]:
    return list(session.exec(select(Tag.name).order_by(Tag.name)).all())
