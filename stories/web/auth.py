"""Logins for editors, publishers and admins: Flask-Login, argon2 hashes, roles, rate limits.

Roles nest: an admin may do everything, a publisher everything an editor may. Views use
`login_required` (anonymous visitors go to the login page) and `role_required(Role.admin)`
(a logged-in user without the role gets the friendly 403 page). A submitter's tracking code is
never a login: only these accounts reach editorial pages.
"""

from __future__ import annotations

import functools
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from stories import db, passwords
from stories.models import Role, User
from stories.operations import accounts, audit
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
            token=passwords.session_token(user.password_hash),
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> str | Response:
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or home_url())
    form = LoginForm()
    if form.validate_on_submit():
        session = db.session()
        try:
            user = accounts.authenticate(
                session, form.username.data or "", form.password.data or ""
            )
        except accounts.LoginFailed as error:
            session.commit()  # keep the audit event of the failed attempt
            flash(str(error), "error")
        else:
            session.commit()
            login_user(Account.of(user))
            flash(_("Welcome, %(name)s.", name=user.display_name or user.username), "info")
            return redirect(next_url or home_url())
    return render_template("web/auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        session = db.session()
        audit.record(session, current_user.id, audit.LOGOUT)
        session.commit()
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_LOGIN", "10 per minute;60 per hour")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.register_blueprint(bp)
    app.jinja_env.globals.update(staff_home_url=home_url, staff_links=_staff_links)
