"""The author's status page, reached by tracking code or private link; revision and withdrawal.

Every page under /track looks a story up by its code, so all of them share one rate limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from anthology.text import pictures as references
from anthology.text.markdown import render, to_plain
from stories import db, i18n
from stories.labels import status_label
from stories.models import Story, StoryStatus
from stories.operations import submission
from stories.operations.mail import links, messages
from stories.throttle import hit
from stories.web.authors.forms import LostForm, RevisionForm, TrackForm, sign_markdown
from stories.web.authors.submit import drop_upload, preview_pictures, validate_with_upload
from stories.web.common import ConfirmForm
from stories.web.pictures import addresses
from stories.web.security import limiter

bp = Blueprint("track", __name__, url_prefix="/track")


def _track_limit() -> str:
    return current_app.config["RATELIMIT_TRACK"]


track_limit = limiter.shared_limit(_track_limit, scope="track")


@dataclass(frozen=True)
class StatusView:
    """What the author sees about their story (never the private contact data)."""

    code: str  # the key in the page's links: the tracking code, or a mail's signed link
    shown_code: str  # the tracking code to show ("" when opened from a mail's link)
    title: str
    pen_name: str
    status: StoryStatus
    status_label: str
    editor_message: str
    submitted_at: datetime | None
    decided_at: datetime | None
    revisions: int
    body_html: str
    can_revise: bool
    can_withdraw: bool


def _view(story: Story, code: str) -> StatusView:
    assert story.id is not None
    return StatusView(
        code=code,
        shown_code="" if links.is_token(code) else code,
        title=story.title,
        pen_name=story.pen_name,
        status=story.status,
        status_label=status_label(story.status),
        editor_message=story.editor_message,
        submitted_at=story.submitted_at,
        decided_at=story.decided_at,
        revisions=len(submission.revisions(db.session(), story.id)),
        body_html=render(story.body, pictures=addresses(references.refs(story.body))),
        can_revise=story.status == StoryStatus.revision_requested,
        can_withdraw=story.status in submission.WITHDRAWABLE,
    )


def _not_found(form: TrackForm) -> tuple[str, int]:
    return render_template("web/status_lookup.html", form=form, not_found=True), 404


def _count_code(normalised: str | None) -> None:
    """Look-ups of one code are limited too (RATELIMIT_TRACK_CODE), whoever makes them."""
    if normalised and not hit("RATELIMIT_TRACK_CODE", submission.tracking_hash(normalised)):
        abort(429)


def _story(code: str) -> tuple[Story, str]:
    """The story for a code (or a mail's signed link) in the URL, and the code in its grouped
    form (the link as it is); 404 otherwise."""
    if links.is_token(code):
        story = submission.find_by_mail_link(db.session(), code)
        if story is None:
            abort(404)
        return story, code
    normalised = submission.normalise_code(code)
    _count_code(normalised)
    story = submission.find_by_tracking_code(db.session(), code) if normalised else None
    if story is None:
        abort(404)
    return story, submission.format_code(normalised or "")


@bp.route("", methods=["GET", "POST"])
@track_limit
def lookup() -> Response | tuple[str, int]:
    form = TrackForm()
    if request.method == "GET":
        return render_template("web/status_lookup.html", form=form, not_found=False), 200
    if not form.validate():
        return _not_found(form)
    _count_code(submission.normalise_code(form.code.data))
    story = submission.find_by_tracking_code(db.session(), form.code.data)
    if story is None:  # said once, above the form (not again at the field)
        return _not_found(form)
    code = submission.format_code(submission.normalise_code(form.code.data) or "")
    return redirect(url_for(".status", code=code), 303)


def _links_limit() -> str:
    return current_app.config["RATELIMIT_LINKS"]


def _address() -> str:
    """The rate limit's key for an address: the same however it is typed."""
    return "links:" + (request.form.get("email") or "").strip().lower()[:200]


@bp.route("/lost", methods=["GET", "POST"])
@limiter.limit(_links_limit, methods=["POST"], scope="links-client")
@limiter.limit(_links_limit, methods=["POST"], key_func=_address, scope="links-address")
def lost() -> tuple[str, int]:
    """ "Send me my links": the same answer whether the address is known or not."""
    form = LostForm()
    if request.method == "GET" or not form.validate():
        status = 200 if request.method == "GET" else 422
        return render_template("web/status_lost.html", form=form, done=False), status
    email = form.email.data or ""
    session = db.session()
    renewed = submission.new_links(session, email)
    if renewed:
        messages.links_mail(session, email, i18n.current_language(), renewed)
    session.commit()
    return render_template("web/status_lost.html", form=form, done=True), 200


@bp.get("/<code>")
@track_limit
def status(code: str) -> Response | str:
    story, canonical = _story(code)
    if code != canonical and not links.is_token(code):
        return redirect(url_for(".status", code=canonical))
    return render_template("web/status.html", story=_view(story, canonical))


@bp.route("/<code>/revise", methods=["GET", "POST"])
@track_limit
def revise(code: str) -> Response | tuple[str, int]:
    # The form is checked, a Word file converted and the text segmented and scanned before the
    # database is touched: the write transaction that follows is short.
    form = RevisionForm() if request.method == "POST" else None
    # The language switch sends the form with ?action=... instead of a button value.
    action = request.form.get("action") or request.args.get("action", "preview")
    editing = action == "edit" or bool(request.form.get("drop_docx"))
    valid, status = False, 200
    if form is not None and not editing:
        valid, status = validate_with_upload(form)
        if valid and action == "send":
            submission.prepare(form.title.data or "", form.markdown())
    story, code = _story(code)
    if story.status != StoryStatus.revision_requested:
        flash(_("This story is not waiting for a revision."), "info")
        return redirect(url_for(".status", code=code), 303)
    view = _view(story, code)
    if form is None:
        form = RevisionForm(
            title=story.title, body=to_plain(story.body), version=str(story.version)
        )
        # The typed text cannot hold pictures: the story's pictures come along as added ones.
        kept = "\n\n".join(
            references.reference(r.ref, r.description, r.caption)
            for r in references.references(story.body)
        )
        form.pictures_markdown.data = sign_markdown(kept) if kept else ""
        return render_template("web/status_revise.html", form=form, story=view), 200
    if editing:
        form.picture_texts(request.form)
        if request.form.get("drop_docx"):
            drop_upload(form)
        return render_template("web/status_revise.html", form=form, story=view), 200
    if not valid:
        return render_template("web/status_revise.html", form=form, story=view), status
    if action != "send":
        preview_html, fields = preview_pictures(form)
        return render_template(
            "web/status_revise_preview.html", form=form, story=view, story_html=preview_html,
            pictures=fields,
        ), 200  # fmt: skip
    return _send_revision(story, code, form)


def _send_revision(story: Story, code: str, form: RevisionForm) -> Response | tuple[str, int]:
    try:
        submission.revise_story(
            db.session(),
            story,
            form.title.data,
            form.markdown(),
            expected_version=form.expected_version(),
            note=form.note.data or "",
        )
        db.session().commit()
    except OperationalError:  # the database is busy: the author's revision comes back
        db.session().rollback()
        form.title.errors = [_busy_message()]
        page = render_template("web/status_revise.html", form=form, story=_view(story, code))
        return page, 503
    except submission.SubmissionError as error:
        db.session().rollback()
        if story.status == StoryStatus.revision_requested:
            # Changed meanwhile (e.g. by an editor) but still open: keep the author's text.
            form.version.data = str(story.version)
            form.title.errors = [str(error)]
            page = render_template("web/status_revise.html", form=form, story=_view(story, code))
            return page, 409
        flash(str(error), "info")
        return redirect(url_for(".status", code=code), 303)
    flash(_("Thank you. Your revised story has been sent to the editors."), "success")
    return redirect(url_for(".status", code=code), 303)


def _busy_message() -> str:
    return _(
        "The site is very busy right now, so your revision could not be saved yet. Nothing is "
        "lost: your text is still here. Wait a moment and send it again."
    )


@bp.route("/<code>/withdraw", methods=["GET", "POST"])
@track_limit
def withdraw(code: str) -> Response | str:
    story, code = _story(code)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate():
        if story.status not in submission.WITHDRAWABLE:
            flash(_("This story can no longer be withdrawn."), "info")
            return redirect(url_for(".status", code=code), 303)
        return render_template("web/status_withdraw.html", form=form, story=_view(story, code))
    try:
        submission.withdraw_story(db.session(), story)
        db.session().commit()
    except submission.SubmissionError as error:
        db.session().rollback()
        flash(str(error), "info")
        return redirect(url_for(".status", code=code), 303)
    flash(_("Your story has been withdrawn. It will not be published."), "success")
    return redirect(url_for(".status", code=code), 303)


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError) -> tuple[str, int]:
    """On the revision form an expired token gives the form back with the author's text."""
    code = (request.view_args or {}).get("code", "")
    story = submission.find_by_tracking_code(db.session(), code) if code else None
    if request.endpoint != "track.revise" or story is None:
        # The site's general page for an expired form (as stories.errors answers elsewhere).
        return render_template(
            "web/error.html",
            status=400,
            title=_("The form has expired"),
            message=_(
                "For your safety the form could not be accepted (its security token was missing "
                "or out of date). Go back, reload the page and send it again: nothing was saved."
            ),
        ), 400
    form = RevisionForm()
    page = render_template(
        "web/status_revise.html", form=form, story=_view(story, code), expired=True
    )
    return page, 400


@bp.errorhandler(404)
def _unknown_code(_error: Exception) -> tuple[str, int]:
    """An unknown code in a private link: the look-up form, to try again."""
    form = TrackForm(formdata=None, code=(request.view_args or {}).get("code", ""))
    return _not_found(form)


@bp.after_request
def _private(response: Response) -> Response:
    # The URL holds the tracking code: never send it elsewhere, never cache, never index.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
