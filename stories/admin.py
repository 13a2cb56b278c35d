"""Admin pages: accounts (create, role, deactivate, password) and the audit log with filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from stories import db, passwords
from stories.auth import actor, role_required
from stories.labels import ROLE
from stories.models import Role
from stories.operations import OperationError, accounts, audit

bp = Blueprint("admin", __name__, url_prefix="/editor/admin")

PAGE_SIZE = 100


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(label)) for role, label in ROLE.items()]


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Display name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=_role_choices, default=Role.editor.value)
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=200)]
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices)


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=passwords.MIN_LENGTH, max=200)],
    )


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token."""


def _form_errors(form: FlaskForm) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        for error in errors:
            flash(f"{label}: {error}", "error")


def _run(change: str, operation: Callable[..., object], *args: object) -> None:
    """Call one account operation, commit, and flash the outcome."""
    session = db.session()
    try:
        operation(session, *args)
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
    else:
        session.commit()
        flash(change, "info")


@bp.get("/users")
@role_required(Role.admin)
def users() -> str:
    return render_template(
        "web/admin/users.html",
        users=accounts.users(db.session()),
        create_form=CreateUserForm(),
        role_choices=_role_choices(),
        min_password=passwords.MIN_LENGTH,
    )


@bp.post("/users")
@role_required(Role.admin)
def create_user() -> Response:
    form = CreateUserForm()
    if form.validate_on_submit():
        _run(
            _("Account %(name)s created.", name=form.username.data),
            accounts.create_user,
            form.username.data or "",
            form.password.data or "",
            form.role.data,
            form.display_name.data or "",
            actor(),
        )
    else:
        _form_errors(form)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.admin)
def change_role(user_id: int) -> Response:
    form = RoleForm()
    if form.validate_on_submit():
        _run(_("Role changed."), accounts.set_role, actor(), user_id, form.role.data)
    else:
        _form_errors(form)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.admin)
def deactivate(user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        _run(_("Account deactivated."), accounts.set_active, actor(), user_id, False)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.admin)
def activate(user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        _run(_("Account activated."), accounts.set_active, actor(), user_id, True)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@role_required(Role.admin)
def reset_password(user_id: int) -> Response:
    form = PasswordForm()
    if form.validate_on_submit():
        _run(
            _("Password changed."),
            accounts.reset_password,
            actor(),
            user_id,
            form.password.data or "",
        )
    else:
        _form_errors(form)
    return redirect(url_for("admin.users"))


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _local_midnight(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time(0, 0), tzinfo=zone)


@bp.get("/audit")
@role_required(Role.admin)
def audit_log() -> str:
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    story = args.get("story", "").strip().lstrip("#")
    where = audit.EventFilter(
        actor=args.get("actor", "").strip(),
        action=args.get("action", "").strip(),
        story_id=int(story) if story.isdigit() else None,
        since=_local_midnight(since) if since else None,
        until=_local_midnight(until + timedelta(days=1)) if until else None,
    )
    page = max(args.get("page", 1, type=int) or 1, 1)
    session = db.session()
    events, total = audit.events(session, where, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "web/admin/audit.html",
        events=events,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        actions=audit.actions(session),
        usernames=[user.username for user in accounts.users(session)],
        args=args,
    )
