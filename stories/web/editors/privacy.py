"""The privacy panel on a story's page: flags highlighted in the text, pseudonymise or dismiss."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.wrappers import Response

from stories import db
from stories.models import Role, Story
from stories.operations import flags, privacy
from stories.web.auth import actor, role_required
from stories.web.common import run, story_or_404
from stories.web.editors import story as story_page
from stories.web.editors.forms import DismissForm, PseudonymForm

bp = Blueprint("privacy", __name__, url_prefix="/editor")


def _panel(session: Session, story: Story) -> dict[str, Any]:
    rows = flags.rows(session, story.id or 0)
    if flags.pending(session, story) or flags.needs_rescan(session, story):
        flags.ensure_scanned(session, story)
        session.commit()
        rows = flags.rows(session, story.id or 0)
    return {
        "privacy_flags": rows,
        "privacy_segments": privacy.highlighted(story.body, rows),
        "privacy_pseudonyms": privacy.pseudonym_map(session, story.id or 0),
        "privacy_suggestions": privacy.suggestions(story.body, rows),
        "privacy_positions": privacy.plain_positions(story.body, rows),
        "pseudonym_form": PseudonymForm(formdata=None),
        "dismiss_form": DismissForm(formdata=None),
    }


def _back(story_id: int) -> Response:
    return redirect(url_for("story.show", story_id=story_id, _anchor="privacy"))


@bp.post("/stories/<int:story_id>/flags/<int:flag_id>/pseudonym")
@role_required(Role.editor)
def pseudonymise(story_id: int, flag_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = story_or_404(session, story_id)
    form = PseudonymForm()
    if not form.validate() or not (form.version.data or "").isdigit():
        flash(_("Please enter the pseudonym."), "error")
        return _back(story_id)
    editor, pseudonym, version = actor(), form.pseudonym.data or "", int(form.version.data)
    run(
        lambda s: privacy.pseudonymise(s, story, editor, flag_id, pseudonym, version),
        _("Replaced by the pseudonym everywhere in the story (a new revision)."),
    )
    return _back(story_id)


@bp.post("/stories/<int:story_id>/flags/<int:flag_id>/dismiss")
@role_required(Role.editor)
def dismiss(story_id: int, flag_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    form = DismissForm()
    if not form.validate():
        flash(_("Please say why this is not personal data."), "error")
        return _back(story_id)
    editor, reason = actor(), form.reason.data or ""
    run(
        lambda s: privacy.dismiss(s, story, editor, flag_id, reason),
        _("Marked as not personal data."),
    )
    return _back(story_id)


def render_panel(session: Session, story: Story) -> str:
    """The panel on its own (used by tests and by pages without the include point)."""
    return render_template("web/editor/_privacy.html", story=story, **_panel(session, story))


story_page.add_story_context(_panel)
