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
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from anthology.text.markdown import clean_text, render, to_plain
from anthology.text.privacy import Flag
from stories import db, labels, pictures
from stories.jobs import scans
from stories.operations import drafts, flags, submission
from stories.pictures import PictureError
from stories.throttle import hit
from stories.web import docx
from stories.web.authors.forms import (
    StoryForm,
    TextFields,
    sign_findings,
    sign_markdown,
    unsign_findings,
)
from stories.web.pictures import address, addresses
from stories.web.security import limiter

log = logging.getLogger(__name__)

bp = Blueprint("submit", __name__, url_prefix="/submit")
PRIVACY_SHOWN = 20  # personal data found in the text, shown to the author on the preview


def _submit_limit() -> str:
    return current_app.config["RATELIMIT_SUBMIT"]


def _preview_limit() -> str:
    # Previews convert Word files; generous, but bounded.
    return current_app.config.get("RATELIMIT_PREVIEW", "120 per hour")


def form_page(form: StoryForm, status: int = 200) -> tuple[str, int]:
    form.ensure_token()
    return render_template(
        "web/submit.html", form=form, config_min=_min(), config_max=_max()
    ), status


def preview_pictures(form: TextFields) -> tuple[str, list[dict[str, str]]]:
    """The story's HTML with its pictures, and each picture's fields for the preview page."""
    found = form.picture_references()
    html = render(form.markdown(), pictures=addresses(r.ref for r in found))
    fields = [
        {"ref": r.ref, "description": r.description, "caption": r.caption,
         "thumb": address(r.ref, thumb=True), "full": address(r.ref)}
        for r in found
    ]  # fmt: skip
    return html, fields


def findings(form: StoryForm) -> tuple[Flag, ...]:
    """The personal data in the form's text: found once per text, from the preview to the send
    (the preview's findings come back signed by the server and bound to the text's hash)."""
    markdown = form.markdown()
    found = unsign_findings(form.privacy_findings.data or "", markdown)
    if found is None:
        found = flags.detect_body(markdown)
    else:
        flags.detect_body.remember(markdown, found)
    form.privacy_findings.data = sign_findings(markdown, found)
    return found


def _preview_page(form: StoryForm, status: int = 200, **why: bool) -> tuple[str, int]:
    found = [(labels.privacy_kind_label(flag.kind), flag.text)
             for flag in findings(form)][:PRIVACY_SHOWN]  # fmt: skip
    html, fields = preview_pictures(form)
    return render_template(
        "web/submit_preview.html",
        form=form,
        story_html=html,
        pictures=fields,
        privacy=found,
        **why,
    ), status


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
        converted = docx.convert(
            upload.read(), name, pictures.store(), current_app.config["STORY_MAX_PICTURES"],
            max_chars=current_app.config["STORY_MAX_CHARS"],
        )  # fmt: skip
    except docx.DocxError as error:
        return str(error.message)
    form.docx_markdown.data = sign_markdown(converted.markdown)
    form.docx_name.data = name
    if converted.too_many:
        flash(
            _("A story may have at most %(n)s pictures; %(m)s were left out.",
              n=current_app.config["STORY_MAX_PICTURES"], m=converted.too_many),
            "warning",
        )  # fmt: skip
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


PICTURE_PROBLEMS = {
    "too_large": _l("%(name)s is too large (at most 25 MB)."),
    "too_many_pixels": _l("%(name)s has too many pixels (at most 50 million)."),
    "not_a_picture": _l("%(name)s is not a picture we can read."),
    "unsupported": _l("%(name)s is in a format we cannot use: please send JPEG, PNG or HEIC."),
}


def take_pictures(form: TextFields) -> str | None:
    """Keep the pictures added on the form (metadata removed); the problems, if any."""
    files = [f for f in (form.pictures.data or []) if getattr(f, "filename", "")]
    limit = current_app.config["STORY_MAX_PICTURES"]
    problems = []
    for upload in files:
        name = " ".join(clean_text(upload.filename).split())[:100]
        if len(form.picture_references()) >= limit:
            problems.append(_("A story may have at most %(n)s pictures.", n=limit))
            break
        try:
            ref, _picture = pictures.store().add(upload.read())
        except PictureError as error:
            problems.append(str(PICTURE_PROBLEMS[error.reason] % {"name": name}))
            continue
        form.add_picture(ref)
    return " ".join(problems) or None


def validate_with_upload(form: TextFields) -> tuple[bool, int]:
    """Take the upload, validate; (valid, status code for the form page when not valid)."""
    form.picture_texts(request.form)
    upload_error = take_upload(form)
    picture_error = take_pictures(form)
    valid = form.validate()
    if picture_error is not None:
        form.pictures.errors = [*form.pictures.errors, picture_error]
        valid = False
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
        form.body.data = to_plain(word)
    keep = form.picture_references()  # the Word file's pictures stay with the story
    form.docx_markdown.data = ""
    for found in keep:
        form.add_picture(found.ref)
    form.picture_texts({f"picture-description-{r.ref}": r.description for r in keep} |
                       {f"picture-caption-{r.ref}": r.caption for r in keep})  # fmt: skip
    form.docx_name.data = ""


@bp.get("")
def start() -> tuple[str, int]:
    return form_page(StoryForm())


@bp.post("/edit")
def edit() -> tuple[str, int]:
    """Back from the preview (or a language switch): the form as the author left it."""
    form = StoryForm()
    form.picture_texts(request.form)
    if request.form.get("drop_docx"):
        drop_upload(form)
    return form_page(form)


@bp.post("/preview")
@limiter.limit(_preview_limit)
def preview() -> tuple[str, int]:
    form = StoryForm()
    valid, status = validate_with_upload(form)
    if not valid:
        return form_page(form, status)
    return _preview_page(form)


@bp.post("/send")
@limiter.limit(_submit_limit)
def send() -> Response | tuple[str, int]:
    form = StoryForm()
    token = form.ensure_token()
    form.picture_texts(request.form)
    if not form.validate():
        return form_page(form, 422)
    if not form.validate_consents():
        return _preview_page(form, 422)
    if not hit("RATELIMIT_SUBMIT_FORM", submission.token_hash(token)):
        return _preview_page(form, 429, limited=True)
    story = form.to_submission()
    # The costly work first, while no transaction is open; a long text goes to the queue.
    queued = len(story.body) > current_app.config["LONG_TEXT_CHARS"]
    if not queued:
        findings(form)  # the preview's, when they came back with the form
    submission.prepare(story.title, story.body, story.pen_name, story.organisation, queued=queued)
    try:
        receipt = submission.submit_story(
            db.session(), story, token, current_app.config["SECRET_KEY"], queued=queued
        )
        drafts.discard(db.session(), form.draft_code.data)  # sent: the draft goes
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
    session["receipt"] = {"code": receipt.tracking_code, "story": receipt.story_id,
                          "mailed": bool(form.contact_email.data)}  # fmt: skip
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
    mailed = bool(receipt.get("mailed"))
    return render_template("web/submit_sent.html", code=code, link=link, mailed=mailed)


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
