"""The command line (`flask --app stories ...`): one click group per module, registered here.

Commands call the same operations as the views (stories.operations).
"""

from __future__ import annotations

from flask import Flask

from stories.cli import db, demo, stories, users


def init_app(app: Flask) -> None:
    for group in (db.db_cli, demo.demo_cli, stories.stories_cli, users.users_cli):
        app.cli.add_command(group)
