"""The tasks of the queue, registered on each app's huey instance (stories.jobs.queue)."""

from __future__ import annotations

from flask import Flask
from huey import Huey

from stories.jobs import runner

BUILD = "build_volume"
PROOF = "proof_story"


def register(huey: Huey, app: Flask) -> None:
    @huey.task(name=BUILD)
    def build_volume(build_id: int) -> None:
        """Build a volume into its books (stories.jobs.runner)."""
        runner.run_build(app, build_id)

    @huey.task(name=PROOF, priority=10)
    def proof_story(build_id: int) -> None:
        """A proof of one story, ahead of queued book builds (stories.jobs.runner)."""
        runner.run_build(app, build_id)

    app.extensions["huey_tasks"] = {BUILD: build_volume, PROOF: proof_story}


def task(app: Flask, name: str):  # type: ignore[no-untyped-def]
    return app.extensions["huey_tasks"][name]
