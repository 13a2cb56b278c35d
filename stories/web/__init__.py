"""The site's pages: one blueprint per module, registered here.

- `public.py` the call for stories, `auth.py` staff login, `errors.py` the error pages,
  `security.py` CSRF, rate limits and security headers, `common.py` what every view shares
  (the confirm form, running an operation), `docx.py` the Word import (stories and chapters),
  `pictures.py` the signed addresses of stories' pictures;
- `authors/` what social workers use: submitting (with Word import), tracking, revising;
- `editors/` the editorial pages: a story's page, the queue, the privacy panel, volumes, the
  editor's desk, mail settings and the outbox, pictures, admin; `editors/books/` a volume's book
  (settings, chapters, recipes), builds (the publishers' build jobs and editions) and proofs (a
  story as it will print).
"""

from __future__ import annotations

from flask import Flask

from stories import labels
from stories.web import auth, errors, pictures, public, security
from stories.web.authors import drafts, submit, track
from stories.web.editors import (
    admin,
    desk,
    mail,
    privacy,
    queue,
    story,
    volumes,
)
from stories.web.editors import pictures as editor_pictures
from stories.web.editors.books import builds, chapters, pages, proofs


def init_app(app: Flask) -> None:
    security.init_app(app)
    errors.init_app(app)
    labels.init_app(app)
    auth.init_app(app)
    modules = (public, submit, drafts, track, story, admin, queue, privacy, volumes, pages,
               chapters, builds, proofs, mail, pictures, editor_pictures, desk)  # fmt: skip
    for module in modules:
        app.register_blueprint(module.bp)
