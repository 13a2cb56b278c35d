"""The privacy panel on a story's page: flags highlighted in the text, pseudonymise or dismiss."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from stories import db, editor
from stories.auth import actor, role_required
from stories.labels import PRIVACY_KIND
from stories.models import PrivacyKind, Role, Story
from stories.operations import OperationError, privacy, review

bp = Blueprint("privacy", __name__, url_prefix="/editor")

KIND_LABELS = PRIVACY_KIND  # the labels live with the other enum names


class PseudonymForm(FlaskForm):
    pseudonym = StringField(
        _l("Pseudonym"), validators=[DataRequired(), Length(max=privacy.PSEUDONYM_MAX)]
    )
    version = HiddenField()


class DismissForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=privacy.REASON_MAX)])


def kind_label(kind: PrivacyKind | str) -> str:
    return str(KIND_LABELS.get(PrivacyKind(kind), kind))


def _panel(session: Session, story: Story) -> dict[str, Any]:
    rows = privacy.flags(session, story.id or 0)
    if privacy.needs_rescan(session, story):
        privacy.scan_story(session, story)
        session.commit()
        rows = privacy.flags(session, story.id or 0)
    return {
        "privacy_flags": rows,
        "privacy_segments": privacy.highlighted(story.body, rows),
        "privacy_pseudonyms": privacy.pseudonym_map(session, story.id or 0),
        "privacy_suggestions": privacy.suggestions(story.body, rows),
        "privacy_positions": privacy.plain_positions(story.body, rows),
        "pseudonym_form": PseudonymForm(formdata=None),
        "dismiss_form": DismissForm(formdata=None),
        "kind_label": kind_label,
    }


def _story(session: Session, story_id: int) -> Story:
    try:
        return review.get_story(session, story_id)
    except review.StoryNotFound:
        abort(404)


def _back(story_id: int) -> Response:
    return redirect(url_for("editor.story", story_id=story_id, _anchor="privacy"))


@bp.post("/stories/<int:story_id>/flags/<int:flag_id>/pseudonym")
@role_required(Role.editor)
def pseudonymise(story_id: int, flag_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = _story(session, story_id)
    form = PseudonymForm()
    if not form.validate() or not (form.version.data or "").isdigit():
        flash(_("Please enter the pseudonym."), "error")
        return _back(story_id)
    try:
        privacy.pseudonymise(
            session, story, actor(), flag_id, form.pseudonym.data or "", int(form.version.data)
        )
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return _back(story_id)
    session.commit()
    flash(_("Replaced by the pseudonym everywhere in the story (a new revision)."), "info")
    return _back(story_id)


@bp.post("/stories/<int:story_id>/flags/<int:flag_id>/dismiss")
@role_required(Role.editor)
def dismiss(story_id: int, flag_id: int) -> Response:
    session = db.session()
    story = _story(session, story_id)
    form = DismissForm()
    if not form.validate():
        flash(_("Please say why this is not personal data."), "error")
        return _back(story_id)
    try:
        privacy.dismiss(session, story, actor(), flag_id, form.reason.data or "")
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return _back(story_id)
    session.commit()
    flash(_("Marked as not personal data."), "info")
    return _back(story_id)


@bp.app_template_global("privacy_kind_label")
def privacy_kind_label(kind: PrivacyKind | str) -> str:
    return kind_label(kind)


def render_panel(session: Session, story: Story) -> str:
    """The panel on its own (used by tests and by pages without the include point)."""
    return render_template("web/editor/_privacy.html", story=story, **_panel(session, story))


editor.add_story_context(_panel)
