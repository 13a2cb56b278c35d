"""The editorial queue as queries: filters, full-text search, sorting, counts and pages.

Views and `bench/queue.py` call `queue_page(session, QueueFilter(...))` and get plain rows back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, false, func, literal_column, or_
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

PAGE_SIZE = 50
SORTS = ("submitted_desc", "submitted_asc", "title", "activity")
# "My work": what needs the signed-in editor. "needs" is all four together; "all" is the queue
# without a work view (the status tabs).
WORK_VIEWS = ("needs", "new", "revised", "mine", "flagged")
OPEN_STATUSES = (StoryStatus.submitted, StoryStatus.in_review)
EXPORT_LIMIT = 100_000
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
    work: str = "all"  # one of WORK_VIEWS, or "all"
    me: int | None = None  # the signed-in editor (for "mine")
    assigned: str = ""  # "" anyone, "none" nobody, or an account id


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


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def _story_id(dialect: str) -> Any:
    """Story.id to test against a set of ids. On SQLite `id + 0`: it would otherwise fetch each
    story of the set by its id, reading past the body (its overflow pages) to the columns after
    it; so it stays on the covering indexes, which hold the id too."""
    return col(Story.id) + 0 if dialect == "sqlite" else col(Story.id)


def _has_open_flags(dialect: str = "") -> Any:
    return _story_id(dialect).in_(
        select(PrivacyFlag.story_id).where(PrivacyFlag.status == FlagStatus.open)
    )


@lru_cache(maxsize=512)
def work_condition(view: str, me: int | None, dialect: str = "") -> Any:
    """The condition of one "my work" view (built once per view and editor: SQLAlchemy reuses
    the expression and its compiled form)."""
    new = and_(
        col(Story.status) == StoryStatus.submitted, col(Story.revised_by_author_at).is_(None)
    )
    revised = col(Story.revised_by_author_at).is_not(None)
    waiting = (*OPEN_STATUSES, StoryStatus.revision_requested)
    mine = (
        and_(col(Story.assigned_to_id) == me, col(Story.status).in_(waiting))
        if me is not None
        else false()
    )
    flagged = and_(col(Story.status).in_(OPEN_STATUSES), _has_open_flags(dialect))
    views = {"new": new, "revised": revised, "mine": mine, "flagged": flagged}
    if view == "needs":
        return or_(*views.values())
    return views[view]


def _filtered(query: Select[Any], where: QueueFilter, dialect: str) -> Select[Any]:
    """Every filter except the status (the tabs count across statuses) and the work view."""
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
        query = query.where(_has_open_flags(dialect))
    if where.assigned == "none":
        query = query.where(col(Story.assigned_to_id).is_(None))
    elif where.assigned.isdigit():
        query = query.where(col(Story.assigned_to_id) == int(where.assigned))
    if where.since is not None:
        query = query.where(col(Story.submitted_at) >= _day_start(where.since))
    if where.until is not None:
        query = query.where(col(Story.submitted_at) < _day_start(where.until + timedelta(days=1)))
    if where.q.strip():
        matching = search.matching_ids(dialect, where.q)
        if matching is not None:
            ids = matching.columns(literal_column("story_id")).subquery()
            query = query.where(_story_id(dialect).in_(select(ids.c.story_id)))
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


def work_counts(session: Session, where: QueueFilter) -> dict[str, int]:
    """How many stories each "my work" view holds (with the other filters applied).

    On SQLite, four counts over index ranges rather than one pass testing every condition on
    every story (much cheaper at 100,000 stories). "needs" is the union of the four views,
    counted in disjoint parts: every revised story, every other new one, the others waiting on
    me, and the flagged ones in review assigned to someone else or nobody."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _work_counts_in_one_pass(session, where, dialect)
    me = where.me if where.me is not None else -1  # no account has the id -1

    def count(*conditions: Any, columns: tuple[Any, ...] = (func.count(),)) -> tuple[int, ...]:
        query = _filtered(select(*columns).select_from(Story), where, dialect)  # type: ignore[arg-type]
        row = session.execute(query.where(*conditions)).one()
        return tuple(int(value or 0) for value in row)

    status, revised_at = col(Story.status), col(Story.revised_by_author_at)
    (new,) = count(status == StoryStatus.submitted, revised_at.is_(None))
    (revised,) = count(revised_at.is_not(None))
    waiting = (*OPEN_STATUSES, StoryStatus.revision_requested)
    not_new = and_(revised_at.is_(None), status != StoryStatus.submitted)
    mine, mine_not_new = count(
        col(Story.assigned_to_id) == me,
        status.in_(waiting),
        columns=(func.count(), func.coalesce(func.sum(case((not_new, 1), else_=0)), 0)),
    )
    others = or_(col(Story.assigned_to_id).is_(None), col(Story.assigned_to_id) != me)
    flagged, flagged_rest = count(
        status.in_(OPEN_STATUSES),
        _has_open_flags(dialect),
        columns=(
            func.count(),
            func.coalesce(func.sum(case((and_(not_new, others), 1), else_=0)), 0),
        ),
    )
    return {
        "needs": revised + new + mine_not_new + flagged_rest,
        "new": new,
        "revised": revised,
        "mine": mine if where.me is not None else 0,
        "flagged": flagged,
    }


def _work_counts_in_one_pass(session: Session, where: QueueFilter, dialect: str) -> dict[str, int]:
    """PostgreSQL: the five counts in one index-only pass, so a search's matches are computed
    once (SQLite evaluates the conditions on every story far more slowly than it counts ranges)."""
    columns = [
        func.coalesce(func.sum(case((work_condition(view, where.me, dialect), 1), else_=0)), 0)
        for view in WORK_VIEWS
    ]
    query = _filtered(select(*columns).select_from(Story), where, dialect)  # type: ignore[arg-type]
    row = session.execute(query).one()
    return {view: int(value or 0) for view, value in zip(WORK_VIEWS, row, strict=True)}


def _selection(where: QueueFilter, dialect: str) -> Select[Any]:
    """The ids of the stories in the view: filters, status tab or work view."""
    query = _filtered(select(col(Story.id)), where, dialect)  # type: ignore[arg-type]
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
    counts = status_counts(session, replace(where, status=None))
    works = work_counts(session, where)
    if where.work in WORK_VIEWS:
        total = works[where.work]
    else:
        total = counts[where.status.value] if where.status is not None else counts["all"]
    pages = max(1, -(-total // page_size))
    page = min(max(1, where.page), pages)
    # The page's ids first (the filters and the order need only a few columns), then the rows.
    query = _selection(where, dialect)
    ordered = _ordered(query, where.sort).limit(page_size).offset((page - 1) * page_size)
    ids = list(session.scalars(ordered))
    stories = _stories(session, ids)
    return QueuePage(_decorate(session, stories, where.q), total, page, pages, counts, works)


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
