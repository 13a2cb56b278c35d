"""The editorial queue at /editor/queue: tabs, filters, search, sorting, pages, bulk actions.

Bulk actions are only the safe ones: tag (editors), assign to a volume and export (publishers).
Decisions are taken on a story's own page, never from the list.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from stories import db
from stories.labels import STATUS
from stories.models import Role, ServiceField, StoryStatus
from stories.operations import curation, export, volumes
from stories.queries import listing
from stories.web.auth import actor, role_required
from stories.web.common import json_download, run
from stories.web.editors.forms import BulkForm

bp = Blueprint("queue", __name__, url_prefix="/editor")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _enum(cls: Any, value: str | None) -> Any:
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def queue_filter(args: Any) -> listing.QueueFilter:
    page = args.get("page", "1")
    sort = args.get("sort", "")
    return listing.QueueFilter(
        status=_enum(StoryStatus, args.get("status")),
        service_field=_enum(ServiceField, args.get("field")),
        province=args.get("province", "").strip()[:50],
        volume=args.get("volume", "").strip()[:64],
        tag=args.get("tag", "").strip()[:50],
        flagged=args.get("flagged") == "1",
        since=_date(args.get("since")),
        until=_date(args.get("until")),
        q=args.get("q", "").strip()[:200],
        sort=sort if sort in listing.SORTS else "submitted_desc",
        page=int(page) if page.isdigit() else 1,
    )


def _link_args(where: listing.QueueFilter, **changes: Any) -> dict[str, Any]:
    """Query-string arguments for a link that keeps the current filters."""
    args: dict[str, Any] = {
        "status": where.status.value if where.status else None,
        "field": where.service_field.value if where.service_field else None,
        "province": where.province or None,
        "volume": where.volume or None,
        "tag": where.tag or None,
        "flagged": "1" if where.flagged else None,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "q": where.q or None,
        "sort": where.sort if where.sort != "submitted_desc" else None,
        "page": where.page if where.page > 1 else None,
    }
    args.update(changes)
    if args.get("page") == 1:
        args["page"] = None
    return {key: value for key, value in args.items() if value not in (None, "")}


def remember_queue_view() -> None:
    """The queue as the editor last saw it (tab, filters, page), for the story page's way back."""
    flask_session["queue_view"] = request.full_path.rstrip("?")[:1000]


@bp.app_template_global("queue_back_url")
def queue_back_url() -> str:
    view = flask_session.get("queue_view", "")
    if isinstance(view, str) and view.startswith("/editor/queue"):
        return view
    return url_for("queue.index")


@bp.get("/queue")
@role_required(Role.editor)
def index() -> str:
    remember_queue_view()
    session = db.session()
    where = queue_filter(request.args)
    page_size = int(current_app.config.get("QUEUE_PAGE_SIZE", listing.PAGE_SIZE))
    page = listing.queue_page(session, where, page_size)
    return render_template(
        "web/editor/queue.html",
        where=where,
        page=page,
        # Drafts are not stories (stories.operations.drafts): the queue has no draft tab.
        statuses=[(s, label) for s, label in STATUS.items() if s != StoryStatus.draft],
        fields=list(ServiceField),
        provinces=listing.provinces(session),
        volumes=listing.volume_slugs(session),
        tags=listing.tag_names(session),
        link=lambda **changes: url_for("queue.index", **_link_args(where, **changes)),
        bulk_form=BulkForm(formdata=None),
        can_publish=current_user.can(Role.publisher),
    )


def _selected() -> list[int]:
    ids = []
    for value in request.form.getlist("story"):
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids


@bp.post("/queue/bulk")
@role_required(Role.editor)
def bulk() -> BaseResponse:
    form = BulkForm()
    back = request.form.get("back", "")
    target = back if back.startswith("/editor/queue") else url_for("queue.index")
    ids = _selected()
    if not form.validate() or not ids:
        flash(_("Choose at least one story and an action."), "error")
        return redirect(target)
    action = form.action.data
    if action in ("assign", "export") and not current_user.can(Role.publisher):
        flash(_("Only publishers can assign stories to volumes or export them."), "error")
        return redirect(target)
    session, editor = db.session(), actor()
    if action == "export":
        document = export.selection_document(session, editor, ids, _("Selected stories"))
        if not document["parts"]:
            session.rollback()
            flash(_("None of the chosen stories is accepted; nothing to export."), "error")
            return redirect(target)
        session.commit()
        return json_download(document, "stories-selection.json")
    if action == "tag":
        tag = form.tag.data or ""
        run(
            lambda s: curation.tag_stories(s, editor, ids, tag),
            lambda n: _("Tag “%(tag)s” added to %(n)s stories.", tag=tag, n=n),
        )
    else:
        slug = (form.volume.data or "").strip()
        run(
            lambda s: volumes.assign_stories(s, editor, slug, ids),
            lambda n: _("%(n)s stories placed in the volume %(slug)s.", n=n, slug=slug),
        )
    return redirect(target)
