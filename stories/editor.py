"""The editorial pages under /editor: a story's page, its edits, notes, tags and decisions."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlmodel import col, select

from stories import db
from stories.auth import role_required
from stories.models import Role, Story

bp = Blueprint("editor", __name__, url_prefix="/editor")


@bp.get("/recent")
@role_required(Role.editor)
def recent() -> str:
    """The most recently active stories (the landing page until the queue exists)."""
    query = select(Story).order_by(col(Story.last_activity_at).desc()).limit(50)
    stories = db.session().exec(query).all()
    return render_template("web/editor/recent.html", stories=stories)
