"""Drafts of the submission form: save it (with the Word file), get a private draft link, and
go on later on any device (stories.operations.drafts)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from stories import db, i18n
from stories.operations import drafts
from stories.web.authors import submit
from stories.web.authors.forms import StoryForm
from stories.web.security import limiter

bp = Blueprint("drafts", __name__, url_prefix="/submit")


def _save_limit() -> str:
    return current_app.config.get("RATELIMIT_PREVIEW", "120 per hour")


@bp.post("/draft")
@limiter.limit(_save_limit)
def save() -> Response | tuple[str, int]:
    """Save the form as it is (nothing is checked but the security token and the Word file)."""
    form = StoryForm()
    form.ensure_token()
    upload_error = submit.take_upload(form)
    if upload_error is not None:
        form.docx.errors = [upload_error]
        return submit.form_page(form, 400)
    email = form.contact_email.data if form.valid_email() else ""
    saved = drafts.save(
        db.session(), form.draft_data(), email, i18n.current_language(), form.draft_code.data
    )
    db.session().commit()
    session["draft"] = {"link": saved.link, "mailed": bool(email),
                        "expires": saved.draft.expires_at.isoformat()}  # fmt: skip
    return redirect(url_for(".saved"), 303)


@bp.get("/draft-saved")
def saved() -> Response | str:
    info = session.get("draft")
    if not info:
        return redirect(url_for("submit.start"))
    expires = datetime.fromisoformat(info["expires"])
    return render_template(
        "web/draft_saved.html", link=info["link"], mailed=info["mailed"], expires=expires
    )


@bp.get("/draft/<code>")
def open_draft(code: str) -> tuple[str, int]:
    draft = drafts.find(db.session(), code)
    if draft is None:
        return render_template(
            "web/error.html",
            status=404,
            title=_("This draft is no longer here"),
            message=_(
                "The draft link has expired (drafts are kept for %(days)s days after the last "
                "save), or the story has already been sent.",
                days=current_app.config["DRAFT_DAYS"],
            ),
        ), 404
    form = StoryForm.from_draft(draft.form, code)
    flash(
        _("Your draft is back, as you saved it on %(when)s. It is kept until %(until)s.",
          when=format_datetime(draft.updated_at, "medium"),
          until=format_datetime(draft.expires_at, "medium")),
        "info",
    )  # fmt: skip
    return submit.form_page(form)


@bp.after_request
def _private(response: Response) -> Response:
    # The draft link is a private key: never cached, never sent elsewhere, never indexed.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
