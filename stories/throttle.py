"""Counters that every worker process shares: the rate limits' storage and the limits the views
count themselves (per form, per tracking code, per account).

The limits are counted in Redis when `RATELIMIT_STORAGE_URI` or `REDIS_URL` names one, else in
the process's memory, which is only right for one process (`make serve`, the tests):
`check_workers` refuses several workers with it. Flask-Limiter (stories.web.security) keeps
the per-address limits in the same storage. A setting is a limit string such as
"5 per 15 minutes" or "10 per minute;100 per hour".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from stories.config import ConfigError

LOGIN_ACCOUNT = "RATELIMIT_LOGIN_ACCOUNT"  # failed logins per username


def account_key(username: str) -> str:
    return username.strip().lower()[:64]


def storage_uri(config: Mapping[str, Any]) -> str:
    """Where the limits are counted: RATELIMIT_STORAGE_URI, else REDIS_URL, else memory."""
    return config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"


def check_workers(config: Mapping[str, Any], workers: int) -> None:
    """Several worker processes need shared limits (each would count only its own requests)."""
    if workers <= 1 or not config.get("RATELIMIT_ENABLED", True):
        return
    if storage_uri(config).startswith("memory"):
        raise ConfigError(
            f"{workers} worker processes with rate limits in each process's memory would let "
            f"{workers} times as many attempts through. Set REDIS_URL (or RATELIMIT_STORAGE_URI) "
            "to a Redis server, or run one worker."
        )


def _limiter(app: Flask) -> MovingWindowRateLimiter:
    strategy = app.extensions.get("throttle")
    if strategy is None:
        strategy = MovingWindowRateLimiter(storage_from_string(storage_uri(app.config)))
        app.extensions["throttle"] = strategy
    return strategy


def _enabled(app: Flask) -> bool:
    return bool(app.config.get("RATELIMIT_ENABLED", True))


def hit(setting: str, *key: str, app: Flask | None = None) -> bool:
    """Count one event against the limits of `setting` for `key` (a form token's hash, a code's
    hash, a username); False when one of them is exceeded."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not _enabled(app):
        return True
    strategy = _limiter(app)
    allowed = True
    for item in parse_many(app.config[setting]):
        allowed = strategy.hit(item, setting, *key) and allowed
    return allowed


def exceeded(setting: str, *key: str, app: Flask | None = None) -> bool:
    """True when `key` has used up one of the limits of `setting` (counts nothing)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not _enabled(app):
        return False
    strategy = _limiter(app)
    return any(not strategy.test(item, setting, *key) for item in parse_many(app.config[setting]))


def clear(setting: str, *key: str, app: Flask | None = None) -> None:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not _enabled(app):
        return
    strategy = _limiter(app)
    for item in parse_many(app.config[setting]):
        strategy.clear(item, setting, *key)
