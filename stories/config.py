"""Configuration defaults. Overridden by instance/config.py, then by environment variables."""

from __future__ import annotations

import os
import secrets
import sys
from typing import Any

from flask import Flask

from anthology import resources

INSECURE_SECRET = "dev-insecure-secret-key"  # noqa: S105 - the value we refuse outside testing
MIN_SECRET_BYTES = 32

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": INSECURE_SECRET,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "DATABASE_BUSY_SECONDS": 15,  # a write waits this long for a lock, then the page says 503
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "SITE_TITLE": "社工故事征集",
    "ORGANISER_NAME": "社会工作者联合会（演示）",
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    "TITLE_MAX_CHARS": 80,
    "STORY_MIN_CHARS": 200,
    "STORY_MAX_CHARS": 30000,
    # An author's text longer than this is scanned for personal data and indexed for search by
    # the queue, seconds after the send (both cost about 0.1 s of CPU per 1,000 characters);
    # shorter ones during the send, before its write transaction.
    "LONG_TEXT_CHARS": 6000,
    "LICENCE_VERSION": "2026-1",
    "LICENCE_TEXT": (
        "我同意主办方在非营利的前提下，编辑、汇编并以纸质书和电子书形式出版我提交的故事，"
        "并可在出版物中署上我填写的笔名。编辑可能为保护当事人而修改人名、地名等细节。"
    ),
    "PEOPLE_CONSENT_TEXT": (
        "我确认：故事中涉及的服务对象及其他人已经匿名处理，或本人已同意在书中讲述其经历。"
    ),
    # Where the site runs: "production" (the default) or "development" (debug mode allowed).
    "ENV": "production",
    # Rate limits (Flask-Limiter). RATELIMIT_STORAGE_URI None: Redis when REDIS_URL is set (shared
    # by every worker process), else each process's memory (refused with several workers).
    "RATELIMIT_STORAGE_URI": None,
    # Per address: ceilings high enough for an office network or a mobile carrier's shared address.
    "RATELIMIT_SUBMIT": "60 per hour;300 per day",
    "RATELIMIT_TRACK": "120 per minute;1000 per hour",
    "RATELIMIT_LOGIN": "30 per minute;200 per hour",
    # Per form (its submission token) and per tracking code: what one person can do.
    "RATELIMIT_SUBMIT_FORM": "10 per hour",
    "RATELIMIT_TRACK_CODE": "20 per minute;100 per hour",
    # Per account: failed logins allowed; one more locks the account until the oldest of them
    # is older than the period (the owner is told at the next login; `flask users unlock`).
    "RATELIMIT_LOGIN_ACCOUNT": "5 per 15 minutes",
    # Editorial sessions end after this many idle minutes.
    "SESSION_IDLE_MINUTES": 30,
    # HSTS outside development (seconds; 0 turns the header off).
    "HSTS_SECONDS": 31536000,
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the site (X-Forwarded-For/-Proto)
    "RATELIMIT_HEADERS_ENABLED": True,
    "ARGON2_TIME_COST": 3,  # password hashing cost (argon2id)
    "ARGON2_MEMORY_COST": 65536,  # KiB
    "WTF_CSRF_TIME_LIMIT": 6 * 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # The task queue (huey) and the build jobs: see stories/jobs/.
    "REDIS_URL": None,  # set: the queue is kept in Redis; else in QUEUE_FILE
    "QUEUE_NAME": "stories",
    "QUEUE_FILE": None,  # None: queue.db in the instance folder
    # The worker's CPU priority below the site's (nice(2) increment; 0 keeps it): a queued scan
    # or a book build never slows the pages down when the machine is busy.
    "QUEUE_NICE": 10,
    "QUEUE_WORKERS": 2,  # jobs run at the same time by one `flask worker` (a proof beside a build)
    "QUEUE_IMMEDIATE": False,  # run tasks at once in the requesting process (tests only)
    "EDITIONS_FOLDER": None,  # None: editions/ in the instance folder (never a public folder)
    "PROFILES_FOLDER": None,  # None: profiles/ in the instance folder (printers' ICC profiles)
    "BUILD_CACHE_FOLDER": None,  # None: cache/book in the instance folder; "" for no cache
    "BUILD_STALE_SECONDS": 30,  # a running build without a heartbeat for this long failed
    "BUILD_HEARTBEAT_SECONDS": 2,
    "BUILD_TIMEOUT_SECONDS": 3600,
    "BUILD_EPUBCHECK": True,  # check the EPUB with EPUBCheck (Java) in every build
    "BUILD_CHUNK_PAGES": None,  # None: the builder's default (about 60 pages a chunk)
    "BUILD_PROCESSES": None,  # chunk-rendering processes per build; None: one per core
    # Mail (Flask-Mailman's settings): without MAIL_SERVER messages stay in the outbox.
    "MAIL_SERVER": None,
    "MAIL_BACKEND": "smtp",  # always SMTP (Flask-Mailman would keep mail in memory in tests)
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "stories@localhost",
    "MAIL_TIMEOUT": 20,  # seconds for one SMTP conversation
    "MAIL_RETRY_SECONDS": [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600],  # then: failed
    "SITE_URL": None,  # the links in mails; None: the address of the request (or 127.0.0.1:5000)
    "ORGANISER_CONTACT": "",  # e-mail and/or phone shown to authors; "" shows none
    "DRAFT_DAYS": 30,  # a draft is deleted this many days after it was last saved
    "RATELIMIT_LINKS": "5 per hour",  # "send me my links", per address and per client
    "DIGEST_HOUR": 8,  # editors' daily digest, from this hour (BABEL_DEFAULT_TIMEZONE)
    "PICTURES_FOLDER": None,  # None: pictures/ in the instance folder (never a public folder)
    "STORY_MAX_PICTURES": 30,  # pictures in one story (from a Word file and uploaded)
}

