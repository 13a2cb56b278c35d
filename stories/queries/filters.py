"""The queue's filters as SQL conditions: the filter form, the "my work" views, the search.

`listing` (the pages) and `counts` (the tabs' and the views' counts) build on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, literal_column, or_, true
from sqlalchemy.sql import Select
from sqlmodel import col, select

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

# "My work": what needs the signed-in editor. "needs" is all four together; "all" is the queue
# without a work view (the status tabs).
WORK_VIEWS = ("needs", "new", "revised", "mine", "flagged")
OPEN_STATUSES = (StoryStatus.submitted, StoryStatus.in_review)
WAITING_STATUSES = (*OPEN_STATUSES, StoryStatus.revision_requested)  # "assigned to me"
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


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def _story_id(dialect: str) -> Any:
    """Story.id to test against a set of ids. On SQLite `id + 0`: it would otherwise fetch each
    story of the set by its id, reading past the body (its overflow pages) to the columns after
    it; so it stays on the covering indexes, which hold the id too."""
    return col(Story.id) + 0 if dialect == "sqlite" else col(Story.id)


def has_open_flags(dialect: str = "") -> Any:
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
    mine = (
        and_(col(Story.assigned_to_id) == me, col(Story.status).in_(WAITING_STATUSES))
        if me is not None
        else false()
    )
    flagged = and_(col(Story.status).in_(OPEN_STATUSES), has_open_flags(dialect))
    views = {"new": new, "revised": revised, "mine": mine, "flagged": flagged}
    if view == "needs":
        return or_(*views.values())
    return views[view]


def filtered(
    query: Select[Any], where: QueueFilter, dialect: str, driven: bool = False, probe: bool = False
) -> Select[Any]:
    """Every filter except the status (the tabs count across statuses) and the work view.

    A search is a test of each story against the set of matches, or with `driven` a join from
    the matches to the stories (each match one lookup in `ix_story_queue_match`): cheaper when
    the matches are far fewer than the stories, or when every match is read anyway (the
    counts). With `probe` (PostgreSQL), each story is tested on its own tsvector
    (`search.matches_story`): cheapest for a page when the view's stories are so dense in the
    order's index that only a few hundred are read before the page is full."""
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
        query = query.where(has_open_flags(dialect))
    if where.assigned == "none":
        query = query.where(col(Story.assigned_to_id).is_(None))
    elif where.assigned.isdigit():
        query = query.where(col(Story.assigned_to_id) == int(where.assigned))
    if where.since is not None:
        query = query.where(col(Story.submitted_at) >= _day_start(where.since))
    if where.until is not None:
        query = query.where(col(Story.submitted_at) < _day_start(where.until + timedelta(days=1)))
    if where.q.strip() and probe and dialect == "postgresql":
        tested = search.matches_story(where.q, col(Story.id))
        if tested is not None:
            query = query.where(tested)
    elif where.q.strip():
        matching = search.matching_ids(dialect, where.q)
        if matching is not None:
            matches = matching.columns(literal_column("story_id"))
            ids = matches.subquery()
            if driven:
                query = query.join(ids, col(Story.id) == ids.c.story_id)
            elif dialect == "postgresql":
                # `IS TRUE` keeps PostgreSQL from making the test a join (it would then sort
                # every match for a page): the matches are hashed once and the order's index
                # is read until the page is full. MATERIALIZED plans the matches on their own,
                # with the GIN index (as a hashed subquery they could be planned as a scan of
                # every tsvector, read from TOAST).
                found = matches.cte("search_match").prefix_with("MATERIALIZED")
                query = query.where(col(Story.id).in_(select(found.c.story_id)).is_(true()))
            else:
                query = query.where(_story_id(dialect).in_(select(ids.c.story_id)))
    return query


def searching(where: QueueFilter) -> bool:
    return bool(where.q.strip()) and bool(search.query_words(where.q))
