"""Accounts: create users, log in, change roles, deactivate, reset passwords."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, func, select

from stories import passwords
from stories.db import utcnow
from stories.models import AuditEvent, Role, User
from stories.operations import OperationError, audit

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


class AccountError(OperationError):
    """An account change was refused."""


class LoginFailed(OperationError):
    """Wrong username or password, or the account is deactivated (never says which)."""


def _check_password(password: str) -> None:
    if len(password) < passwords.MIN_LENGTH:
        raise AccountError(
            _l("The password must have at least %(n)s characters.", n=passwords.MIN_LENGTH)
        )


def find(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip())).first()


def get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError(_l("No such user."))
    return user


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    actor: User | None = None,
) -> User:
    username = username.strip()
    if not USERNAME.match(username):
        raise AccountError(
            _l("A username has 2 to 64 letters, digits, dots, hyphens or underscores.")
        )
    if find(session, username) is not None:
        raise AccountError(_l("The username %(name)s is already taken.", name=username))
    _check_password(password)
    user = User(
        username=username,
        display_name=display_name.strip()[:100],
        password_hash=passwords.hash_password(password),
        role=Role(role),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", details={"user": username, "role": user.role.value})
    return user


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this password; records the login (or the failed attempt)."""
    user = find(session, username)
    if user is None:
        passwords.burn_time(password)
    if user is None or not passwords.verify(user.password_hash, password) or not user.is_active:
        audit.record(session, user, audit.LOGIN_FAILED, details={"username": username[:64]})
        raise LoginFailed(_l("Wrong username or password."))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, user, audit.LOGIN)
    return user


def end_sessions(session: Session, user: User) -> None:
    """Every login session of the account ends (the nonce is part of each session's id)."""
    user.session_nonce = secrets.token_hex(8)
    session.add(user)


def logout(session: Session, user: User) -> None:
    """The user logs out: this session and any copy of its cookie stop working."""
    end_sessions(session, user)
    audit.record(session, user, audit.LOGOUT)


def record_lockout(session: Session, username: str) -> None:
    """Too many failed logins for this username: an audit event the owner is shown later."""
    user = find(session, username)
    audit.record(session, user, audit.LOGIN_LOCKED, details={"username": username[:64]})


def lockouts_since(session: Session, user: User, since: datetime | None) -> list[AuditEvent]:
    """The lockouts of the account since its previous login (newest first)."""
    query = select(AuditEvent).where(
        AuditEvent.actor_id == user.id, AuditEvent.action == audit.LOGIN_LOCKED
    )
    if since is not None:
        query = query.where(AuditEvent.created_at > since)
    return list(session.exec(query.order_by(AuditEvent.id.desc())).all())  # type: ignore[union-attr]


def _active_admins(session: Session) -> int:
    query = select(func.count()).where(User.role == Role.admin, User.is_active == True)  # noqa: E712
    return session.exec(query).one()


def _guard_last_admin(session: Session, user: User) -> None:
    if user.role == Role.admin and user.is_active and _active_admins(session) <= 1:
        raise AccountError(_l("%(name)s is the last active admin.", name=user.username))


def check_role(session: Session, user: User, role: Role | str) -> None:
    """Refuse (AccountError) a role change that would leave no active admin."""
    if Role(role) != Role.admin:
        _guard_last_admin(session, user)


def check_deactivate(session: Session, actor: User, user: User) -> None:
    """Refuse (AccountError) deactivating yourself or the last active admin."""
    if user.id == actor.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    _guard_last_admin(session, user)


def _still_an_admin(session: Session) -> None:
    """After the change, in the same transaction: at least one active admin is left (a second
    admin acting at the same moment cannot take the last two away one each)."""
    session.flush()
    if _active_admins(session) < 1:
        raise AccountError(_l("At least one active admin must remain."))


def set_role(session: Session, actor: User, user_id: int, role: Role | str) -> User:
    user = get(session, user_id)
    role = Role(role)
    if role == user.role:
        return user
    check_role(session, user, role)
    old = user.role
    user.role = role
    session.add(user)
    _still_an_admin(session)
    audit.record(
        session,
        actor,
        "user.role",
        details={"user": user.username, "from": old.value, "to": role.value},
    )
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = get(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        check_deactivate(session, actor, user)
    user.is_active = active
    if not active:
        end_sessions(session, user)
    session.add(user)
    _still_an_admin(session)
    action = "user.activate" if active else "user.deactivate"
    audit.record(session, actor, action, details={"user": user.username})
    return user


def reset_password(session: Session, actor: User | None, user_id: int, password: str) -> User:
    """A new password; the user's existing login sessions end."""
    user = get(session, user_id)
    _check_password(password)
    user.password_hash = passwords.hash_password(password)
    end_sessions(session, user)
    audit.record(session, actor, "user.password_reset", details={"user": user.username})
    return user


def set_mail(session: Session, user: User, email: str, digest: bool) -> User:
    """An account's own e-mail address and whether it gets the daily digest."""
    email = email.strip()[:200]
    if digest and not email:
        raise AccountError(_l("Please enter an e-mail address for the daily digest."))
    if digest and not user.digest:
        user.digest_sent_at = utcnow()  # the first digest tells what happens from now on
    user.email, user.digest = email, digest
    session.add(user)
    audit.record(session, user, "user.mail", details={"digest": digest})
    session.flush()
    return user


def users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)).all())
