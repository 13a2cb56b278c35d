"""The book of a volume under /editor/volumes/<slug>/book (publishers and admins).

The book page shows the structure (front chapters, history parts, the stories, the list of
contributors, back chapters) with up/down buttons (`chapters`, the chapters' own pages);
the settings page holds everything a recipe holds, and its history; a recipe is downloaded and
imported here. Every button is a small POST form: the pages work without JavaScript. A form
refused for any reason, an expired security token included, comes back as it was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlmodel import Session
from werkzeug.wrappers import Response as BaseResponse

from stories import db
from stories.jobs.settings import profiles_folder
from stories.models import Role, Volume
from stories.operations import OperationError, volumes
from stories.operations.books import contents, press, recipes, settings
from stories.web.auth import actor, role_required
from stories.web.common import ConfirmForm, run, volume_or_404
from stories.web.editors.forms import BookSettingsForm, RecipeForm

bp = Blueprint("books", __name__, url_prefix="/editor/volumes/<slug>/book")


def mark(form: Any, fields: dict[str, object]) -> None:
    """Show an operation's field messages next to the fields (the rest at the top)."""
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            flash(str(message), "error")


def button(slug: str, operation: Callable[[Session], object], done: str = "") -> BaseResponse:
    """Run one operation for a button of the book page and return to the structure."""
    if ConfirmForm().validate():
        run(operation, done)
    else:
        flash(_("The form has expired; please try again."), "error")
    return redirect(url_for("books.show", slug=slug, _anchor="structure"))


# --- The book page ---------------------------------------------------------------------------


@bp.get("")
@role_required(Role.publisher)
def show(slug: str) -> str:
    session = db.session()
    volume = volume_or_404(session, slug)
    latest = settings.current(session, volume)
    return render_template(
        "web/editor/book.html",
        volume=volume,
        book=contents.structure(session, volume),
        data=settings.current_data(session, volume),
        latest=latest,
        parts=volumes.arrangement(session, volume),
        action_form=ConfirmForm(formdata=None),
        recipe_form=RecipeForm(formdata=None),
    )


# --- Recipes ---------------------------------------------------------------------------------


@bp.post("/recipe")
@role_required(Role.publisher)
def download_recipe(slug: str) -> BaseResponse:
    if not ConfirmForm().validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("books.show", slug=slug))
    session = db.session()
    volume = volume_or_404(session, slug)
    text = recipes.export_recipe(session, actor(), volume)
    session.commit()
    return Response(
        text,
        mimetype="application/toml",
        headers={"Content-Disposition": f"attachment; filename={volume.slug}.toml"},
    )


def _imported(result: recipes.ImportResult) -> str:
    if result.settings_revision is None:
        said = _("The settings were already the same.")
    else:
        said = _("Imported as settings revision %(n)s.", n=result.settings_revision)
    if result.chapters_imported:
        said += " " + _(
            "Chapters: %(added)s added, %(changed)s changed, %(removed)s taken out.",
            added=result.added, changed=result.changed, removed=result.removed,
        )  # fmt: skip
    elif result.named:
        said += " " + _(
            "The chapters were left as they are: send the recipe together with its %(n)s "
            "chapter files to import them too.",
            n=result.named,
        )
    for notice in result.notices:
        flash(str(notice), "info")
    return said


@bp.post("/recipe/import")
@role_required(Role.publisher)
def import_recipe(slug: str) -> BaseResponse:
    volume = volume_or_404(db.session(), slug)
    form = RecipeForm()
    upload = form.recipe.data
    if not form.validate():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("books.show", slug=slug, _anchor="recipe"))
    if upload is None or not getattr(upload, "filename", ""):
        flash(_("Choose a recipe file to import."), "error")
        return redirect(url_for("books.show", slug=slug, _anchor="recipe"))
    publisher, recipe = actor(), upload.read()
    files = {
        f.filename.rsplit("/", 1)[-1]: f.read() for f in form.chapters.data or [] if f.filename
    }
    run(lambda s: recipes.import_upload(s, publisher, volume, recipe, files), _imported)
    return redirect(url_for("books.show", slug=slug, _anchor="recipe"))


