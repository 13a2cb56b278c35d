"""Logins for editors, publishers and admins: Flask-Login, argon2 hashes, roles, rate limits.

Roles nest: an admin may do everything, a publisher everything an editor may. Views use
`login_required` (anonymous visitors go to the login page) and `role_required(Role.admin)`
(a logged-in user without the role gets the friendly 403 page). A submitter's tracking code is
never a login: only these accounts reach editorial pages.

A session's id carries a token derived from the password hash and the account's session nonce,
checked against the database on every request: logout, a new password and deactivation change
them, so every session of the account ends, copies of its cookie included. A session unused for
`SESSION_IDLE_MINUTES` ends too. Failed logins are counted per address (Flask-Limiter) and per
username (`RATELIMIT_LOGIN_ACCOUNT`, shared by all processes): past the limit the account is
locked for a while, and its owner is told at the next login.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from stories import db, passwords, throttle
from stories.models import Role, User
from stories.operations import accounts
from stories.web.security import limiter

login_manager = LoginManager()
bp = Blueprint("auth", __name__)

GRANTS: dict[Role, frozenset[Role]] = {
    Role.admin: frozenset({Role.admin, Role.publisher, Role.editor}),
    Role.publisher: frozenset({Role.publisher, Role.editor}),
    Role.editor: frozenset({Role.editor}),
}

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Account:
    """The logged-in user as plain data (what `current_user` is for a logged-in visitor)."""

    id: int
    username: str
    display_name: str
    role: Role
    token: str  # changes with the password: a reset ends other sessions

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(cls, user: User) -> Account:
        assert user.id is not None
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            token=passwords.session_token(user.password_hash + user.session_nonce),
        )

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_id(self) -> str:
        return f"{self.id}:{self.token}"

    def can(self, role: Role | str) -> bool:
        return Role(role) in GRANTS[self.role]


@login_manager.user_loader
def _load_user(user_id: str) -> Account | None:
    number, _sep, token = user_id.partition(":")
    if not number.isdigit():
        return None
    user = db.session().get(User, int(number))
    if user is None or not user.is_active:
        return None
    account = Account.of(user)
    return account if account.token == token else None


def _to_login() -> Response:
    """The login page; GET requests come back to where they were after logging in."""
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))


def login_required(view: F) -> F:
    """Anonymous visitors are sent to the login page, and come back afterwards."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _to_login()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def role_required(*roles: Role | str) -> Callable[[F], F]:
    """Only users holding one of `roles` (admin implies all, publisher implies editor)."""
    wanted = [Role(role) for role in roles]

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _to_login()
            if not any(current_user.can(role) for role in wanted):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def actor() -> User:
    """The logged-in user's row in this request's session (for operations)."""
    user = db.session().get(User, current_user.id)
    if user is None:  # pragma: no cover - the loader has just found it
        abort(403)
    return user


def home_url() -> str:
    """Where editors land: the queue when it exists, else the recent stories."""
    if "queue.index" in current_app.view_functions:
        return url_for("queue.index")
    return url_for("story.recent")


# Links in the staff navigation: (endpoint, label, least role). Other blueprints add theirs with
# `add_staff_link`; links to endpoints that are not registered are left out.
STAFF_LINKS: list[tuple[str, Any, Role]] = [
    ("volumes.index", _l("Volumes"), Role.publisher),
    ("admin.users", _l("Accounts"), Role.admin),
    ("admin.audit_log", _l("Audit log"), Role.admin),
]


def add_staff_link(endpoint: str, label: Any, role: Role) -> None:
    if all(link[0] != endpoint for link in STAFF_LINKS):
        STAFF_LINKS.insert(max(len(STAFF_LINKS) - 2, 0), (endpoint, label, role))


def _staff_links() -> list[tuple[str, Any, Role]]:
    return [link for link in STAFF_LINKS if link[0] in current_app.view_functions]


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


ACCOUNT_LIMIT = throttle.LOGIN_ACCOUNT


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url())
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("web/auth/login.html", form=form)
    username = form.username.data or ""
    key = throttle.account_key(username)
    if throttle.exceeded(ACCOUNT_LIMIT, key):
        # The same answer for every username, existing or not, right password or wrong.
        flash(_locked_message(), "error")
        return render_template("web/auth/login.html", form=form), 429
    session = db.session()
    previous_login = None
    try:
        known = accounts.find(session, username)
        previous_login = known.last_login_at if known is not None else None
        user = accounts.authenticate(session, username, form.password.data or "")
    except accounts.LoginFailed as error:
        throttle.hit(ACCOUNT_LIMIT, key)
        if throttle.exceeded(ACCOUNT_LIMIT, key):  # this failure used up the allowance
            accounts.record_lockout(session, username)
            flash(_locked_message(), "error")
        else:
            flash(str(error), "error")
        session.commit()  # keep the audit event of the failed attempt
        return render_template("web/auth/login.html", form=form)
    lockouts = accounts.lockouts_since(session, user, previous_login)
    session.commit()
    throttle.clear(ACCOUNT_LIMIT, key)
    _fresh_cookie()  # stamped for the idle timeout
    login_user(Account.of(user))
    cookie["seen"] = int(time.time())
    flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "info")
    if lockouts:
        flash(
            _(
                "Since your last login your account was locked %(n)s time(s) after repeated "
                "wrong passwords, last from the address %(ip)s. If that was not you, choose a "
                "new password and tell an admin.",
                n=len(lockouts),
                ip=lockouts[0].ip or "?",
            ),
            "warning",
        )
    return redirect(next_url or home_url())


def _locked_message() -> str:
    return _(
        "Too many failed logins for this account. It is locked for a while: please try again "
        "in %(minutes)s minutes, or ask an admin.",
        minutes=_lock_minutes(),
    )


def _lock_minutes() -> int:
    from limits import parse_many

    items = parse_many(current_app.config[ACCOUNT_LIMIT])
    return max(1, max(item.get_expiry() for item in items) // 60)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        session = db.session()
        accounts.logout(session, actor())
        session.commit()
        logout_user()
        _fresh_cookie()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


KEPT = ("lang", "csrf_token")  # what survives a login or logout in the cookie


def _fresh_cookie() -> None:
    """Nothing of the previous session but the language and the form token."""
    for key in [key for key in cookie if key not in KEPT]:
        cookie.pop(key)


def _idle_timeout() -> Response | None:
    """End a staff session left unused for SESSION_IDLE_MINUTES; stamp the others."""
    if "_user_id" not in cookie:
        return None
    now = int(time.time())
    seen = cookie.get("seen")
    limit = int(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    if limit and (not isinstance(seen, int) or now - seen > limit):
        logout_user()
        _fresh_cookie()
        flash(_("You were logged out after a time without activity. Please log in again."),
              "info")  # fmt: skip
        if request.path.startswith("/editor"):
            return _to_login()
        return None
    if seen != now:
        cookie["seen"] = now
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_idle_timeout)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.register_blueprint(bp)
    app.jinja_env.globals.update(staff_home_url=home_url, staff_links=_staff_links)
