"""The worker: `flask --app stories worker` runs huey's consumer with the app.

Each of its `QUEUE_WORKERS` threads (default 1) takes one job at a time; a build then runs in a
process of its own (stories.jobs.render) with `BUILD_PROCESSES` chunk workers, so one worker
thread is right for a small machine and two let a second volume build meanwhile. Before it
takes jobs, the worker records as failed the running builds of processes of this machine that
no longer exist, and the running builds whose heartbeat stopped, and it deletes the temporary
folders such builds left. It runs `QUEUE_NICE` (10) steps below the site's CPU priority, and so do
the builds it starts. When it stops (Ctrl-C, SIGTERM), its own running builds are
recorded as failed ("the worker stopped"); their processes end with it.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket

from flask import Flask
from sqlmodel import col, select

from stories import db
from stories.jobs import mail, queue, tasks
from stories.jobs import settings as job_settings
from stories.models import ACTIVE_STATES, Build
from stories.operations.books import builds

log = logging.getLogger("stories.worker")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(app: Flask) -> list[int]:
    """Builds left running by dead workers are failed; their temporary folders deleted."""
    settings = job_settings.of(app)
    with app.app_context():
        with db.session_scope() as session:
            stopped = builds.reap_orphans(session, socket.gethostname(), alive)
            stopped += builds.reap_stale(session, settings.stale)
        with db.session_scope() as session:
            query = select(Build.id).where(col(Build.state).in_(ACTIVE_STATES))
            active = set(session.exec(query).all())
    for folder in settings.editions.glob("*/.build-*"):
        number = folder.name.split("-")[1]
        if not (number.isdigit() and int(number) in active):
            shutil.rmtree(folder, ignore_errors=True)
    return stopped


def run(app: Flask, workers: int | None = None) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    count = max(1, workers or int(app.config["QUEUE_WORKERS"]))
    nice = int(app.config.get("QUEUE_NICE") or 0)
    if nice > 0:  # below the site: the pages go first when both want the CPU
        log.info("worker: priority lowered by %s (QUEUE_NICE)", os.nice(nice) - os.nice(0))
    stopped = recover(app)
    if stopped:
        log.warning("builds %s were left running by a stopped worker: failed", stopped)
    huey = queue.huey(app)
    log.info("worker: %s thread(s), queue %s", count, queue.describe(app))
    server = app.config.get("MAIL_SERVER")
    log.info("mail: %s", f"SMTP {server}:{app.config['MAIL_PORT']}" if server
             else "no MAIL_SERVER, messages stay in the outbox")  # fmt: skip
    for message_id in mail.overdue(app):  # left over from before: sent now
        tasks.task(app, tasks.MAIL)(message_id)
    # An idle worker looks at a SQLite queue every second at most (huey's default backs off to
    # ten seconds); Redis is waited on (a blocking read). The periodic tasks (stories.jobs.tasks:
    # the outbox's sweep, drafts' expiry, digests) run every minute.
    consumer = huey.create_consumer(
        workers=count, worker_type="thread", periodic=True, max_delay=1.0
    )
    try:
        consumer.run()
    finally:
        me = os.getpid()
        with app.app_context(), db.session_scope() as session:
            ended = builds.reap_orphans(session, socket.gethostname(), lambda pid: pid != me)
        if ended:
            log.warning("builds %s stopped with the worker: failed", ended)
