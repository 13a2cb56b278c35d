"""The pictures panel on a story's page: thumbnails (the full picture on click), the privacy
review of each picture (fine / blurred / left out, with the region to blur drawn on the
picture) and its description and caption. The review is `stories.operations.pictures`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session, select

from stories import db
from stories import pictures as picture_store
from stories.models import PictureReview, Role, Story, StoryPicture
from stories.operations import pictures
from stories.operations.editorial import editing
from stories.web.auth import actor, role_required
from stories.web.common import run, story_or_404
from stories.web.editors import story as story_page
from stories.web.pictures import address

bp = Blueprint("editor_pictures", __name__, url_prefix="/editor")
CHOICES = (PictureReview.fine, PictureReview.blurred, PictureReview.left_out)


def _panel(session: Session, story: Story) -> dict[str, Any]:
    rows = pictures.rows(session, story)
    shown = [
        {
            "row": row,
            "thumb": address(row.ref, thumb=True),
            "full": address(row.ref),
            "published": url_for("editor_pictures.published", story_id=story.id, ref=row.ref),
            "blur_percent": ", ".join(f"{v * 100:g}" for v in row.blur) if row.blur else "",
        }
        for row in rows
    ]
    return {"picture_rows": shown, "picture_choices": CHOICES}


def _back(story_id: int) -> Response:
    return redirect(url_for("story.show", story_id=story_id, _anchor="pictures"))


def _fractions(percent: str) -> str | None:
    """ "10, 20, 30, 40" (percent) -> "0.1,0.2,0.3,0.4"; "" -> ""; None when not four numbers."""
    parts = [part for part in percent.replace("，", ",").replace(" ", ",").split(",") if part]
    if not parts:
        return ""
    try:
        values = [float(part) / 100 for part in parts]
    except ValueError:
        return None
    return ",".join(f"{v:.4f}" for v in values) if len(values) == 4 else None


@bp.post("/stories/<int:story_id>/pictures/<ref>/review")
@role_required(Role.editor)
def review(story_id: int, ref: str) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    try:
        decision = PictureReview(request.form.get("review", ""))
    except ValueError:
        flash(_("Choose how the picture may be published."), "error")
        return _back(story_id)
    blur = _fractions(request.form.get("blur") or "")
    if blur is None:
        flash(_("The region to blur is not valid."), "error")
        return _back(story_id)
    editor = actor()
    run(
        lambda s: pictures.review(s, editor, story, ref, decision, blur),
        _("The picture's review is saved."),
    )
    return _back(story_id)


@bp.post("/stories/<int:story_id>/pictures/<ref>/text")
@role_required(Role.editor)
def text(story_id: int, ref: str) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    editor = actor()
    description = " ".join((request.form.get("description") or "").split())
    caption = " ".join((request.form.get("caption") or "").split())
    run(
        lambda s: editing.describe_picture(
            s, editor, story, ref, description, caption, int(version)
        ),
        _("The picture's description and caption are saved (a new revision)."),
    )
    return _back(story_id)


@bp.get("/stories/<int:story_id>/pictures/<ref>/published")
@role_required(Role.editor)
def published(story_id: int, ref: str) -> Response:
    """The picture as the book will print it (blurred where the review says so)."""
    session = db.session()
    story = story_or_404(session, story_id)
    found = session.exec(
        select(StoryPicture).where(StoryPicture.story_id == story.id, StoryPicture.ref == ref)
    ).first()
    data = pictures.published(picture_store.store(), found) if found is not None else None
    if data is None:
        abort(404)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    response = Response(data, mimetype=kind)
    response.headers["Cache-Control"] = "no-store"
    return response


story_page.add_story_context(_panel)
