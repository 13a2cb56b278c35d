"""The editor's desk on a story's page: assign the story (to me, to another editor, to nobody),
the author's revision mark, the near-duplicates and the duplicate mark; and the admins' page of
decision message templates (/editor/admin/templates)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from werkzeug.wrappers import Response

from stories import db
from stories.labels import decision_label
from stories.models import TEMPLATE_ACTIONS, Role, Story
from stories.operations.editorial import assignment, duplicates, templates
from stories.web.auth import actor, add_staff_link, role_required
from stories.web.common import ConfirmForm, run, story_or_404
from stories.web.editors import story as story_page

bp = Blueprint("desk", __name__, url_prefix="/editor")


def _desk(session: Session, story: Story) -> dict[str, Any]:
    return {
        "desk_assignees": assignment.assignees(session),
        "desk_matches": duplicates.matches(session, story.id or 0),
        "desk_revised_at": story_page.revised_mark(),
    }


def _number(name: str) -> int | None:
    value = request.form.get(name, "").strip().lstrip("#")
    return int(value) if value.isdigit() else None


def _back(story_id: int) -> Response:
    return redirect(url_for("story.show", story_id=story_id, _anchor="desk"))


@bp.post("/stories/<int:story_id>/assign")
@role_required(Role.editor)
def assign(story_id: int) -> Response:
    story = story_or_404(db.session(), story_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return _back(story_id)
    editor, assignee_id = actor(), _number("assignee")
    run(
        lambda s: assignment.assign(s, story, editor, assignee_id),
        lambda user: (
            _("Assigned to %(name)s.", name=user.display_name or user.username)
            if user is not None
            else _("The story is assigned to nobody now.")
        ),
    )
    return _back(story_id)


@bp.post("/stories/<int:story_id>/duplicate")
@role_required(Role.editor)
def duplicate(story_id: int) -> Response:
    story = story_or_404(db.session(), story_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return _back(story_id)
    raw = request.form.get("of", "").strip()
    other_id = _number("of")
    if raw and other_id is None:
        flash(_("Please give the number of the other story."), "error")
        return _back(story_id)
    editor = actor()
    run(
        lambda s: duplicates.mark_duplicate(s, story, editor, other_id),
        _("Marked as a duplicate of story #%(id)s.", id=other_id)
        if other_id
        else _("The duplicate mark was taken back."),
    )
    return _back(story_id)


# --- Message templates (admins) ---


@bp.get("/admin/templates")
@role_required(Role.admin)
def template_list() -> str:
    return render_template(
        "web/admin/templates.html",
        templates=templates.templates(db.session()),
        actions=[(action, decision_label(action)) for action in TEMPLATE_ACTIONS],
        placeholders=templates.PLACEHOLDERS,
        form=ConfirmForm(formdata=None),
    )


@bp.post("/admin/templates")
@bp.post("/admin/templates/<int:template_id>")
@role_required(Role.admin)
def template_save(template_id: int | None = None) -> Response:
    if ConfirmForm().validate_on_submit():
        admin, form = actor(), request.form
        run(
            lambda s: templates.save(
                s, admin, template_id, form.get("action", ""), form.get("name", ""),
                form.get("body_zh", ""), form.get("body_en", ""),
            ),
            _("The template was saved."),
        )  # fmt: skip
    else:
        flash(_("The form has expired; please try again."), "error")
    return redirect(url_for("desk.template_list"))


@bp.post("/admin/templates/<int:template_id>/delete")
@role_required(Role.admin)
def template_delete(template_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        admin = actor()
        run(lambda s: templates.delete(s, admin, template_id), _("The template was deleted."))
    return redirect(url_for("desk.template_list"))


story_page.add_story_context(_desk)
add_staff_link("desk.template_list", _l("Message templates"), Role.admin)
