"""CSRF protection, rate limiting and the security headers.

Rate limits are counted where every worker process sees them: in Redis when `REDIS_URL` (or
`RATELIMIT_STORAGE_URI`) names one, else in the process's memory, which is only right for one
process (`make serve`, the tests): `check_workers` refuses several workers with it. Besides the
per-address ceilings (high enough for an office network or a carrier's shared address), the views
count per form, per tracking code and per account with `hit`.
"""

from __future__ import annotations

import os

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from stories.config import ConfigError, development

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def storage_uri(config: dict) -> str:
    """Where the limits are counted: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def check_workers(config: dict, workers: int) -> None:
    """Several worker processes need shared limits (each would count only its own requests)."""
    if workers > 1 and storage_uri(config).startswith("memory") and config.get(
        "RATELIMIT_ENABLED", True
    ):
        raise ConfigError(
            f"{workers} worker processes with rate limits in each process's memory would let "
            f"{workers} times as many attempts through. Set REDIS_URL (or RATELIMIT_STORAGE_URI) "
            "to a Redis server, or run one worker."
        )


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


def hit(setting: str, *key: str) -> bool:
    """Count one event against the limits of `setting` for `key` (a form token, a code, a
    username); False when one of them is exceeded. Shared by all processes like the others."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    strategy = limiter.limiter
    allowed = True
    for item in parse_many(current_app.config[setting]):
        allowed = strategy.hit(item, setting, *key) and allowed
    return allowed


def exceeded(setting: str, *key: str) -> bool:
    """True when `key` has used up one of the limits of `setting` (counts nothing)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    strategy = limiter.limiter
    return any(
        not strategy.test(item, setting, *key) for item in parse_many(current_app.config[setting])
    )


def clear(setting: str, *key: str) -> None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    for item in parse_many(current_app.config[setting]):
        limiter.limiter.clear(item, setting, *key)


# No page needs scripts, frames, plugins or other sites; pictures from Word files are data: URIs.
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