# Environment variables read as-is (besides any STORIES_* variable).
ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "MAX_CONTENT_LENGTH",
    "SITE_TITLE",
    "ORGANISER_NAME",
    "REDIS_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "SITE_URL",
    "ORGANISER_CONTACT",
)
INT_KEYS = ("MAX_CONTENT_LENGTH", "MAIL_PORT")
BOOL_KEYS = ("MAIL_USE_TLS", "MAIL_USE_SSL")


def instance_folder() -> str:
    """The instance folder (config.py, the SQLite database): STORIES_INSTANCE_PATH, else
    `instance/` in the checkout, else Flask's default for an installed package
    (`<prefix>/var/stories-instance`)."""
    if os.environ.get("STORIES_INSTANCE_PATH"):
        return os.environ["STORIES_INSTANCE_PATH"]
    checkout = resources.checkout()
    if checkout is not None:
        return str(checkout / "instance")
    return os.path.join(sys.prefix, "var", "stories-instance")


def default_database_url() -> str:
    """DATABASE_URL from the environment, else the SQLite file in the instance folder."""
    return os.environ.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_folder(), "stories.db")
    )


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    # None: not set by the operator; decided below (Flask's own default would be False).
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = None
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for key in ENV_KEYS:
            if key in os.environ:
                value: Any = os.environ[key]
                if key in INT_KEYS:
                    value = int(value)
                elif key in BOOL_KEYS:
                    value = value.strip().lower() in ("1", "true", "yes", "on")
                app.config[key] = value
        app.config.from_prefixed_env("STORIES")
    else:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        path = os.path.join(app.instance_path, "stories.db")
        app.config["DATABASE_URL"] = f"sqlite:///{path}"
    secure_default = not (app.debug or app.testing)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config[key] is None:
            app.config[key] = secure_default
    _check(app)


def development(app: Flask) -> bool:
    return str(app.config.get("ENV", "production")).lower() == "development"


def _check(app: Flask) -> None:
    """Refuse settings that are unsafe outside the tests: a weak secret, debug in production."""
    if app.testing:
        return
    if app.debug and not development(app):
        raise ConfigError(
            "Debug mode (FLASK_DEBUG) is refused outside development: it lets anyone who sees "
            "an error page run code on the server. Unset FLASK_DEBUG, or set "
            "STORIES_ENV=development on a machine of your own."
        )
    secret = app.config["SECRET_KEY"]
    if secret in (None, "", INSECURE_SECRET) and development(app):
        # Never a key written in the code: a random one, valid until this process ends.
        app.config["SECRET_KEY"] = secrets.token_hex(MIN_SECRET_BYTES)
        app.logger.warning("SECRET_KEY is not set: using a random key until the site stops.")
        return
    if secret in (None, "", INSECURE_SECRET):
        raise ConfigError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable or write "
            "SECRET_KEY = '...' into instance/config.py (make serve creates one for you)."
        )
    if weak_secret(secret):
        raise ConfigError(
            f"SECRET_KEY is too weak: it needs at least {MIN_SECRET_BYTES} random bytes. "
            'Make one with: python -c "import secrets; print(secrets.token_hex(32))"'
        )


def weak_secret(secret: str | bytes) -> bool:
    """Shorter than MIN_SECRET_BYTES, or too few distinct characters to be random."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return len(raw) < MIN_SECRET_BYTES or len(set(raw)) < 12
