"""The story collection site: an app factory and its blueprints."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("STORIES_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        instance_relative_config=True,
        template_folder=os.path.join(ROOT, "templates"),
    )
    if test_config is not None and test_config.get("TESTING"):
        app.testing = True

    from stories import config

    config.load(app, test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from stories import cli, db, errors, i18n, search, security  # noqa: F401 - search: index hook

    db.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    from stories import public

    app.register_blueprint(public.bp)

    from stories import submit, track

    app.register_blueprint(submit.bp)
    app.register_blueprint(track.bp)

    from stories import admin, auth, editor, labels

    labels.init_app(app)
    auth.init_app(app)
    app.register_blueprint(editor.bp)
    app.register_blueprint(admin.bp)

    from stories import privacypanel, queue, volumecli, volumepages  # noqa: F401 - volumecli: CLI

    app.register_blueprint(queue.bp)
    app.register_blueprint(privacypanel.bp)
    app.register_blueprint(volumepages.bp)
    return app
