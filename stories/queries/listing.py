"""The editorial queue as queries: sorting and pages (filters and counts in their modules).

Views and `bench/queue.py` call `queue_page(session, QueueFilter(...))` and get plain rows back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func
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
    User,
    Volume,
    VolumeEntry,
)
from stories.queries import search
from stories.queries.counts import search_counts, status_counts, work_counts
from stories.queries.filters import (
    LOCAL_ZONE,
    WORK_VIEWS,
    QueueFilter,
    filtered,
    searching,
    work_condition,
)

__all__ = [  # the queue's queries, for the views and bench/queue.py
    "LOCAL_ZONE",
    "PAGE_SIZE",
    "SORTS",
    "WORK_VIEWS",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "all_rows",
    "editors",
    "provinces",
    "queue_page",
    "search_counts",
    "status_counts",
    "tag_names",
    "volume_slugs",
    "work_counts",
]

PAGE_SIZE = 50
SORTS = ("submitted_desc", "submitted_asc", "title", "activity")
EXPORT_LIMIT = 100_000
# A search's page is sorted from its matches up to this many, above it read in the order's index.
SORTED_MATCHES = 2_000
# PostgreSQL, a search with many matches: each story read in the order's index is tested on its
# own tsvector when about this many tests fill the page (else the matches are hashed first).
PROBED_STORIES = 600


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
    assigned_to: str = ""  # username or ""
    revised: bool = False  # revised by the author, not yet opened by an editor
    duplicate_of: int | None = None
    snippet: tuple[tuple[str, bool], ...] = ()  # search matches: (text, highlighted)


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)  # per status, and "all"
    work_counts: dict[str, int] = field(default_factory=dict)  # per work view


def _ordered(query: Select[Any], sort: str) -> Select[Any]:
    if sort == "submitted_asc":
        return query.order_by(col(Story.submitted_at).asc(), col(Story.id).asc())
    if sort == "title":
        return query.order_by(col(Story.title).asc(), col(Story.id).asc())
    if sort == "activity":
        return query.order_by(col(Story.last_activity_at).desc(), col(Story.id).desc())
    return query.order_by(col(Story.submitted_at).desc(), col(Story.id).desc())


def _selection(
    where: QueueFilter, dialect: str, driven: bool = False, probe: bool = False
) -> Select[Any]:
    """The ids of the stories in the view: filters, status tab or work view."""
    query = filtered(select(col(Story.id)), where, dialect, driven, probe)  # type: ignore[arg-type]
    if where.work in WORK_VIEWS:
        query = query.where(work_condition(where.work, where.me, dialect))
    elif where.status is not None:
        query = query.where(col(Story.status) == where.status)
    return query


def _decorate(session: Session, stories: list[Story], q: str = "") -> list[QueueRow]:
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
    assignee_ids = {s.assigned_to_id for s in stories if s.assigned_to_id is not None}
    names = (
        dict(
            session.exec(  # type: ignore[arg-type]
                select(User.id, User.username).where(col(User.id).in_(assignee_ids))
            ).all()
        )
        if assignee_ids
        else {}
    )
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
            assigned_to=names.get(s.assigned_to_id, "") if s.assigned_to_id else "",
            revised=s.revised_by_author_at is not None,
            duplicate_of=s.duplicate_of_id,
            snippet=tuple(search.snippet(s.body, q)) if q.strip() else (),
        )
        for s in stories
    ]


def queue_page(session: Session, where: QueueFilter, page_size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue plus the total, the per-status counts for the tabs and the counts of
    the "my work" views."""
    dialect = session.get_bind().dialect.name
    search_view = searching(where)
    if search_view or where.flagged:
        # One pass over the matches (of a search, or of the open flags) for every count.
        counts, works = search_counts(session, replace(where, status=None))
    else:
        counts = status_counts(session, replace(where, status=None))
        works = work_counts(session, where)
    if where.work in WORK_VIEWS:
        total = works[where.work]
    else:
        total = counts[where.status.value] if where.status is not None else counts["all"]
    pages = max(1, -(-total // page_size))
    page = min(max(1, where.page), pages)
    ids: list[int] = []
    if total:
        # The page's ids first (the filters and the order need only a few columns), then the
        # rows. A search with few matches sorts them (driven from the matches); one with many
        # walks the order's index and stops after the page.
        driven = search_view and total <= SORTED_MATCHES
        offset = (page - 1) * page_size
        probe = (
            search_view
            and not driven
            and dialect == "postgresql"
            and _tests_to_fill(session, total, offset + page_size) <= PROBED_STORIES
        )
        query = _selection(where, dialect, driven=driven, probe=probe)
        ordered = _ordered(query, where.sort).limit(page_size).offset(offset)
        ids = list(session.scalars(ordered))
    stories = _stories(session, ids)
    return QueuePage(_decorate(session, stories, where.q), total, page, pages, counts, works)


def _tests_to_fill(session: Session, total: int, rows: int) -> float:
    """About how many stories the order's index yields before `rows` of the view's `total` are
    found (the view's stories spread evenly; the highest id bounds the number of stories)."""
    highest = session.scalar(select(func.max(col(Story.id)))) or 0
    return rows * highest / max(total, 1)


def _stories(session: Session, ids: list[int]) -> list[Story]:
    by_id = {s.id: s for s in session.exec(select(Story).where(col(Story.id).in_(ids)))}
    return [by_id[story_id] for story_id in ids if story_id in by_id]


def all_rows(session: Session, where: QueueFilter, chunk: int = 500) -> list[QueueRow]:
    """Every row of the view (the CSV and XLSX exports), in its order, without snippets."""
    dialect = session.get_bind().dialect.name
    query = _ordered(_selection(where, dialect), where.sort).limit(EXPORT_LIMIT)
    ids = list(session.scalars(query))
    rows: list[QueueRow] = []
    for start in range(0, len(ids), chunk):
        rows += _decorate(session, _stories(session, ids[start : start + chunk]))
    return rows


def editors(session: Session) -> list[tuple[int, str]]:
    """Accounts a story can be assigned to (the queue's filter), by name."""
    query = select(User.id, User.username).where(col(User.is_active)).order_by(User.username)
    return [(user_id, name) for user_id, name in session.exec(query).all()]


def provinces(session: Session) -> list[str]:
    query = select(Story.province).where(Story.province != "").distinct().order_by(Story.province)
    return list(session.exec(query).all())


def volume_slugs(session: Session) -> list[tuple[str, str]]:
    return [(v.slug, v.title) for v in session.exec(select(Volume).order_by(Volume.slug))]


def tag_names(session: Session) -> list[str]:
    return list(session.exec(select(Tag.name).order_by(Tag.name)).all())
