"""The tasks of the queue, registered on each app's huey instance (stories.jobs.queue)."""

from __future__ import annotations

from flask import Flask
from huey import Huey, crontab
from sqlmodel import Session

from stories import db
from stories.jobs import mail, runner
from stories.models import Story
from stories.operations import flags, submission

BUILD = "build_volume"
PROOF = "proof_story"
MAIL = "send_mail"
MAIL_SWEEP = "mail_sweep"
DAILY = "daily_housekeeping"
SCAN = "scan_story"


def register(huey: Huey, app: Flask) -> None:
    @huey.task(name=BUILD)
    def build_volume(build_id: int) -> None:
        """Build a volume into its books (stories.jobs.runner)."""
        runner.run_build(app, build_id)

    @huey.task(name=PROOF, priority=10)
    def proof_story(build_id: int) -> None:
        """A proof of one story, ahead of queued book builds (stories.jobs.runner)."""
        runner.run_build(app, build_id)

    @huey.task(name=MAIL)
    def send_mail(message_id: int) -> None:
        """Send one message of the outbox (stories.jobs.mail); try again later if it failed."""
        delay = mail.send(app, message_id)
        if delay is not None:
            send_mail.schedule(args=(message_id,), delay=delay)

    @huey.periodic_task(crontab(minute="*"), name=MAIL_SWEEP)
    def mail_sweep() -> None:
        """Overdue messages of the outbox are handed to the queue again."""
        for message_id in mail.overdue(app):
            send_mail(message_id)

    @huey.periodic_task(crontab(minute="*/15"), name=DAILY)
    def daily_housekeeping() -> None:
        """Expired drafts deleted; the editors' daily digests when they are due."""
        mail.housekeeping(app)

    @huey.task(name=SCAN)
    def scan_story(story_id: int) -> None:
        """Find the personal data in a long story sent by its author (stories.jobs.scans)."""
        with app.app_context():
            # The detector and the segmentation run between two transactions: the write
            # transaction (which holds SQLite's lock) then only stores what they found.
            with Session(db.engine()) as reader:
                story = reader.get(Story, story_id)
                if story is None:
                    return
                texts = (story.title, story.body, story.pen_name, story.organisation)
            submission.prepare(*texts)
            with db.session_scope() as session:
                story = session.get(Story, story_id)
                if story is not None:
                    flags.ensure_scanned(session, story)

    app.extensions["huey_tasks"] = {BUILD: build_volume, PROOF: proof_story, MAIL: send_mail,
                                    MAIL_SWEEP: mail_sweep, DAILY: daily_housekeeping,
                                    SCAN: scan_story}  # fmt: skip


def task(app: Flask, name: str):  # type: ignore[no-untyped-def]
    return app.extensions["huey_tasks"][name]
