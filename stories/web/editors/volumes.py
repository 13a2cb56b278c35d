"""Volumes under /editor/volumes (publishers and admins): edit, arrange, order, export.

Every button is a small POST form, so arranging works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response as BaseResponse

from stories import db
from stories.models import Role, Story, StoryStatus, Volume, VolumeEntry
from stories.operations import export, volumes
from stories.web.auth import actor, role_required
from stories.web.common import ConfirmForm, direction, json_download, run, volume_or_404
from stories.web.editors import story as story_page
from stories.web.editors.forms import VolumeForm

bp = Blueprint("volumes", __name__, url_prefix="/editor/volumes")

VolumeContext = Callable[[Session, Volume], dict[str, Any]]
_volume_context: list[VolumeContext] = []


def add_volume_context(provider: VolumeContext) -> None:
    """Register extra template variables for the volume page (e.g. its builds and editions,
    shown by `web/editor/_builds.html`)."""
    if provider not in _volume_context:
        _volume_context.append(provider)


def _int(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


def _confirmed() -> bool:
    """The button's form carries a valid CSRF token (its other fields are read from the request)."""
    if ConfirmForm().validate():
        return True
    flash(_("The form has expired; please try again."), "error")
    return False


def _change(slug: str, operation: Callable[[Session], object], done: str = "") -> BaseResponse:
    """Run one volume operation for a button and return to the volume page."""
    if not _confirmed():
        return redirect(url_for("volumes.show", slug=slug))
    run(operation, done)
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
        publisher = actor()
        slug, title, text = form.slug.data or "", form.title.data or "", form.description.data or ""
        outcome = run(
            lambda s: volumes.create_volume(s, publisher, slug, title, text),
            _("The volume was created."),
        )
        if outcome.value is not None:
            return redirect(url_for("volumes.show", slug=outcome.value.slug))
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
    volume = volume_or_404(session, slug)
    placed = select(VolumeEntry.story_id)
    unplaced = session.exec(
        select(Story)
        .where(Story.status == StoryStatus.accepted, ~col(Story.id).in_(placed))
        .order_by(col(Story.id))
        .limit(200)
    ).all()
    form = VolumeForm(formdata=None, obj=volume)
    extra: dict[str, Any] = {}
    for provider in _volume_context:
        extra.update(provider(session, volume))
    return render_template(
        "web/editor/volume.html",
        volume=volume,
        form=form,
        action_form=ConfirmForm(formdata=None),
        parts=volumes.arrangement(session, volume),
        unplaced=unplaced,
        **extra,
    )


@bp.post("/<slug>/edit")
@role_required(Role.publisher)
def update(slug: str) -> BaseResponse:
    session = db.session()
    volume = volume_or_404(session, slug)
    form = VolumeForm()
    if not form.validate():
        flash(_("Please give a slug and a working title."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    publisher = actor()
    new_slug, title, text = form.slug.data or "", form.title.data or "", form.description.data or ""
    outcome = run(
        lambda s: volumes.update_volume(s, publisher, volume, new_slug, title, text), _("Saved.")
    )
    return redirect(url_for("volumes.show", slug=volume.slug if outcome.ok else slug))


@bp.post("/<slug>/stories")
@role_required(Role.publisher)
def add_story(slug: str) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    story_id = _int("story_id")
    if story_id is None:
        flash(_("Choose a story."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    publisher, part_id = actor(), _int("part_id")
    return _change(
        slug,
        lambda s: volumes.assign(s, publisher, volume, story_id, part_id),
        _("Story #%(id)s was placed in the volume.", id=story_id),
    )


@bp.post("/<slug>/stories/<int:story_id>/move")
@role_required(Role.publisher)
def move_story(slug: str, story_id: int) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    step, publisher = direction(), actor()
    return _change(
        slug,
        lambda s: volumes.move_entry(s, volume, story_id, step, publisher),
        _("Moved up.") if step < 0 else _("Moved down."),
    )


@bp.post("/<slug>/stories/<int:story_id>/part")
@role_required(Role.publisher)
def story_part(slug: str, story_id: int) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    publisher, part_id = actor(), _int("part_id")
    return _change(
        slug,
        lambda s: volumes.set_part(s, publisher, volume, story_id, part_id),
        _("The story was moved to the chosen part."),
    )


@bp.post("/<slug>/stories/<int:story_id>/remove")
@role_required(Role.publisher)
def remove_story(slug: str, story_id: int) -> BaseResponse:
    volume_or_404(db.session(), slug)
    publisher = actor()
    return _change(
        slug,
        lambda s: volumes.unassign(s, publisher, story_id),
        _("Story #%(id)s was taken out of the volume.", id=story_id),
    )


@bp.post("/<slug>/parts")
@role_required(Role.publisher)
def add_part(slug: str) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    title = request.form.get("title", "")[:200]
    publisher = actor()
    return _change(
        slug, lambda s: volumes.add_part(s, publisher, volume, title), _("The part was added.")
    )


@bp.post("/<slug>/parts/from-fields")
@role_required(Role.publisher)
def parts_from_fields(slug: str) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    publisher = actor()
    return _change(
        slug,
        lambda s: volumes.parts_from_service_fields(s, publisher, volume),
        _("The stories are grouped by service field."),
    )


@bp.post("/<slug>/parts/<int:part_id>/move")
@role_required(Role.publisher)
def move_part(slug: str, part_id: int) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    step, publisher = direction(), actor()
    return _change(
        slug,
        lambda s: volumes.move_part(s, volume, part_id, step, publisher),
        _("Moved up.") if step < 0 else _("Moved down."),
    )


@bp.post("/<slug>/parts/<int:part_id>/rename")
@role_required(Role.publisher)
def rename_part(slug: str, part_id: int) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    title, publisher = request.form.get("title", "")[:200], actor()
    return _change(
        slug,
        lambda s: volumes.rename_part(s, volume, part_id, title, publisher),
        _("The part was renamed."),
    )


@bp.post("/<slug>/parts/<int:part_id>/delete")
@role_required(Role.publisher)
def delete_part(slug: str, part_id: int) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    publisher = actor()
    return _change(
        slug,
        lambda s: volumes.delete_part(s, volume, part_id, publisher),
        _("The part was deleted; its stories stay in the volume."),
    )


@bp.post("/<slug>/export")
@role_required(Role.publisher)
def download(slug: str) -> BaseResponse:
    if not _confirmed():
        return redirect(url_for("volumes.show", slug=slug))
    session = db.session()
    volume = volume_or_404(session, slug)
    document = export.volume_document(session, actor(), volume)
    session.commit()
    return json_download(document, f"stories-{volume.slug}.json")


@bp.post("/assign/<int:story_id>")
@role_required(Role.publisher)
def assign_from_story(story_id: int) -> BaseResponse:
    """The story page's form: place the story in a volume (or take it out)."""
    back = url_for("story.show", story_id=story_id, _anchor="volume")
    if not _confirmed():
        return redirect(back)
    publisher, slug = actor(), request.form.get("volume", "").strip()

    def place(session: Session) -> object:
        if slug:
            return volumes.assign(session, publisher, volumes.get(session, slug), story_id)
        return volumes.unassign(session, publisher, story_id)

    run(place, _("Saved."))
    return redirect(back)


def _story_panel(session: Session, story: Story) -> dict[str, Any]:
    return {
        "volume_placement": volumes.placement(session, story.id or 0),
        "volume_choices": volumes.all_volumes(session),
        "volume_form": ConfirmForm(formdata=None),
        "can_manage_volumes": current_user.can(Role.publisher),
    }


story_page.add_story_context(_story_panel)
