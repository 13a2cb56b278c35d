"""Volumes under /editor/volumes (publishers and admins): edit, arrange, order, export.

Every button is a small POST form, so arranging works without JavaScript.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from stories import db, editor
from stories.auth import actor, role_required
from stories.models import Role, Story, StoryStatus, Volume, VolumeEntry
from stories.operations import OperationError, export, volumes

bp = Blueprint("volumes", __name__, url_prefix="/editor/volumes")


class VolumeForm(FlaskForm):
    slug = StringField(
        _l("Slug (joins content/volumes/<slug>.toml)"), validators=[DataRequired(), Length(max=64)]
    )
    title = StringField(_l("Working title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])


class ActionForm(FlaskForm):
    """A button: the CSRF token plus fields read from the request."""


def _volume(session: Session, slug: str) -> Volume:
    try:
        return volumes.get(session, slug)
    except OperationError:
        abort(404)


def _int(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


def _step() -> int:
    return -1 if request.form.get("step") == "up" else 1


def _change(slug: str, operation: Any, *args: Any, done: str = "") -> BaseResponse:
    """Run one volume operation for a button, commit, flash, and return to the volume page."""
    if not ActionForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    session = db.session()
    try:
        operation(session, *args)
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
    else:
        session.commit()
        if done:
            flash(done, "info")
    return redirect(url_for("volumes.show", slug=slug, _anchor="arrangement"))


@bp.get("")
@role_required(Role.publisher)
def index() -> str:
    session = db.session()
    return render_template(
        "web/editor/volumes.html",
        volumes=volumes.all_volumes(session),
        counts=_story_counts(session),
        form=VolumeForm(formdata=None),
    )


def _story_counts(session: Session) -> dict[int, int]:
    """Stories placed in each volume, by volume id."""
    query = select(VolumeEntry.volume_id, func.count()).group_by(col(VolumeEntry.volume_id))
    return dict(session.exec(query).all())


@bp.post("")
@role_required(Role.publisher)
def create() -> BaseResponse | tuple[str, int]:
    form = VolumeForm()
    session = db.session()
    if form.validate():
        try:
            volume = volumes.create_volume(
                session,
                actor(),
                form.slug.data or "",
                form.title.data or "",
                form.description.data or "",
            )
        except OperationError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            session.commit()
            flash(_("The volume was created."), "info")
            return redirect(url_for("volumes.show", slug=volume.slug))
    page = render_template(
        "web/editor/volumes.html",
        volumes=volumes.all_volumes(session),
        counts=_story_counts(session),
        form=form,
    )
    return page, 400


@bp.get("/<slug>")
@role_required(Role.publisher)
def show(slug: str) -> str:
    session = db.session()
    volume = _volume(session, slug)
    placed = select(VolumeEntry.story_id)
    unplaced = session.exec(
        select(Story)
        .where(Story.status == StoryStatus.accepted, ~col(Story.id).in_(placed))
        .order_by(col(Story.id))
        .limit(200)
    ).all()
    form = VolumeForm(formdata=None, obj=volume)
    return render_template(
        "web/editor/volume.html",
        volume=volume,
        form=form,
        action_form=ActionForm(formdata=None),
        parts=volumes.arrangement(session, volume),
        unplaced=unplaced,
    )


@bp.post("/<slug>/edit")
@role_required(Role.publisher)
def update(slug: str) -> BaseResponse:
    session = db.session()
    volume = _volume(session, slug)
    form = VolumeForm()
    if not form.validate():
        flash(_("Please give a slug and a working title."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    try:
        volumes.update_volume(
            session,
            actor(),
            volume,
            form.slug.data or "",
            form.title.data or "",
            form.description.data or "",
        )
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(url_for("volumes.show", slug=slug))
    session.commit()
    flash(_("Saved."), "info")
    return redirect(url_for("volumes.show", slug=volume.slug))


@bp.post("/<slug>/stories")
@role_required(Role.publisher)
def add_story(slug: str) -> BaseResponse:
    volume = _volume(db.session(), slug)
    story_id = _int("story_id")
    if story_id is None:
        flash(_("Choose a story."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    return _change(slug, volumes.assign, actor(), volume, story_id, _int("part_id"))


@bp.post("/<slug>/stories/<int:story_id>/move")
@role_required(Role.publisher)
def move_story(slug: str, story_id: int) -> BaseResponse:
    volume = _volume(db.session(), slug)
    return _change(slug, volumes.move_entry, volume, story_id, _step())


@bp.post("/<slug>/stories/<int:story_id>/part")
@role_required(Role.publisher)
def story_part(slug: str, story_id: int) -> BaseResponse:
    volume = _volume(db.session(), slug)
    return _change(slug, volumes.set_part, actor(), volume, story_id, _int("part_id"))


@bp.post("/<slug>/stories/<int:story_id>/remove")
@role_required(Role.publisher)
def remove_story(slug: str, story_id: int) -> BaseResponse:
    _volume(db.session(), slug)
    return _change(slug, volumes.unassign, actor(), story_id)


@bp.post("/<slug>/parts")
@role_required(Role.publisher)
def add_part(slug: str) -> BaseResponse:
    volume = _volume(db.session(), slug)
    title = request.form.get("title", "")[:200]
    return _change(slug, volumes.add_part, actor(), volume, title)


@bp.post("/<slug>/parts/from-fields")
@role_required(Role.publisher)
def parts_from_fields(slug: str) -> BaseResponse:
    volume = _volume(db.session(), slug)
    return _change(
        slug,
        volumes.parts_from_service_fields,
        actor(),
        volume,
        done=_("The stories are grouped by service field."),
    )


@bp.post("/<slug>/parts/<int:part_id>/move")
@role_required(Role.publisher)
def move_part(slug: str, part_id: int) -> BaseResponse:
    volume = _volume(db.session(), slug)
    return _change(slug, volumes.move_part, volume, part_id, _step())


@bp.post("/<slug>/parts/<int:part_id>/rename")
@role_required(Role.publisher)
def rename_part(slug: str, part_id: int) -> BaseResponse:
    volume = _volume(db.session(), slug)
    title = request.form.get("title", "")[:200]
    return _change(slug, volumes.rename_part, volume, part_id, title)


@bp.post("/<slug>/parts/<int:part_id>/delete")
@role_required(Role.publisher)
def delete_part(slug: str, part_id: int) -> BaseResponse:
    volume = _volume(db.session(), slug)
    return _change(slug, volumes.delete_part, volume, part_id)


@bp.post("/<slug>/export")
@role_required(Role.publisher)
def download(slug: str) -> BaseResponse:
    if not ActionForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    session = db.session()
    volume = _volume(session, slug)
    document = export.volume_document(session, actor(), volume)
    session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=stories-{volume.slug}.json"},
    )


@bp.post("/assign/<int:story_id>")
@role_required(Role.publisher)
def assign_from_story(story_id: int) -> BaseResponse:
    """The story page's form: place the story in a volume (or take it out)."""
    back = url_for("editor.story", story_id=story_id, _anchor="volume")
    if not ActionForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(back)
    session = db.session()
    slug = request.form.get("volume", "").strip()
    try:
        if slug:
            volumes.assign(session, actor(), volumes.get(session, slug), story_id)
        else:
            volumes.unassign(session, actor(), story_id)
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return redirect(back)
    session.commit()
    flash(_("Saved."), "info")
    return redirect(back)


def _story_panel(session: Session, story: Story) -> dict[str, Any]:
    return {
        "volume_placement": volumes.placement(session, story.id or 0),
        "volume_choices": volumes.all_volumes(session),
        "volume_form": ActionForm(formdata=None),
        "can_manage_volumes": current_user.can(Role.publisher),
    }


editor.add_story_context(_story_panel)
