"""The privacy panel on a story's page: the open flags highlighted in the story's text (which the
page shows once, at the top), pseudonymise or dismiss each."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlmodel import Session
from werkzeug.wrappers import Response

from anthology.text import pictures as references
from anthology.text.markdown import render
from stories import db
from stories.labels import privacy_kind_label
from stories.models import Role, Story
from stories.operations import flags, privacy
from stories.operations.flags import FlagRow
from stories.web.auth import actor, role_required
from stories.web.common import run, story_or_404
from stories.web.editors import story as story_page
from stories.web.editors.forms import DismissForm, PseudonymForm
from stories.web.pictures import addresses

bp = Blueprint("privacy", __name__, url_prefix="/editor")


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: where a <mark> opens and closes


def marked_html(body: str, rows: list[FlagRow]) -> Markup:
    """The story's text through the one Markdown pipeline, with each open flag in <mark>.

    Markers are put into the Markdown at the flags' positions and become <mark> elements in the
    sanitized HTML; a flag whose span crosses an element or lies inside a tag (a link's address)
    keeps its text unmarked, so the HTML stays well formed."""
    body = body.replace(_OPEN, "\ufffd").replace(_CLOSE, "\ufffd")
    spans = sorted(
        (r for r in rows if r.status.value == "open" and not r.in_title and r.end > r.start),
        key=lambda r: r.start,
    )
    kept: list[FlagRow] = []
    for row in spans:
        if not kept or row.start >= kept[-1].end:
            kept.append(row)
    for row in reversed(kept):
        body = body[: row.start] + _OPEN + body[row.start : row.end] + _CLOSE + body[row.end :]
    html = render(body, pictures=addresses(references.refs(body)))  # editors see the originals
    pieces: list[str] = []
    position = 0
    for row in kept:
        start = html.find(_OPEN, position)
        end = html.find(_CLOSE, start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        inner = html[start + 1 : end]
        in_tag = html.rfind("<", 0, start) > html.rfind(">", 0, start)
        pieces.append(html[position:start])
        if in_tag or "<" in inner or ">" in inner:
            pieces.append(inner)
        else:
            title = escape(privacy_kind_label(row.kind))
            pieces.append(f'<mark id="flag-{row.id}" title="{title}">{inner}</mark>')
        position = end + 1
    pieces.append(html[position:])
    text = "".join(pieces).replace(_OPEN, "").replace(_CLOSE, "")
    return Markup(text)  # noqa: S704 - render() sanitized it; only <mark> with our ids is added


def _panel(session: Session, story: Story) -> dict[str, Any]:
    rows = flags.rows(session, story.id or 0)
    if flags.pending(session, story) or flags.needs_rescan(session, story):
        flags.ensure_scanned(session, story)
        session.commit()
        rows = flags.rows(session, story.id or 0)
    return {
        "privacy_flags": rows,
        "privacy_segments": privacy.highlighted(story.body, rows),
        "story_text_html": marked_html(story.body, rows),
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
