"""Mail pages for staff: one's own account (e-mail address, daily digest) and, for admins, the
outbox: every message with its state, what failed and why, its text, and sending it again."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from stories import db
from stories.models import MailState, OutboxMessage, Role
from stories.operations import accounts
from stories.operations.mail import outbox
from stories.web.auth import actor, add_staff_link, login_required, role_required
from stories.web.common import ConfirmForm, run
from stories.web.editors.forms import MailSettingsForm

bp = Blueprint("mail", __name__, url_prefix="/editor")
PAGE_SIZE = 100
add_staff_link("mail.account", _l("My account"), Role.editor)
add_staff_link("mail.outbox", _l("Outbox"), Role.admin)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> str | Response:
    user = actor()
    form = MailSettingsForm(obj=user)
    if form.validate_on_submit():
        done = run(lambda session: accounts.set_mail(session, user, form.email.data or "",
                                                     bool(form.digest.data)),
                   _("Your mail settings are saved."))  # fmt: skip
        if done.ok:
            return redirect(url_for(".account"), 303)
    return render_template("web/editor/account.html", form=form, user=user)


@bp.get("/admin/outbox")
@role_required(Role.admin)
def outbox_page() -> str:
    value = request.args.get("state", "")
    state = MailState(value) if value in MailState.__members__ else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, counts = outbox.listing(db.session(), state, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    return render_template(
        "web/admin/outbox.html", messages=rows[:PAGE_SIZE], counts=counts, state=state,
        page=page, more=len(rows) > PAGE_SIZE, states=list(MailState), form=ConfirmForm(),
        mail_enabled=outbox.mail_enabled(),
    )  # fmt: skip


@bp.get("/admin/outbox/<int:message_id>")
@role_required(Role.admin)
def message(message_id: int) -> str:
    row = db.session().get(OutboxMessage, message_id)
    if row is None:
        abort(404)
    return render_template("web/admin/message.html", message=row, form=ConfirmForm(),
                           mail_enabled=outbox.mail_enabled())  # fmt: skip


@bp.post("/admin/outbox/<int:message_id>/resend")
@role_required(Role.admin)
def resend(message_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        run(lambda session: outbox.resend(session, actor(), message_id),
            _("The message will be sent again."))  # fmt: skip
    if request.form.get("back") == "list":
        return redirect(url_for(".outbox_page"), 303)
    return redirect(url_for(".message", message_id=message_id), 303)
