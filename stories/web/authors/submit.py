"""The submission form: write (or upload a Word file), preview, consent and send.

No step stores anything until the author sends: the preview page carries the form along in hidden
fields (the converted Word text signed by the server), so going back to edit loses nothing and the
form works without JavaScript. The random submission token in the form makes a repeated send (a
double click, a reload) answer with the same receipt instead of a second story.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from anthology.text import plain
from anthology.text.markdown import clean_text, render
from stories import db
from stories.jobs import scans
from stories.operations import submission
from stories.throttle import hit
from stories.web import docx
from stories.web.authors.forms import StoryForm, TextFields, sign_markdown
from stories.web.security import limiter

log = logging.getLogger(__name__)

bp = Blueprint("submit", __name__, url_prefix="/submit")


def _submit_limit() -> str:
    return current_app.config["RATELIMIT_SUBMIT"]


def _preview_limit() -> str:
    # Previews convert Word files; generous, but bounded.
    return current_app.config.get("RATELIMIT_PREVIEW", "120 per hour")


def _form_page(form: StoryForm, status: int = 200) -> tuple[str, int]:
    form.ensure_token()
    return render_template(
        "web/submit.html", form=form, config_min=_min(), config_max=_max()
    ), status


def _preview_page(form: StoryForm, status: int = 200, **why: bool) -> tuple[str, int]:
    html = render(form.markdown())
    return render_template("web/submit_preview.html", form=form, story_html=html, **why), status


def _min() -> int:
    return current_app.config["STORY_MIN_CHARS"]


def _max() -> int:
    return current_app.config["STORY_MAX_CHARS"]


def take_upload(form: TextFields) -> str | None:
    """Convert an uploaded Word file into the form's signed Markdown; the error for a bad file.

    Call it before `form.validate()` (the body's length check needs the text) and put the error
    back on the field afterwards (validation resets the fields' errors).
    """
    upload = form.docx.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    name = " ".join(clean_text(upload.filename).split())[:200]
    try:
        converted = docx.convert(upload.read(), name, current_app.config["STORY_MAX_CHARS"])
    except docx.DocxError as error:
        return str(error.message)
    form.docx_markdown.data = sign_markdown(converted.markdown)
    form.docx_name.data = name
    if converted.dropped_images:
        flash(
            _(
                "%(n)s picture(s) in a format we cannot show were left out; "
                "save pictures as PNG or JPEG.",
                n=converted.dropped_images,
            ),
            "warning",
        )
    return None


def validate_with_upload(form: TextFields) -> tuple[bool, int]:
    """Take the upload, validate; (valid, status code for the form page when not valid)."""
    upload_error = take_upload(form)
    valid = form.validate()
    if upload_error is not None:
        form.docx.errors = [*form.docx.errors, upload_error]
        if not (form.body.data or "").strip():
            form.body.errors = []  # "write your story or upload" would contradict the file's error
        return False, 400
    return valid, 422


def drop_upload(form: TextFields) -> None:
    """The author goes back to typing: the Word text becomes plain lines in the textarea."""
    word = form.word_markdown()
    if word is not None and not (form.body.data or "").strip():
        form.body.data = plain.to_plain(word)
    form.docx_markdown.data = ""
    form.docx_name.data = ""


@bp.get("")
def start() -> tuple[str, int]:
    return _form_page(StoryForm())


@bp.post("/edit")
def edit() -> tuple[str, int]:
    """Back from the preview (or a language switch): the form as the author left it."""
    form = StoryForm()
    if request.form.get("drop_docx"):
        drop_upload(form)
    return _form_page(form)


@bp.post("/preview")
@limiter.limit(_preview_limit)
def preview() -> tuple[str, int]:
    form = StoryForm()
    valid, status = validate_with_upload(form)
    if not valid:
        return _form_page(form, status)
    return _preview_page(form)


@bp.post("/send")
@limiter.limit(_submit_limit)
def send() -> Response | tuple[str, int]:
    form = StoryForm()
    token = form.ensure_token()
    if not form.validate():
        return _form_page(form, 422)
    if not form.validate_consents():
        return _preview_page(form, 422)
    if not hit("RATELIMIT_SUBMIT_FORM", submission.token_hash(token)):
        return _preview_page(form, 429, limited=True)
    story = form.to_submission()
    # The costly work first, while no transaction is open; a long text goes to the queue.
    queued = len(story.body) > current_app.config["LONG_TEXT_CHARS"]
    if not queued:
        submission.prepare(story.title, story.body, story.pen_name, story.organisation)
    try:
        receipt = submission.submit_story(
            db.session(), story, token, current_app.config["SECRET_KEY"], queued=queued
        )
        db.session().commit()
    except submission.SubmissionError as error:
        db.session().rollback()
        return render_template(
            "web/error.html", status=409, title=_("Already sent"), message=str(error)
        ), 409
    except OperationalError:  # the database is busy (locked, or a lock wait timed out)
        db.session().rollback()
        log.warning("send not stored: the database is busy", exc_info=True)
        page, status = _preview_page(form, 503, busy=True)
        return page, status, {"Retry-After": "5"}  # type: ignore[return-value]
    if receipt.created and queued:
        scans.queue_scan(receipt.story_id)
    session["receipt"] = {"code": receipt.tracking_code, "story": receipt.story_id}
    return redirect(url_for(".sent"), 303)


@bp.get("/edit")
@bp.get("/preview")
@bp.get("/send")
def back_to_start() -> Response:
    """The steps are POST only; a bookmark or a typed address starts a new form."""
    return redirect(url_for(".start"))


@bp.get("/sent")
def sent() -> Response | str:
    receipt = session.pop("receipt", None)  # shown once: not left in the cookie afterwards
    if not receipt:
        return redirect(url_for(".start"))
    code = receipt["code"]
    link = url_for("track.status", code=code, _external=True)
    return render_template("web/submit_sent.html", code=code, link=link)


@bp.errorhandler(CSRFError)
def _expired(_error: CSRFError) -> tuple[str, int]:
    """An expired or missing security token: nothing is stored, but the text comes back."""
    return _form_again(expired=True), 400


@bp.errorhandler(429)
def _limited(_error: Exception) -> tuple[str, int]:
    """Too many sends from this client: nothing is stored, but the text comes back."""
    return _form_again(limited=True), 429


def _form_again(**why: bool) -> str:
    """The form as the author sent it, with the reason it was not stored."""
    form = StoryForm()
    form.ensure_token()
    return render_template(
        "web/submit.html", form=form, config_min=_min(), config_max=_max(), **why
    )


@bp.errorhandler(500)
def _failed(_error: Exception) -> tuple[str, int]:
    """An unexpected error while sending: nothing is stored, and the text comes back."""
    return _form_again(failed=True), 500


@bp.after_request
def _private(response: Response) -> Response:
    # The pages hold the author's text and, after sending, the tracking code.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
