"""What every view shares, written once: the confirm form, and running one operation.

A view validates its form, then hands one operation to `run`: on success the request's session
is committed and the outcome flashed; a refused operation (`OperationError`, with its `problems`
if it lists any) is rolled back and its message flashed. The view then redirects or shows the
page again with the returned `Outcome`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import Response, abort, flash, request
from flask_wtf import FlaskForm
from sqlmodel import Session

from stories import db
from stories.models import Story, Volume
from stories.operations import OperationError, export, review, volumes

T = TypeVar("T")


class ConfirmForm(FlaskForm):
    """A button with nothing but the CSRF token (withdraw, remove, move up, ...)."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None = None
    error: OperationError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run(
    operation: Callable[[Session], T],
    done: str | Callable[[T], str] = "",
    quiet: tuple[type[OperationError], ...] = (),
) -> Outcome[T]:
    """Call `operation(session)`, then commit and flash `done`, or roll back and flash the error.

    `done` may depend on the result (a callable). Errors of the `quiet` types are rolled back
    and returned without a message, for views that show them in the page instead.
    """
    session = db.session()
    try:
        value = operation(session)
    except OperationError as error:
        session.rollback()
        if not isinstance(error, quiet):
            flash(str(error), "error")
            for problem in getattr(error, "problems", ()):
                flash(str(problem), "error")
        return Outcome(error=error)
    session.commit()
    message = done(value) if callable(done) else done
    if message:
        flash(message, "info")
    return Outcome(value=value)


def story_or_404(session: Session, story_id: int) -> Story:
    """The story of an editorial URL, or the 404 page."""
    try:
        return review.get_story(session, story_id)
    except review.StoryNotFound:
        abort(404)


def json_download(document: dict[str, Any], filename: str) -> Response:
    """A stories.json document as a file to save (the volume page, the queue's export); with
    pictures, a zip file holding the JSON and the picture files next to it."""
    if export.has_picture_files(document):
        return Response(
            export.archive(document, "stories.json"),
            mimetype="application/zip",
            headers={"Content-Disposition": "attachment; filename="
                     + filename.removesuffix(".json") + ".zip"},
        )  # fmt: skip
    body = export.json_text(document)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def volume_or_404(session: Session, slug: str) -> Volume:
    """The volume of an editorial URL, or the 404 page."""
    try:
        return volumes.get(session, slug)
    except OperationError:
        abort(404)


def direction() -> int:
    """An up/down button's direction: -1 for up, +1 for down."""
    return -1 if request.form.get("step") == "up" else 1
