"""CSRF protection, rate limiting and the security headers.

The per-address limits (Flask-Limiter) are counted in the storage every worker process shares
(stories.throttle: Redis when configured); their ceilings are high enough for an office network
or a carrier's shared address, and the views add per form, per tracking code and per account
limits with `stories.throttle.hit`.
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from stories.config import development
from stories.throttle import check_workers, storage_uri

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:  # behind N reverse proxies: the client address (audit, rate limits) and scheme
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    csrf.init_app(app)
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(app.config)
    if not app.testing:
        check_workers(app.config, int(os.environ.get("WEB_CONCURRENCY", "1") or 1))
    limiter.init_app(app)
    app.after_request(_security_headers)


# No page needs frames, plugins or other sites; scripts and pictures come from the site itself
# (stories' pictures at signed /pictures addresses; a book chapter's Word pictures are data: URIs).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# No page uses the camera, the microphone, the location or any other powerful feature.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), "
    "browsing-topics=()"
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    seconds = int(current_app.config.get("HSTS_SECONDS") or 0)
    if seconds and not development(current_app):
        headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    if request.path.startswith("/editor"):  # private contact data: not kept in any cache
        headers["Cache-Control"] = "no-store"
    return response
