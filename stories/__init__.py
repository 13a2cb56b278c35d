"""The story collection site: the app factory.

Where things are: `web/` the pages (a package per audience: `authors/`, `editors/`), `operations/`
the verbs that change state, `queries/` the read side (queue listing, search, diffs, the book's
stories), `cli/` the command line, `models.py` the tables, `labels.py` every vocabulary shown to
users, `migrations/` the schema history.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from anthology import resources


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    import os

    from stories import cli, config, db, i18n, jobs, logs, web

    app = Flask(
        __name__,
        instance_path=config.instance_folder(),
        instance_relative_config=True,
        template_folder=str(resources.TEMPLATES),
    )
    if test_config is not None and test_config.get("TESTING"):
        app.testing = True
    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    logs.init_app(app)
    i18n.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    jobs.init_app(app)
    return app
