"""Building books from the website (publishers and admins): the Build button, the build's page
with its progress, cancelling, and the editions' downloads.

The Build button queues a job for the worker (stories.jobs.builds) or joins the volume's build
already queued or running. The build's page reloads itself every two seconds while the build
is queued or running (a meta refresh: no JavaScript). Files are only sent by `download`, for
publishers and admins; the editions folder is never a public folder.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session
from werkzeug.wrappers import Response

from stories import db
from stories.db import utcnow
from stories.jobs import builds as jobs
from stories.jobs import settings as job_settings
from stories.models import Build, BuildPhase, BuildState, Role, Story, Volume
from stories.operations.books import builds, editions, readiness
from stories.queries.builds import last_duration, times
from stories.web.auth import actor, role_required
from stories.web.common import ConfirmForm, run, volume_or_404
from stories.web.editors import story as story_page
from stories.web.editors import volumes as volume_page

bp = Blueprint("builds", __name__, url_prefix="/editor")

MIMETYPES = {"print": "application/pdf", "screen": "application/pdf",
             "epub": "application/epub+zip", "cover": "application/pdf"}  # fmt: skip


def _build(session: Session, volume: Volume, build_id: int) -> Build:
    try:
        return builds.get_build(session, build_id, volume)
    except builds.BuildNotFound:
        abort(404)


def _show(volume: Volume, build: Build | int) -> Response:
    build_id = build if isinstance(build, int) else build.id
    return redirect(url_for("builds.show", slug=volume.slug, build_id=build_id))


@bp.app_template_filter("duration")
def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(int(round(seconds)), 60)
    if minutes:
        return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)
    return _("%(seconds)d s", seconds=rest)


@bp.post("/volumes/<slug>/builds")
@role_required(Role.publisher)
def request(slug: str) -> Response:
    volume = volume_or_404(db.session(), slug)
    if not ConfirmForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("volumes.show", slug=slug))
    publisher = actor()

    def said(requested: builds.Requested) -> str:
        if requested.joined:
            return _("This volume is being built already: here is that build.")
        return _("The build is queued.")

    outcome = run(lambda s: jobs.queue_build(s, publisher, volume), said)
    if outcome.value is None:
        return redirect(url_for("volumes.show", slug=slug))
    return _show(volume, outcome.value.build)


@bp.get("/volumes/<slug>/builds/<int:build_id>")
@role_required(Role.publisher)
def show(slug: str, build_id: int) -> str:
    session = db.session()
    volume = volume_or_404(session, slug)
    stale = job_settings.of(current_app).stale
    run(lambda s: builds.reap_stale(s, stale))
    build = _build(session, volume, build_id)
    session.refresh(build)
    previous = last_duration(session, volume.id or 0)
    phases = list(BuildPhase)
    current = phases.index(build.phase) if build.phase else -1
    return render_template(
        "web/editor/build.html",
        volume=volume,
        build=build,
        edition=editions.of_build(session, build),
        times=times(build, utcnow(), previous),
        phases=[
            (p, i < current or build.state == BuildState.succeeded, i == current)
            for i, p in enumerate(phases)
        ],  # fmt: skip
        action_form=ConfirmForm(formdata=None),
    )


@bp.post("/volumes/<slug>/builds/<int:build_id>/cancel")
@role_required(Role.publisher)
def cancel(slug: str, build_id: int) -> Response:
    session = db.session()
    volume = volume_or_404(session, slug)
    build = _build(session, volume, build_id)
    if not ConfirmForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return _show(volume, build)
    publisher = actor()
    run(lambda s: builds.cancel_build(s, publisher, build), _("The build is being stopped."))
    return _show(volume, build_id)


@bp.get("/editions/<int:edition_id>/<fmt>")
@role_required(Role.publisher)
def download(edition_id: int, fmt: str) -> Response:
    session = db.session()
    try:
        edition = editions.get_edition(session, edition_id)
    except editions.EditionNotFound:
        abort(404)
    publisher, root = actor(), job_settings.editions_folder(current_app)
    outcome = run(lambda s: editions.open_file(s, publisher, edition, fmt, root),
                  quiet=(editions.EditionError,))  # fmt: skip
    if outcome.value is None:
        abort(404)
    return send_file(
        outcome.value.path,
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=outcome.value.download_name,
        max_age=0,
    )


def _volume_panel(session: Session, volume: Volume) -> dict[str, Any]:
    return {
        "build_active": builds.active_build(session, volume),
        "build_recent": builds.recent_builds(session, volume, limit=5),
        "volume_editions": editions.volume_editions(session, volume),
        "build_form": ConfirmForm(formdata=None),
        "readiness": readiness.check(session, volume),
    }


def _story_panel(session: Session, story: Story) -> dict[str, Any]:
    return {
        "story_editions": editions.story_editions(session, story.id or 0),
        "can_download_editions": current_user.can(Role.publisher),
    }


volume_page.add_volume_context(_volume_panel)
story_page.add_story_context(_story_panel)
