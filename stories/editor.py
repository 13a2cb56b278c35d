"""The editorial pages under /editor: a story's page, its edits, notes, tags and decisions.

Views are thin: validate a form, call one operation, commit, flash, redirect. Decisions are only
taken here, on the story's own page. Other blueprints add panels to the story page with
`add_story_context(fn)` (fn(session, story) -> template variables) and a template included at the
marked places in `web/editor/story.html` (`_privacy.html`, `_volume.html`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from anthology.text.markdown import render
from stories import db
from stories.auth import actor, home_url, role_required
from stories.editorforms import ConfirmForm, DecisionForm, EditForm, NoteForm, TagForm
from stories.models import Consent, DecisionAction, Role, Story, StoryRevision, User
from stories.operations import OperationError, audit, curation, editing, review
from stories.revisiondiff import side_by_side

bp = Blueprint("editor", __name__, url_prefix="/editor")

StoryContext = Callable[[Session, Story], dict[str, Any]]
_story_context: list[StoryContext] = []


def add_story_context(provider: StoryContext) -> None:
    """Register extra template variables for the story page (e.g. the privacy panel's flags)."""
    if provider not in _story_context:
        _story_context.append(provider)


@bp.app_template_filter("story_html")
def story_html(markdown: str) -> Markup:
    """A story's Markdown as safe HTML, through the one pipeline (anthology.markup.render)."""
    return Markup(render(markdown))  # noqa: S704 - render() sanitizes with nh3


def _story(session: Session, story_id: int) -> Story:
    try:
        return review.get_story(session, story_id)
    except review.StoryNotFound:
        abort(404)


@bp.get("")
@bp.get("/")
@role_required(Role.editor)
def start() -> Response:
    """/editor typed by hand: the editors' landing page."""
    return redirect(home_url())


@bp.get("/recent")
@role_required(Role.editor)
def recent() -> str:
    """The most recently active stories (the landing page until the queue exists)."""
    query = select(Story).order_by(col(Story.last_activity_at).desc()).limit(50)
    stories = db.session().exec(query).all()
    return render_template("web/editor/recent.html", stories=stories)


def _revision_number(value: str | None, default: int, highest: int) -> int:
    if value and value.isdigit() and 1 <= int(value) <= highest:
        return int(value)
    return default


def _diff_context(revisions: list[StoryRevision]) -> dict[str, Any]:
    """The two revisions chosen with ?a=&b= (default: the original and the latest), compared."""
    highest = revisions[-1].number if revisions else 1
    left = _revision_number(request.args.get("a"), 1, highest)
    right = _revision_number(request.args.get("b"), highest, highest)
    by_number = {revision.number: revision for revision in revisions}
    diff = None
    if left in by_number and right in by_number:
        old, new = by_number[left], by_number[right]
        diff = side_by_side(f"{old.title}\n\n{old.body}", f"{new.title}\n\n{new.body}")
    return {"diff": diff, "diff_left": left, "diff_right": right}


def _story_page(story: Story, status: int = 200, **forms: Any) -> tuple[str, int]:
    session = db.session()
    story_id = story.id or 0
    revisions = editing.revisions(session, story_id)
    editors = dict(session.exec(select(User.id, User.username)).all())
    consents = session.exec(select(Consent).where(Consent.story_id == story_id)).all()
    events, _total = audit.events(session, audit.EventFilter(story_id=story_id), limit=500)
    context: dict[str, Any] = {}
    for provider in _story_context:
        context.update(provider(session, story))
    page = render_template(
        "web/editor/story.html",
        story=story,
        revisions=revisions,
        original=revisions[0] if revisions and revisions[0].number == 1 else None,
        editors=editors,
        **_diff_context(revisions),
        consents={consent.kind.value: consent for consent in consents},
        gate=review.acceptance_gate(session, story_id),
        decisions=review.decisions(session, story_id),
        notes=curation.notes(session, story_id),
        tags=curation.tags(session, story_id),
        events=events,
        actions=[a for a in DecisionAction if story.status in review.ALLOWED_FROM[a]],
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None),
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        tag_form=TagForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        is_admin=current_user.can(Role.admin),
        **context,
    )
    return page, status


@bp.get("/stories/<int:story_id>")
@role_required(Role.editor)
def story(story_id: int) -> tuple[str, int]:
    return _story_page(_story(db.session(), story_id))


