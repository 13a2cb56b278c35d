"""Configuration defaults. Overridden by instance/config.py, then by environment variables."""

from __future__ import annotations

import os
import sys
from typing import Any

from flask import Flask

from anthology import resources

INSECURE_SECRET = "dev-insecure-secret-key"  # noqa: S105 - the value we refuse outside debug/testing

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": INSECURE_SECRET,
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    "SITE_TITLE": "社工故事征集",
    "ORGANISER_NAME": "社会工作者联合会（演示）",
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_CN", "en"],
    "TITLE_MAX_CHARS": 80,
    "STORY_MIN_CHARS": 200,
    "STORY_MAX_CHARS": 30000,
    "LICENCE_VERSION": "2026-1",
    "LICENCE_TEXT": (
        "我同意主办方在非营利的前提下，编辑、汇编并以纸质书和电子书形式出版我提交的故事，"
        "并可在出版物中署上我填写的笔名。编辑可能为保护当事人而修改人名、地名等细节。"
    ),
    "PEOPLE_CONSENT_TEXT": (
        "我确认：故事中涉及的服务对象及其他人已经匿名处理，或本人已同意在书中讲述其经历。"
    ),
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SUBMIT": "10 per hour",
    "RATELIMIT_TRACK": "30 per minute",
    "RATELIMIT_LOGIN": "10 per minute;60 per hour",
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
    "QUEUE_WORKERS": 1,  # builds run at the same time by one `flask worker`
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
}

# Environment variables read as-is (besides any STORIES_* variable).
ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "MAX_CONTENT_LENGTH",
    "SITE_TITLE",
    "ORGANISER_NAME",
    "REDIS_URL",
)


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
                if key == "MAX_CONTENT_LENGTH":
                    value = int(value)
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
    if not (app.debug or app.testing):
        if app.config["SECRET_KEY"] in (None, "", INSECURE_SECRET):
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable or write "
                "SECRET_KEY = '...' into instance/config.py (make serve creates one for you)."
            )
