"""Friendly error pages in the user's language, with the right status code."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("web/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("The form has expired"),
            _(
                "For your safety the form could not be accepted (its security token was missing "
                "or out of date), and nothing was saved. Go back with your browser's Back button: "
                "what you typed is usually still there. Copy it, reload the page, paste it and "
                "send it again."
            ),
        )

    @app.errorhandler(403)
    def forbidden(_error: HTTPException) -> tuple[str, int]:
        return _page(
            403,
            _("Not allowed"),
            _("Your account does not have the role needed for this page. Ask an admin."),
        )

    @app.errorhandler(404)
    def not_found(_error: HTTPException) -> tuple[str, int]:
        return _page(404, _("Page not found"), _("The page you asked for does not exist."))

    @app.errorhandler(413)
    def too_large(_error: HTTPException) -> tuple[str, int]:
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _page(
            413,
            _("The upload is too large"),
            _("Files and forms may be at most %(mb)s MB. Please send a smaller file.", mb=limit_mb),
        )

    @app.errorhandler(429)
    def too_many(_error: HTTPException) -> tuple[str, int]:
        return _page(
            429,
            _("Too many requests"),
            _("You have sent many requests in a short time. Please wait a while and try again."),
        )

    @app.errorhandler(OperationalError)
    def busy(_error: OperationalError) -> tuple[str, int, dict[str, str]]:
        """The database is busy (a lock wait ran out) or unreachable: try again, nothing kept."""
        app.logger.warning("database busy or unreachable", exc_info=True)
        page, status = _page(
            503,
            _("The site is busy"),
            _(
                "The site could not finish your request just now, and nothing was changed. "
                "Please wait a moment and try again."
            ),
        )
        return page, status, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return _page(
            500,
            _("Something went wrong"),
            _("An unexpected error occurred. Your text has not been lost; please try again later."),
        )
