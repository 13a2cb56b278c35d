"""Authors' pictures: made safe (`images`: limits, no metadata, sRGB) and kept once by content
hash (`store`). Stories refer to them with `anthology.text.pictures` references; their privacy
review is `stories.operations.pictures`.
"""

from __future__ import annotations

import os
from typing import Any

from stories.pictures.images import PictureError
from stories.pictures.store import Store


def folder(config: Any) -> str:
    """PICTURES_FOLDER (without an app: $STORIES_PICTURES_FOLDER), else `pictures/` in the
    instance folder."""
    if config is None:
        configured = os.environ.get("STORIES_PICTURES_FOLDER")
    else:
        configured = config.get("PICTURES_FOLDER")
    if configured:
        return str(configured)
    from stories.config import instance_folder

    return os.path.join(instance_folder(), "pictures")


def store(config: Any = None) -> Store:
    """The store of the current app (or of `config`; outside an app, the default one)."""
    if config is None:
        from flask import current_app

        try:
            config = current_app.config
        except RuntimeError:  # a command without an app (build.py --from-db)
            return Store(folder(None))
    return Store(folder(config))


__all__ = ["PictureError", "Store", "folder", "store"]
