"""A chapter of a volume's book under /editor/volumes/<slug>/book/chapters (publishers).

A chapter's page edits its place and text: Markdown in a textarea with a preview rendered like
stories (the `story_html` filter), or a Word file through the same import as stories
(`stories.web.docx`), whose text comes into the form for a preview before it is saved. Saving
makes a new revision; any two revisions are compared side by side. The book page's buttons
(up, down, take out, put back) post here and return there.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlmodel import Session, select
from werkzeug.wrappers import Response as BaseResponse

from stories import db
from stories.models import BookChapter, ChapterSource, Role, User, Volume
from stories.operations.books import chapters, contents
from stories.queries.diff import side_by_side
from stories.web import docx
from stories.web.auth import actor, role_required
from stories.web.common import direction, run, volume_or_404
from stories.web.editors.books.pages import button, expired, mark
from stories.web.editors.forms import ChapterForm

bp = Blueprint("chapters", __name__, url_prefix="/editor/volumes/<slug>/book/chapters")
bp.register_error_handler(CSRFError, expired)


def _chapter(session: Session, volume: Volume, chapter_id: int) -> BookChapter:
    try:
        return contents.get(session, volume, chapter_id)
    except contents.ChapterNotFound:
        abort(404)


def _usernames(session: Session) -> dict[int | None, str]:
    return dict(session.exec(select(User.id, User.username)).all())


@bp.post("/<int:chapter_id>/move")
@role_required(Role.publisher)
def move(slug: str, chapter_id: int) -> BaseResponse:
    session = db.session()
    volume = volume_or_404(session, slug)
    chapter, publisher, step = _chapter(session, volume, chapter_id), actor(), direction()
    return button(slug, lambda s: contents.move_chapter(s, publisher, volume, chapter, step))


@bp.post("/parts/move")
@role_required(Role.publisher)
def move_part(slug: str) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    title, publisher, step = request.form.get("part", "")[:200], actor(), direction()
    return button(slug, lambda s: contents.move_part(s, publisher, volume, title, step))


@bp.post("/<int:chapter_id>/remove")
@role_required(Role.publisher)
def remove(slug: str, chapter_id: int) -> BaseResponse:
    session = db.session()
    volume = volume_or_404(session, slug)
    chapter, publisher = _chapter(session, volume, chapter_id), actor()
    return button(
        slug,
        lambda s: chapters.remove_chapter(s, publisher, volume, chapter),
        _("The chapter was taken out of the book; its text is kept and it can be put back."),
    )


@bp.post("/<int:chapter_id>/restore")
@role_required(Role.publisher)
def restore(slug: str, chapter_id: int) -> BaseResponse:
    session = db.session()
    volume = volume_or_404(session, slug)
    chapter, publisher = _chapter(session, volume, chapter_id), actor()
    return button(
        slug,
        lambda s: chapters.restore_chapter(s, publisher, volume, chapter),
        _("The chapter is back in the book."),
    )


def _chapter_page(
    volume: Volume,
    form: ChapterForm,
    chapter: BookChapter | None = None,
    preview: bool = False,
    status: int = 200,
) -> tuple[str, int]:
    session = db.session()
    context: dict[str, Any] = {}
    if chapter is not None:
        found = contents.revisions(session, chapter.id or 0)
        context = {"revisions": found, "usernames": _usernames(session), **_diff(found)}
    page = render_template(
        "web/editor/chapter.html",
        volume=volume,
        chapter=chapter,
        form=form,
        preview=preview,
        **context,
    )
    return page, status


def _revision_text(revision: Any) -> str:
    heading = [revision.title, revision.subtitle, revision.author]
    return "\n".join(line for line in heading if line) + "\n\n" + revision.body


def _diff(found: list[Any]) -> dict[str, Any]:
    """The revisions chosen with ?a=&b= (default: the first and the latest), compared."""
    numbers = {revision.number: revision for revision in found}
    highest = max(numbers, default=1)

    def pick(name: str, default: int) -> int:
        value = request.args.get(name, "")
        return int(value) if value.isdigit() and int(value) in numbers else default

    left, right = pick("a", 1), pick("b", highest)
    diff = None
    if left in numbers and right in numbers and left != right:
        diff = side_by_side(_revision_text(numbers[left]), _revision_text(numbers[right]))
    return {"diff": diff, "diff_left": left, "diff_right": right}


def _word(form: ChapterForm) -> bool:
    """A Word file sent with the form: its text goes into the textarea (for a preview first)."""
    upload = form.docx.data
    if upload is None or not getattr(upload, "filename", ""):
        return False
    try:
        converted = docx.convert(upload.read(), upload.filename)
    except docx.DocxError as error:
        form.docx.errors = [*form.docx.errors, str(error.message)]
        return True
    form.body.data, form.origin.data = converted.markdown, "word"
    flash(_("The Word file was converted. Check the preview, then save."), "info")
    if converted.dropped_images:
        flash(
            _(
                "%(n)s pictures could not be kept (only PNG, JPEG and GIF).",
                n=converted.dropped_images,
            ),
            "info",
        )
    return True


def _text(form: ChapterForm) -> chapters.ChapterText:
    return chapters.ChapterText(
        title=form.title.data or "",
        body=form.body.data or "",
        subtitle=form.subtitle.data or "",
        author=form.author.data or "",
    )


def _source(form: ChapterForm) -> ChapterSource:
    return ChapterSource.word if form.origin.data == "word" else ChapterSource.typed


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.publisher)
def new(slug: str) -> BaseResponse | tuple[str, int]:
    volume = volume_or_404(db.session(), slug)
    if request.method == "GET":
        section = request.args.get("section", "front")
        return _chapter_page(volume, ChapterForm(formdata=None, data={"section": section}))
    form = ChapterForm()
    if not form.validate():
        return _chapter_page(volume, form, status=400)
    if _word(form) or request.form.get("action") == "preview":
        return _chapter_page(volume, form, preview=not form.docx.errors)
    publisher, text, source = actor(), _text(form), _source(form)
    section, part, note = form.section.data or "", form.part_title.data or "", form.note.data or ""
    outcome = run(
        lambda s: chapters.add_chapter(
            s, publisher, volume, section, part, text, source, note=note
        ),
        _("The chapter was added."),
    )
    if outcome.value is None:
        if isinstance(outcome.error, chapters.InvalidChapter):
            mark(form, outcome.error.fields)
        return _chapter_page(volume, form, status=400)
    return redirect(url_for("chapters.edit", slug=slug, chapter_id=outcome.value.id))


@bp.route("/<int:chapter_id>", methods=["GET", "POST"])
@role_required(Role.publisher)
def edit(slug: str, chapter_id: int) -> BaseResponse | tuple[str, int]:
    session = db.session()
    volume = volume_or_404(session, slug)
    row = _chapter(session, volume, chapter_id)
    if request.method == "GET":
        now = contents.current(session, row)
        values = {"section": now.section.value, "part_title": now.part_title, "title": now.title,
                  "subtitle": now.subtitle, "author": now.author, "body": now.body,
                  "base": str(now.revision)}  # fmt: skip
        return _chapter_page(volume, ChapterForm(formdata=None, data=values), row)
    form = ChapterForm()
    if not form.validate():
        return _chapter_page(volume, form, row, status=400)
    if _word(form) or request.form.get("action") == "preview":
        return _chapter_page(volume, form, row, preview=not form.docx.errors)
    publisher, text, source = actor(), _text(form), _source(form)
    base = int(form.base.data) if (form.base.data or "").isdigit() else 0
    section, part, note = form.section.data or "", form.part_title.data or "", form.note.data or ""
    outcome = run(
        lambda s: chapters.save_chapter(
            s, publisher, volume, row, text, base, section, part, source, note
        ),
        lambda revision: (
            _("Saved as revision %(n)s.", n=revision.number)
            if revision is not None
            else _("Saved; the text did not change.")
        ),
    )
    if isinstance(outcome.error, chapters.ChapterConflict):  # save again on the newest one
        form.base.data = str(contents.current(db.session(), row).revision)
        return _chapter_page(volume, form, row, status=409)
    if not outcome.ok:
        if isinstance(outcome.error, chapters.InvalidChapter):
            mark(form, outcome.error.fields)
        return _chapter_page(volume, form, row, status=400)
    return redirect(url_for("chapters.edit", slug=slug, chapter_id=chapter_id))


@bp.get("/<int:chapter_id>/revisions/<int:number>")
@role_required(Role.publisher)
def revision(slug: str, chapter_id: int, number: int) -> str:
    session = db.session()
    volume = volume_or_404(session, slug)
    row = _chapter(session, volume, chapter_id)
    found = [r for r in contents.revisions(session, chapter_id) if r.number == number]
    if not found:
        abort(404)
    return render_template(
        "web/editor/chapter_revision.html",
        volume=volume,
        chapter=row,
        revision=found[0],
        usernames=_usernames(session),
    )
