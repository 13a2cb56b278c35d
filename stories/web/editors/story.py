"""The editorial pages under /editor: a story's page, its edits, notes, tags and decisions.

Views are thin: validate a form, call one operation, commit, flash, redirect. Decisions are only
taken here, on the story's own page. Other blueprints add panels to the story page with
`add_story_context(fn)` (fn(session, story) -> template variables) and a template included at the
marked places in `web/editor/story.html` (`_privacy.html`, `_volume.html`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from anthology.text import pictures as references
from anthology.text.markdown import render
from stories import db
from stories.labels import decision_label
from stories.models import (
    TEMPLATE_ACTIONS,
    Consent,
    DecisionAction,
    MessageTemplate,
    Role,
    Story,
    StoryRevision,
    User,
)
from stories.operations import audit, review
from stories.operations.editorial import assignment, curation, editing, templates
from stories.queries.diff import side_by_side
from stories.web.auth import actor, home_url, role_required
from stories.web.common import ConfirmForm, run, story_or_404
from stories.web.editors.forms import DecisionForm, EditForm, NoteForm, TagForm
from stories.web.pictures import addresses

bp = Blueprint("story", __name__, url_prefix="/editor")

StoryContext = Callable[[Session, Story], dict[str, Any]]
_story_context: list[StoryContext] = []


def add_story_context(provider: StoryContext) -> None:
    """Register extra template variables for the story page (e.g. the privacy panel's flags)."""
    if provider not in _story_context:
        _story_context.append(provider)


@bp.app_template_filter("story_html")
def story_html(markdown: str) -> Markup:
    """A story's Markdown as safe HTML, through the one pipeline (`anthology.text.markdown`)."""
    shown = addresses(references.refs(markdown))  # editors see the originals
    return Markup(render(markdown, pictures=shown))  # noqa: S704 - render() sanitizes with nh3


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


# Decisions that cannot be taken back by the author and close the review: confirmed first.
CONFIRMED = (DecisionAction.accept, DecisionAction.reject)


def revised_mark() -> datetime | None:
    """When the author revised the story, if no editor had opened it since (this request)."""
    return g.get("revised_mark")


def _template_form(session: Session, story: Story) -> DecisionForm | None:
    """?template=ID&lang=zh|en: the decision form with that template's message filled in."""
    value = request.args.get("template", "")
    template = session.get(MessageTemplate, int(value)) if value.isdigit() else None
    if template is None:
        return None
    text = templates.body(template, request.args.get("lang", "zh"))
    message = templates.fill(text, story, str(current_app.config.get("SITE_TITLE", "")))
    return DecisionForm(formdata=None, data={"action": template.action, "message": message})


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
        rules=review.rules_for(story.status),
        decision_form=forms.get("decision_form")
        or _template_form(session, story)
        or DecisionForm(formdata=None),
        template_choices={a: templates.choices(session, a) for a in TEMPLATE_ACTIONS},
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        tag_form=TagForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        is_admin=current_user.can(Role.admin),
        **context,
    )
    return page, status


@bp.get("/stories/<int:story_id>")
@role_required(Role.editor)
def show(story_id: int) -> tuple[str, int]:
    session = db.session()
    story = story_or_404(session, story_id)
    g.revised_mark = story.revised_by_author_at
    if assignment.mark_seen(session, story):  # an editor has now seen the author's revision
        session.commit()
    return _story_page(story)