# --- Settings --------------------------------------------------------------------------------


def _settings_page(volume: Volume, form: BookSettingsForm, status: int = 200) -> tuple[str, int]:
    session = db.session()
    page = render_template(
        "web/editor/book_settings.html",
        volume=volume,
        form=form,
        history=settings.history(session, volume),
        labels=settings.FIELD_LABELS,
        has_settings=settings.current(session, volume) is not None,
    )
    return page, status


@bp.route("/settings", methods=["GET", "POST"])
@role_required(Role.publisher)
def settings_page(slug: str) -> BaseResponse | tuple[str, int]:
    session = db.session()
    volume = volume_or_404(session, slug)
    if request.method == "GET":
        latest = settings.current(session, volume)
        values = settings.to_form(settings.current_data(session, volume))
        form = BookSettingsForm(
            formdata=None, data={**values, "base": latest.number if latest else 0}
        )
        return _settings_page(volume, form)
    form = BookSettingsForm()
    if not form.validate():
        return _settings_page(volume, form, 400)
    base = int(form.base.data) if (form.base.data or "").isdigit() else None
    publisher, values, note = actor(), dict(form.data), form.note.data or ""
    if not _take_profile(form, values):
        return _settings_page(volume, form, 400)
    outcome = run(
        lambda s: settings.save_form(s, publisher, volume, values, base, note),
        lambda revision: (
            _("Saved as revision %(n)s.", n=revision.number)
            if revision is not None
            else _("Nothing was changed.")
        ),
    )
    if isinstance(outcome.error, settings.SettingsConflict):  # save again on the newest one
        latest = settings.current(db.session(), volume)
        form.base.data = str(latest.number if latest else 0)
        return _settings_page(volume, form, 409)
    if not outcome.ok:
        if isinstance(outcome.error, settings.InvalidSettings):
            mark(form, outcome.error.fields)
        return _settings_page(volume, form, 400)
    return redirect(url_for("books.settings_page", slug=slug))


def _take_profile(form: BookSettingsForm, values: dict[str, Any]) -> bool:
    """The uploaded ICC profile kept in the profiles folder (its name into `values`), or the
    printer's profile removed; False (the field marked) when the file is refused."""
    upload = form.profile_file.data
    if form.remove_profile.data:
        values["icc_profile"] = ""
    elif upload is not None and getattr(upload, "filename", None):
        folder = profiles_folder(current_app)
        try:
            values["icc_profile"] = press.store_profile(folder, upload.read(), upload.filename)
        except press.ProfileRefused as error:
            mark(form, {"profile_file": str(error)})
            return False
        form.icc_profile.data = values["icc_profile"]
    return True


FORM_PAGES = ("books.settings_page", "chapters.edit", "chapters.new")


def _form_page_exists(args: dict[str, Any]) -> bool:
    session = db.session()
    try:
        volume = volumes.get(session, args.get("slug", ""))
        if "chapter_id" in args:
            contents.get(session, volume, args["chapter_id"])
    except OperationError:
        return False
    return True


def expired(error: CSRFError) -> Any:
    """An expired security token on the settings or a chapter form: nothing is saved, and the
    form comes back as it was sent, with a fresh token (the view runs and refuses the form).
    Anything else gets the site's page for an expired form."""
    args = dict(request.view_args or {})
    publisher = current_user.is_authenticated and current_user.can(Role.publisher)
    if request.endpoint in FORM_PAGES and publisher and _form_page_exists(args):
        flash(
            _("The form had expired, so nothing was saved. Your input is below: save again."),
            "error",
        )
        return current_app.view_functions[request.endpoint or ""](**args)
    site_handler = current_app.error_handler_spec[None][400].get(CSRFError)
    return site_handler(error) if site_handler else ("", 400)


bp.register_error_handler(CSRFError, expired)
