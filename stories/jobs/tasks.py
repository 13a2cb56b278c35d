"""The tasks of the queue, registered on each app's huey instance (stories.jobs.queue)."""

from __future__ import annotations

from flask import Flask
from huey import Huey
from sqlmodel import Session

from stories import db
from stories.jobs import runner
from stories.models import Story
from stories.operations import flags, submission

BUILD = "build_volume"
SCAN = "scan_story"


def register(huey: Huey, app: Flask) -> None:
    @huey.task(name=BUILD)
    def build_volume(build_id: int) -> None:
        """Build a volume into its books (stories.jobs.runner)."""
        runner.run_build(app, build_id)

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

    app.extensions["huey_tasks"] = {BUILD: build_volume, SCAN: scan_story}


def task(app: Flask, name: str):  # type: ignore[no-untyped-def]
    return app.extensions["huey_tasks"][name]
