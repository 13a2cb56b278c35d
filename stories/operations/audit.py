"""The audit trail: every login, decision, edit, flag resolution, override and export.

Everyone calls `record(session, actor, action, story=..., details=..., ip=...)`. The event is added
to the session and committed together with the change it describes (the caller commits).

The log is append-only: database triggers refuse UPDATE and DELETE (migration 0010), and each
event carries `chain_hash`, the SHA-256 of the previous event's hash and its own content, so an
event changed or removed behind the triggers' back breaks the chain (`verify`, `flask audit
verify`). Writers are serialised while they chain: on PostgreSQL by a transaction-level advisory
lock, on SQLite by its single writer (the site's write transactions begin IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from stories.models import AuditEvent, User

# The action names in use; other modules may record their own (e.g. "flag.dismiss").
LOGIN = "login"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
LOGIN_LOCKED = "login.locked"


class _HasId(Protocol):
    id: int | None


def _id(value: _HasId | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.id


def _request_ip() -> str:
    """The client address of the current request, or "" outside a request (CLI, scripts)."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - Flask is always installed with the site
        return ""
    if has_request_context():
        return (request.remote_addr or "")[:64]
    return ""


def record(
    session: Session,
    actor: _HasId | int | None,
    action: str,
    story: _HasId | int | None = None,
    details: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add one audit event. `ip=None` takes the current request's address when there is one."""
    event = AuditEvent(
        actor_id=_id(actor),
        action=action,
        story_id=_id(story),
        ip=(_request_ip() if ip is None else ip)[:64],
        details=dict(details or {}),
    )
    event.chain_hash = chain_hash(_previous_hash(session), event)
    session.info[_CHAIN] = (session.get_transaction(), event.chain_hash)
    session.add(event)
    return event


_CHAIN = "audit_chain"  # session.info: (transaction, hash of its last event)
_LOCK_KEY = 7_150_001  # the advisory lock that serialises audit writers on PostgreSQL


def _previous_hash(session: Session) -> str:
    """The hash of the newest event, as this transaction sees it (its own unflushed ones too)."""
    transaction = session.get_transaction()
    known = session.info.get(_CHAIN)
    if known is not None and transaction is not None and known[0] is transaction:
        return known[1]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = connection.execute(
        text("SELECT chain_hash FROM audit_event ORDER BY id DESC LIMIT 1")
    ).scalar()
    return last or ""


def _payload(event: AuditEvent) -> str:
    created = event.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    stamp = created.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [event.actor_id, event.action, event.story_id, event.ip or "", event.details, stamp]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(previous: str, event: AuditEvent) -> str:
    return hashlib.sha256((previous + _payload(event)).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    events: int
    broken: list[int]  # ids of the events whose hash does not follow from the one before

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(session: Session, batch: int = 2000) -> ChainReport:
    """Recompute the chain over every event in id order."""
    previous, count, broken, after = "", 0, [], 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > after).order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()  # fmt: skip
        if not rows:
            return ChainReport(count, broken)
        for event in rows:
            count += 1
            if chain_hash(previous, event) != event.chain_hash:
                broken.append(event.id or 0)
            previous = event.chain_hash
            after = event.id or 0


@dataclass(frozen=True)
class EventRow:
    """An audit event as plain data for the pages."""

    id: int
    created_at: datetime
    actor: str  # username, or "" for the system / anonymous
    action: str
    story_id: int | None
    ip: str
    details: dict[str, Any]


@dataclass(frozen=True)
class EventFilter:
    actor: str = ""  # username
    action: str = ""  # exact action, or a prefix ending in "." such as "story."
    story_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def events(
    session: Session, where: EventFilter = EventFilter(), limit: int = 200, offset: int = 0
) -> tuple[list[EventRow], int]:
    """Events newest first, filtered; returns (one page, total count)."""
    query = select(AuditEvent, User.username).join(
        User, col(AuditEvent.actor_id) == col(User.id), isouter=True
    )
    if where.actor:
        query = query.where(User.username == where.actor)
    if where.action.endswith("."):
        query = query.where(col(AuditEvent.action).startswith(where.action))
    elif where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.story_id is not None:
        query = query.where(AuditEvent.story_id == where.story_id)
    if where.since is not None:
        query = query.where(col(AuditEvent.created_at) >= where.since)
    if where.until is not None:
        query = query.where(col(AuditEvent.created_at) < where.until)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    query = query.order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return [
        EventRow(
            id=event.id or 0,
            created_at=event.created_at,
            actor=username or "",
            action=event.action,
            story_id=event.story_id,
            ip=event.ip,
            details=event.details or {},
        )
        for event, username in rows
    ], total


def actions(session: Session) -> list[str]:
    """The distinct actions recorded so far, for the filter menu."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(session.exec(query).all())
