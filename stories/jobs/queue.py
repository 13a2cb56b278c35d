"""One huey instance per app, made from its configuration on first use.

`REDIS_URL` set: `RedisHuey` (the queue lives in Redis). Otherwise `SqliteHuey` with its file
`QUEUE_FILE` (default `queue.db` in the instance folder). Either way a queued job survives a
restart of the site and of the worker. `QUEUE_IMMEDIATE` runs each task in the process that
queues it (huey's immediate mode, for tests). Task results are not stored: a build's outcome
is its Build row.
"""

from __future__ import annotations

import os

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

from stories.jobs import tasks


def huey(app: Flask | None = None) -> Huey:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    instance = app.extensions.get("huey")
    if instance is None:
        instance = app.extensions["huey"] = _make(app)
        tasks.register(instance, app)
    return instance


def _make(app: Flask) -> Huey:
    config = app.config
    name, immediate = config["QUEUE_NAME"], bool(config["QUEUE_IMMEDIATE"])
    if config["REDIS_URL"]:
        return RedisHuey(name, url=config["REDIS_URL"], results=False, immediate=immediate)
    filename = config["QUEUE_FILE"] or os.path.join(app.instance_path, "queue.db")
    return SqliteHuey(name, filename=filename, results=False, immediate=immediate)


def describe(app: Flask) -> str:
    """Where the queue is kept, for the worker's first log line."""
    if app.config["REDIS_URL"]:
        return "Redis " + str(app.config["REDIS_URL"]).split("@")[-1]
    return "SQLite " + (app.config["QUEUE_FILE"] or os.path.join(app.instance_path, "queue.db"))
