"""How many stories the queue's tabs and "my work" views hold, with the filters applied."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from stories.models import Story, StoryStatus
from stories.queries.filters import (
    OPEN_STATUSES,
    WAITING_STATUSES,
    WORK_VIEWS,
    QueueFilter,
    filtered,
    has_open_flags,
    work_condition,
)

REVISED, MINE, FLAGGED = 1, 2, 4  # a search's facts per story (search_counts)


def status_counts(session: Session, where: QueueFilter) -> dict[str, int]:
    dialect = session.get_bind().dialect.name
    base = select(Story.status, func.count()).select_from(Story)
    query = filtered(base, where, dialect)  # type: ignore[arg-type]
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
        query = filtered(select(*columns).select_from(Story), where, dialect)  # type: ignore[arg-type]
        row = session.execute(query.where(*conditions)).one()
        return tuple(int(value or 0) for value in row)

    status, revised_at = col(Story.status), col(Story.revised_by_author_at)
    (new,) = count(status == StoryStatus.submitted, revised_at.is_(None))
    (revised,) = count(revised_at.is_not(None))
    not_new = and_(revised_at.is_(None), status != StoryStatus.submitted)
    mine, mine_not_new = count(
        col(Story.assigned_to_id) == me,
        status.in_(WAITING_STATUSES),
        columns=(func.count(), func.coalesce(func.sum(case((not_new, 1), else_=0)), 0)),
    )
    others = or_(col(Story.assigned_to_id).is_(None), col(Story.assigned_to_id) != me)
    flagged, flagged_rest = count(
        status.in_(OPEN_STATUSES),
        has_open_flags(dialect),
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
    query = filtered(select(*columns).select_from(Story), where, dialect)  # type: ignore[arg-type]
    row = session.execute(query).one()
    return {view: int(value or 0) for view, value in zip(WORK_VIEWS, row, strict=True)}


def search_counts(session: Session, where: QueueFilter) -> tuple[dict[str, int], dict[str, int]]:
    """The tab counts and the "my work" counts of a search, in one pass over its matches.

    The matches are grouped by status and by the three facts the work views test (revised by
    the author, assigned to me, open flags); every count is then a sum of groups, the "needs
    me" union included. One pass instead of one per count: for a word in most stories the
    matches are computed and read once."""
    dialect = session.get_bind().dialect.name
    me = where.me if where.me is not None else -1  # no account has the id -1
    status = col(Story.status)
    # The facts as the bits of one number (fewer columns to group by; the flags are looked up
    # only for the statuses the flagged view holds).
    facts = (
        case((col(Story.revised_by_author_at).is_not(None), REVISED), else_=0)
        + case((col(Story.assigned_to_id) == me, MINE), else_=0)
        + case((and_(status.in_(OPEN_STATUSES), has_open_flags(dialect)), FLAGGED), else_=0)
    )
    query = select(status.label("status"), facts.label("facts")).select_from(Story)
    matches = filtered(query, where, dialect, driven=True).subquery()  # type: ignore[arg-type]
    grouped = select(*matches.c, func.count()).group_by(*matches.c)
    counts = {value.value: 0 for value in StoryStatus}
    works = dict.fromkeys(WORK_VIEWS, 0)
    for status_value, bits, count in session.execute(grouped).all():
        story_status = StoryStatus(status_value)
        counts[story_status.value] += count
        views = {
            "new": story_status == StoryStatus.submitted and not bits & REVISED,
            "revised": bool(bits & REVISED),
            "mine": bool(bits & MINE) and where.me is not None and story_status in WAITING_STATUSES,
            "flagged": bool(bits & FLAGGED),
        }
        views["needs"] = any(views.values())
        for view, holds in views.items():
            works[view] += count if holds else 0
    counts["all"] = sum(counts.values())
    return counts, works