@bp.get("/stories/<int:story_id>/revisions/<int:number>")
@role_required(Role.editor)
def revision(story_id: int, number: int) -> str:
    session = db.session()
    story = story_or_404(session, story_id)
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
    story = story_or_404(session, story_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        for error in form.action.errors:  # an unknown decision: say so (the CSRF page is apart)
            flash(str(error), "error")
        return _story_page(story, 400, decision_form=form)
    action = DecisionAction(form.action.data)
    editor, message, reason = actor(), form.message.data or "", form.override_reason.data or ""
    if action in CONFIRMED and request.form.get("confirmed") != "yes":
        page = _confirmation(story, action, message, reason)
        if page is not None:
            return page, 200
    outcome = run(
        lambda s: review.decide(s, story, editor, action, message, reason),
        _("Saved: %(what)s.", what=decision_label(action)),
    )
    if not outcome.ok:
        return _story_page(story, 409, decision_form=form)
    return redirect(url_for("story.show", story_id=story_id))


def _confirmation(story: Story, action: DecisionAction, message: str, reason: str) -> str | None:
    """The confirmation page of an accept or a reject, or None when the decision would be
    refused anyway (wrong status, the gate without an override): then the refusal is shown."""
    rule = review.RULES[action]
    gate = review.acceptance_gate(db.session(), story.id or 0)
    if story.status not in rule.allowed_from or (rule.gated and not gate.passed and not reason):
        return None
    accept = action == DecisionAction.accept
    return render_template(
        "web/editor/confirm.html",
        heading=_("Accept this story?") if accept else _("Do not accept this story?"),
        question=(
            _(
                "《%(title)s》 (#%(id)s) will be accepted and can then be placed in a book.",
                title=story.title,
                id=story.id,
            )
            if accept
            else _(
                "《%(title)s》 (#%(id)s) will not be accepted. The author sees this on the "
                "status page; the review can only be reopened by an editor.",
                title=story.title,
                id=story.id,
            )
        ),  # fmt: skip
        details=[_("Admin override: %(reason)s", reason=reason)] if reason else [],
        message=message,
        action_url=url_for("story.decide", story_id=story.id),
        fields=[("action", action.value), ("message", message), ("override_reason", reason)],
        confirm_label=_("Yes, accept it") if accept else _("Yes, do not accept it"),
        back_url=url_for("story.show", story_id=story.id, _anchor="decision"),
        kind=action.value,
    )


@bp.route("/stories/<int:story_id>/edit", methods=["GET", "POST"])
@role_required(Role.editor)
def edit(story_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = story_or_404(session, story_id)
    form = EditForm(data={"title": story.title, "body": story.body, "version": story.version})
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("web/editor/edit.html", story=story, form=form), status
    editor, title, body = actor(), form.title.data or "", form.body.data or ""
    version, note = form.version.data or 0, form.note.data or ""
    outcome = run(
        lambda s: editing.edit_story(s, story, editor, title, body, version, note=note),
        lambda revision: (
            _("Saved as revision %(n)s.", n=revision.number)
            if revision is not None
            else _("Nothing was changed.")
        ),
        quiet=(editing.ConflictError,),
    )
    if isinstance(outcome.error, editing.ConflictError):
        return _conflict(story, form, editor, outcome.error)
    if not outcome.ok:
        return render_template("web/editor/edit.html", story=story, form=form), 400
    return redirect(url_for("story.show", story_id=story_id))


def _conflict(
    story: Story, form: EditForm, editor: User, conflict: editing.ConflictError
) -> tuple[str, int]:
    """Another editor saved first: keep this edit (audit log), show both versions side by side."""
    session = db.session()
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


@bp.post("/stories/<int:story_id>/notes")
@role_required(Role.editor)
def add_note(story_id: int) -> Response | tuple[str, int]:
    session = db.session()
    story = story_or_404(session, story_id)
    form = NoteForm()
    if not form.validate_on_submit():
        if form.body.errors:
            flash(_("The note was not added: please write the note first."), "error")
        else:
            flash(_("The form has expired; please try again."), "error")
        return _story_page(story, 400, note_form=form)
    editor, body = actor(), form.body.data or ""
    if not run(lambda s: curation.add_note(s, story, editor, body), _("Note added.")).ok:
        return _story_page(story, 400, note_form=form)
    return redirect(url_for("story.show", story_id=story_id, _anchor="notes"))


@bp.post("/stories/<int:story_id>/tags")
@role_required(Role.editor)
def add_tag(story_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    form = TagForm()
    if form.validate_on_submit():
        editor, name = actor(), form.name.data or ""
        run(lambda s: curation.tag_story(s, story, editor, name))
    else:
        flash(_("The tag was not added: please give a name of at most 50 characters."), "error")
    return redirect(url_for("story.show", story_id=story_id, _anchor="tags"))


@bp.post("/stories/<int:story_id>/tags/<int:tag_id>/remove")
@role_required(Role.editor)
def remove_tag(story_id: int, tag_id: int) -> Response:
    session = db.session()
    story = story_or_404(session, story_id)
    if ConfirmForm().validate_on_submit():
        editor = actor()
        run(lambda s: curation.untag_story(s, story, editor, tag_id))
    return redirect(url_for("story.show", story_id=story_id, _anchor="tags"))