@bp.get("/stories/<int:story_id>/revisions/<int:number>")
@role_required(Role.editor)
def revision(story_id: int, number: int) -> str:
    session = db.session()
    story = _story(session, story_id)
    found = [r for r in editing.revisions(session, story_id) if r.number == number]
    if not found:
        abort(404)
    editors = dict(session.exec(select(User.id, User.username)).all())
    return render_template(
        "web/editor/revision.html", story=story, revision=found[0], editors=editors
    )


@bp.post("/stories/<int:story_id>/decision")
@role_required(Role.editor)
def decide(story_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = _story(session, story_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _story_page(story, 400, decision_form=form)
    action = DecisionAction(form.action.data)
    message = form.message.data or ""
    editor = actor()
    try:
        if action == DecisionAction.start_review:
            review.start_review(session, story, editor)
        elif action == DecisionAction.request_revision:
            review.request_revision(session, story, editor, message)
        elif action == DecisionAction.accept:
            review.accept_story(session, story, editor, message, form.override_reason.data or "")
        else:
            review.reject_story(session, story, editor, message)
    except review.AcceptanceRefused as error:
        session.rollback()
        flash(str(error), "error")
        for problem in error.problems:
            flash(str(problem), "error")
        return _story_page(story, 409, decision_form=form)
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return _story_page(story, 409, decision_form=form)
    session.commit()
    flash(_("Saved: %(what)s.", what=_decision_done(action)), "info")
    return redirect(url_for("editor.story", story_id=story_id))


def _decision_done(action: DecisionAction) -> str:
    from stories.labels import decision_label

    return decision_label(action)


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
@role_required(Role.editor)
def edit(story_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = _story(session, story_id)
    form = EditForm(data={"title": story.title, "body": story.body, "version": story.version})
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("web/editor/edit.html", story=story, form=form), status
    editor = actor()
    try:
        revision = editing.edit_story(
            session,
            story,
            editor,
            form.title.data or "",
            form.body.data or "",
            form.version.data or 0,
            note=form.note.data or "",
        )
    except editing.ConflictError as conflict:
        session.rollback()
        editing.keep_conflicting_edit(session, editor, conflict)
        session.commit()
        form.version.data, form.version.raw_data = conflict.current_version, None
        diff = side_by_side(
            f"{conflict.current_title}\n\n{conflict.current_body}",
            f"{conflict.submitted_title}\n\n{conflict.submitted_body}",
        )
        page = render_template(
            "web/editor/edit.html", story=story, form=form, conflict=conflict, diff=diff
        )
        return page, 409
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return render_template("web/editor/edit.html", story=story, form=form), 400
    session.commit()
    if revision is None:
        flash(_("Nothing was changed."), "info")
    else:
        flash(_("Saved as revision %(n)s.", n=revision.number), "info")
    return redirect(url_for("editor.story", story_id=story_id))


@bp.post("/stories/<int:story_id>/notes")
@role_required(Role.editor)
def add_note(story_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = _story(session, story_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _story_page(story, 400, note_form=form)
    try:
        curation.add_note(session, story, actor(), form.body.data or "")
    except OperationError as error:
        session.rollback()
        flash(str(error), "error")
        return _story_page(story, 400, note_form=form)
    session.commit()
    flash(_("Note added."), "info")
    return redirect(url_for("editor.story", story_id=story_id, _anchor="notes"))


@bp.post("/stories/<int:story_id>/tags")
@role_required(Role.editor)
def add_tag(story_id: int) -> Response:
    session = db.session()
    story = _story(session, story_id)
    form = TagForm()
    if form.validate_on_submit():
        try:
            curation.tag_story(session, story, actor(), form.name.data or "")
        except OperationError as error:
            session.rollback()
            flash(str(error), "error")
        else:
            session.commit()
    else:
        flash(_("The tag was not added: please give a name of at most 50 characters."), "error")
    return redirect(url_for("editor.story", story_id=story_id, _anchor="tags"))


@bp.post("/stories/<int:story_id>/tags/<int:tag_id>/remove")
@role_required(Role.editor)
def remove_tag(story_id: int, tag_id: int) -> Response:
    session = db.session()
    story = _story(session, story_id)
    if ConfirmForm().validate_on_submit():
        curation.untag_story(session, story, actor(), tag_id)
        session.commit()
    return redirect(url_for("editor.story", story_id=story_id, _anchor="tags"))
