"""The command line (`flask --app stories ...`): one click group per module, registered here.

Commands call the same operations as the views (stories.operations). `book.py` is the book
builder's own command line (`build.py`, `stories-build`), not a Flask group; the groups are
imported when the app registers them, so that `build.py` does not load the site.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from stories.cli import audit, books, db, demo, mail, stories, users, worker

    for group in (db.db_cli, demo.demo_cli, stories.stories_cli, users.users_cli, audit.audit_cli):
        app.cli.add_command(group)
    app.cli.add_command(books.books_cli)
    app.cli.add_command(worker.worker_command)
    app.cli.add_command(mail.mail_cli)
