"""Admin pages: accounts (create, role, deactivate, password) and the audit log with filters,
pages and a CSV download.

Deactivating an account and an admin demoting themselves are confirmed on a page of their own
first (no JavaScript needed); the last active admin can never be demoted or deactivated
(stories.operations.accounts refuses it)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    Response as FlaskResponse,
)
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from stories import db, passwords
from stories.labels import audit_action_label, audit_detail, role_label
from stories.models import Role
from stories.operations import accounts, audit
from stories.web.auth import actor, role_required
from stories.web.common import ConfirmForm, run
from stories.web.editors.forms import CreateUserForm, PasswordForm, RoleForm, role_choices

bp = Blueprint("admin", __name__, url_prefix="/editor/admin")

PAGE_SIZE = 100


def _form_errors(form: FlaskForm) -> None:
    for field, errors in form.errors.items():
        label = getattr(form, field).label.text if hasattr(form, field) else field
        for error in errors:
            flash(f"{label}: {error}", "error")


@bp.get("/users")
@role_required(Role.admin)
def users() -> str:
    return render_template(
        "web/admin/users.html",
        users=accounts.users(db.session()),
        create_form=CreateUserForm(),
        role_choices=role_choices(),
        min_password=passwords.MIN_LENGTH,
    )


@bp.post("/users")
@role_required(Role.admin)
def create_user() -> Response:
    form = CreateUserForm()
    if form.validate_on_submit():
        username, password, role = (
            form.username.data or "",
            form.password.data or "",
            form.role.data,
        )
        name, admin = form.display_name.data or "", actor()
        run(
            lambda session: accounts.create_user(session, username, password, role, name, admin),
            _("Account %(name)s created.", name=username),
        )
    else:
        _form_errors(form)
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.admin)
def change_role(user_id: int) -> Response | str:
    form = RoleForm()
    if form.validate_on_submit():
        role, admin = form.role.data, actor()
        demoting_self = user_id == admin.id and role != Role.admin.value
        try:
            accounts.check_role(db.session(), accounts.get(db.session(), user_id), role or "")
        except accounts.AccountError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.users"))
        if demoting_self and request.form.get("confirmed") != "yes":
            return render_template(
                "web/editor/confirm.html",
                heading=_("Give up your admin rights?"),
                question=_(
                    "You are about to make your own account a %(role)s. You will lose the "
                    "admin pages (accounts, audit log) at once; another admin has to give them "
                    "back.",
                    role=role_label(role or ""),
                ),
                details=[], message="", kind="reject",
                action_url=url_for("admin.change_role", user_id=user_id),
                fields=[("role", role)],
                confirm_label=_("Yes, change my role"),
                back_url=url_for("admin.users"),
            )  # fmt: skip
        run(lambda session: accounts.set_role(session, admin, user_id, role), _("Role changed."))
    else:
        _form_errors(form)
    return redirect(url_for("admin.users"))


def _set_active(user_id: int, active: bool, done: str) -> None:
    admin = actor()
    run(lambda session: accounts.set_active(session, admin, user_id, active), done)


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.admin)
def deactivate(user_id: int) -> Response | str:
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("admin.users"))
    if request.form.get("confirmed") != "yes":
        try:
            user = accounts.get(db.session(), user_id)
            accounts.check_deactivate(db.session(), actor(), user)
        except accounts.AccountError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.users"))
        return render_template(
            "web/editor/confirm.html",
            heading=_("Deactivate %(name)s?", name=user.username),
            question=_(
                "%(name)s can no longer log in, and any open session ends. The account and "
                "everything it did stay; you can activate it again.",
                name=user.display_name or user.username,
            ),
            details=[], message="", fields=[], kind="reject",
            action_url=url_for("admin.deactivate", user_id=user_id),
            confirm_label=_("Yes, deactivate"),
            back_url=url_for("admin.users"),
        )  # fmt: skip
    _set_active(user_id, False, _("Account deactivated."))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.admin)
def activate(user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        _set_active(user_id, True, _("Account activated."))
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@role_required(Role.admin)
def reset_password(user_id: int) -> Response:
    form = PasswordForm()
    if form.validate_on_submit():
        password, admin = form.password.data or "", actor()
        run(
            lambda session: accounts.reset_password(session, admin, user_id, password),
            _("Password changed."),
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


def _audit_filter() -> audit.EventFilter:
    args = request.args
    since, until = _day(args.get("since")), _day(args.get("until"))
    story = args.get("story", "").strip().lstrip("#")
    return audit.EventFilter(
        actor=args.get("actor", "").strip(),
        action=args.get("action", "").strip(),
        story_id=int(story) if story.isdigit() else None,
        since=_local_midnight(since) if since else None,
        until=_local_midnight(until + timedelta(days=1)) if until else None,
    )


@bp.get("/audit")
@role_required(Role.admin)
def audit_log() -> str:
    args, where = request.args, _audit_filter()
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


AUDIT_CSV_LIMIT = 100_000


@bp.get("/audit.csv")
@role_required(Role.admin)
def audit_csv() -> FlaskResponse:
    """The filtered audit log as CSV (newest first), details in the reader's language."""
    session = db.session()
    events, total = audit.events(session, _audit_filter(), limit=AUDIT_CSV_LIMIT)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Time"), _("Who"), _("Action"), _("Story"), _("IP address"), _("Details")])
    for event in events:
        details = "; ".join(
            "{}: {}".format(*audit_detail(key, value)) for key, value in event.details.items()
        )
        row = [
            event.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor, audit_action_label(event.action), event.story_id or "", event.ip, details,
        ]  # fmt: skip
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    audit.record(session, actor(), "audit.export", details={"rows": len(events), "total": total})
    session.commit()
    stamp = datetime.now(zone).strftime("%Y%m%d-%H%M")
    return FlaskResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=audit-{stamp}.csv"},
    )
