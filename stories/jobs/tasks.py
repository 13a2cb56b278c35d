"""The tasks of the queue, registered on each app's huey instance (stories.jobs.queue)."""

from __future__ import annotations

from flask import Flask
from huey import Huey

from stories.jobs import runner

BUILD = "build_volume"


def register(huey: Huey, app: Flask) -> None:
    @huey.task(name=BUILD)
    def build_volume(build_id: int) -> None:
        """Build a volume into its books (stories.jobs.runner)."""
        runner.run_build(app, build_id)

    app.extensions["huey_tasks"] = {BUILD: build_volume}


def task(app: Flask, name: str):  # type: ignore[no-untyped-def]
    return app.extensions["huey_tasks"][name]
