"""The editorial queue at /editor/queue: "my work" views, tabs, filters, search with snippets,
sorting, pages, bulk actions, and the view as CSV or XLSX.

The queue opens on what needs the signed-in editor (new submissions, stories the author revised,
stories assigned to them, open privacy flags). Bulk actions: tag (editors), assign to a volume
and export (publishers), and two decisions with a message template: request a revision and do
not accept (confirmed first). Accepting is only done on a story's own page.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
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
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from werkzeug.wrappers import Response as BaseResponse

from stories import db
from stories.labels import STATUS, decision_label, field_label, status_label
from stories.models import DecisionAction, Role, ServiceField, Story, StoryStatus
from stories.operations import audit, export, volumes
from stories.operations.editorial import bulk as bulk_decisions
from stories.operations.editorial import curation, templates
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


FILTERS = ("status", "field", "province", "volume", "tag", "flagged", "since", "until", "q",
           "assigned")  # fmt: skip


def _work(args: Any) -> str:
    """The work view: as asked; else, for a link with filters, the whole queue; else (the queue
    opened plainly) what needs me."""
    work = args.get("work", "")
    if work in (*listing.WORK_VIEWS, "all"):
        return str(work)
    return "all" if any(args.get(name) for name in FILTERS) else "needs"


def queue_filter(args: Any, me: int | None = None) -> listing.QueueFilter:
    page = args.get("page", "1")
    sort = args.get("sort", "")
    assigned = args.get("assigned", "").strip()
    if assigned == "me":
        assigned = str(me) if me is not None else ""
    return listing.QueueFilter(
        work=_work(args),
        me=me,
        assigned=assigned if assigned == "none" or assigned.isdigit() else "",
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
        "work": where.work if where.work != "needs" else None,
        "assigned": where.assigned or None,
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
    if args.get("work") == "needs":
        args["work"] = None
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
    where = queue_filter(request.args, current_user.id)
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
        editors=listing.editors(session),
        work_views=_work_views(),
        bulk_templates={
            action.value: templates.choices(session, action.value)
            for action in bulk_decisions.BULK_DECISIONS
        },
        export_args=_link_args(where, page=None),
    )


def _work_views() -> list[tuple[str, str]]:
    return [
        ("needs", _("Needs me")),
        ("new", _("New submissions")),
        ("revised", _("Revised by the author")),
        ("mine", _("Assigned to me")),
        ("flagged", _("Open privacy flags")),
    ]


def _selected() -> list[int]:
    ids = []
    for value in request.form.getlist("story"):
        if value.isdigit() and int(value) not in ids:
            ids.append(int(value))
    return ids


@bp.post("/queue/bulk")
@role_required(Role.editor)
def bulk() -> BaseResponse | str:
    form = BulkForm()
    back = request.form.get("back", "")
    target = back if back.startswith("/editor/queue") else url_for("queue.index")
    ids = _selected()
    if not form.validate() or not ids:
        flash(_("Choose at least one story and an action."), "error")
        return redirect(target)
    action = form.action.data
    if action in ("request_revision", "reject"):
        return _bulk_decision(action, ids, target)
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


def _bulk_decision(action: str, ids: list[int], target: str) -> BaseResponse | str:
    """Request a revision of, or do not accept, the chosen stories with a template's message;
    "do not accept" is confirmed on a page of its own first."""
    session, editor = db.session(), actor()
    choice = request.form.get(f"template_{action}", "")
    template_id, _sep, language = choice.partition(":")
    if not template_id.isdigit():
        flash(_("Choose a message template for the decision."), "error")
        return redirect(target)
    if action == "reject" and request.form.get("confirmed") != "yes":
        stories = [s for s in map(lambda i: session.get(Story, i), ids) if s is not None]
        fields = [("action", action), ("back", target), (f"template_{action}", choice)]
        fields += [("story", str(story.id)) for story in stories]
        return render_template(
            "web/editor/confirm.html",
            heading=_("Do not accept these stories?"),
            question=_(
                "%(n)s stories will not be accepted; each author gets the template's message "
                "on the status page.",
                n=len(stories),
            ),
            details=[f"#{story.id} 《{story.title}》 · {status_label(story.status)}"
                     for story in stories],
            message="",
            action_url=url_for("queue.bulk"),
            fields=fields,
            confirm_label=_("Yes, do not accept them"),
            back_url=target,
            kind="reject",
        )  # fmt: skip
    site = str(current_app.config.get("SITE_TITLE", ""))
    outcome = run(
        lambda s: bulk_decisions.decide_many(
            s, editor, ids, action, int(template_id), language or "zh", site
        ),
    )
    result = outcome.value
    if result is not None:
        if result.done:
            flash(
                _("%(what)s: %(n)s stories.", what=decision_label(DecisionAction(action)),
                  n=len(result.done)),
                "info",
            )  # fmt: skip
        for story_id, why in result.refused:
            flash(_("Story #%(id)s: %(why)s", id=story_id, why=why), "error")
    return redirect(target)


def _headers() -> list[str]:
    return [
        "#", _("Title"), _("Pen name"), _("Service field"), _("Province"), _("Status"),
        _("Submitted"), _("Last activity"), _("Open privacy flags"), _("Volume"), _("Tags"),
        _("Assigned to"), _("Revised by the author"),
    ]  # fmt: skip


def _cells(row: listing.QueueRow) -> list[Any]:
    def when(value: datetime | None) -> str:
        return value.astimezone(listing.LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        row.id, row.title, row.pen_name, field_label(row.service_field), row.province,
        status_label(row.status), when(row.submitted_at), when(row.last_activity_at),
        row.open_flags, row.volume, "、".join(row.tags), row.assigned_to,
        _("yes") if row.revised else "",
    ]  # fmt: skip


def _safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/queue/export.<kind>")
@role_required(Role.editor)
def export_view(kind: str) -> Response:
    """The current view (filters, tab or work view, order) with the columns shown, every page."""
    if kind not in ("csv", "xlsx"):
        return Response(status=404)
    session = db.session()
    where = queue_filter(request.args, current_user.id)
    rows = listing.all_rows(session, where)
    audit.record(
        session, actor(), "queue.export",
        details={"format": kind, "rows": len(rows), "view": where.work},
    )  # fmt: skip
    session.commit()
    table = [[_safe(cell) for cell in _cells(row)] for row in rows]
    stamp = datetime.now(listing.LOCAL_ZONE).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(_headers())
        writer.writerows(table)
        body = "\ufeff" + out.getvalue()  # the BOM makes spreadsheet programs read UTF-8
        return Response(
            body.encode("utf-8"),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=queue-{stamp}.csv"},
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Queue"))
    sheet.append(_headers())
    for line in table:
        sheet.append(line)
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    return Response(
        out_bytes.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=queue-{stamp}.xlsx"},
    )
