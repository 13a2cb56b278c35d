"""Story proofs from the story's page (editors, publishers, admins): ask for a proof, follow it,
download it.

The Proof button queues a proof (stories.jobs.builds.queue_proof) or joins the story's proof
already queued or running, then shows the proof's page, which reloads itself every two seconds
while the proof is queued or running (a meta refresh: no JavaScript). The PDF is only sent by
`download`, after the role check; the editions folder is never a public folder.
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
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.wrappers import Response

from stories import db
from stories.db import utcnow
from stories.jobs import builds as jobs
from stories.jobs import settings as job_settings
from stories.models import Build, Role, Story, Volume
from stories.operations import OperationError, volumes
from stories.operations.books import builds, proofs
from stories.queries.builds import times
from stories.web.auth import actor, role_required
from stories.web.common import ConfirmForm, run, story_or_404
from stories.web.editors import story as story_page

bp = Blueprint("proofs", __name__, url_prefix="/editor/stories")


def _proof(session: Session, story: Story, build_id: int) -> Build:
    try:
        return proofs.get_proof(session, build_id, story)
    except builds.BuildNotFound:
        abort(404)


def _show(story: Story, build: Build | int) -> Response:
    build_id = build if isinstance(build, int) else build.id
    return redirect(url_for("proofs.show", story_id=story.id, build_id=build_id))


@bp.post("/<int:story_id>/proofs")
@role_required(Role.editor)
def request_proof(story_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    back = redirect(url_for("story.show", story_id=story_id) + "#proofs")
    if not ConfirmForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return back
    editor = actor()
    try:
        volume = proofs.volume_for(session, story, request.form.get("volume") or None)
    except OperationError as error:
        flash(str(error), "error")
        return back

    def said(requested: builds.Requested) -> str:
        if requested.joined:
            return _("A proof of this story is being made already: here it is.")
        return _("The proof is queued.")

    outcome = run(lambda s: jobs.queue_proof(s, editor, story, volume), said)
    if outcome.value is None:
        return back
    return _show(story, outcome.value.build)


@bp.get("/<int:story_id>/proofs/<int:build_id>")
@role_required(Role.editor)
def show(story_id: int, build_id: int) -> str:
    session = db.session()
    story = story_or_404(session, story_id)
    stale = job_settings.of(current_app).stale
    run(lambda s: builds.reap_stale(s, stale))
    build = _proof(session, story, build_id)
    session.refresh(build)
    return render_template(
        "web/editor/proof.html",
        story=story,
        build=build,
        volume=session.get(Volume, build.volume_id),
        current_revision=proofs.revision_of(session, story),
        times=times(build, utcnow()),
        action_form=ConfirmForm(formdata=None),
    )


@bp.post("/<int:story_id>/proofs/<int:build_id>/cancel")
@role_required(Role.editor)
def cancel(story_id: int, build_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    build = _proof(session, story, build_id)
    if not ConfirmForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return _show(story, build)
    editor = actor()
    run(lambda s: builds.cancel_build(s, editor, build), _("The proof is being stopped."))
    return _show(story, build_id)


@bp.get("/<int:story_id>/proofs/<int:build_id>/pdf")
@role_required(Role.editor)
def download(story_id: int, build_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    build = _proof(session, story, build_id)
    editor, root = actor(), job_settings.editions_folder(current_app)
    outcome = run(lambda s: proofs.open_proof(s, editor, build, root),
                  quiet=(proofs.ProofError,))  # fmt: skip
    if outcome.value is None:
        abort(404)
    return send_file(
        outcome.value.path,
        mimetype="application/pdf",
        as_attachment=False,  # a proof is read in the browser
        download_name=outcome.value.download_name,
        max_age=0,
    )


def _story_panel(session: Session, story: Story) -> dict[str, Any]:
    placed = volumes.placement(session, story.id or 0)
    return {
        "proof_volume": placed[0] if placed else None,
        "proof_volumes": [] if placed else volumes.all_volumes(session),
        "proof_active": proofs.active_proof(session, story),
        "proof_recent": proofs.story_proofs(session, story),
        "proof_form": ConfirmForm(formdata=None),
    }


story_page.add_story_context(_story_panel)
