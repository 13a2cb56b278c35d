#!/usr/bin/env python3
"""Build a volume as print PDF, screen PDF and EPUB: python build.py --help."""

from __future__ import annotations

import sys
from typing import Any

from anthology.build import main


def stories_from_db(slug: str, database_url: str | None) -> dict[str, Any]:
    """`--from-db`: the volume's accepted stories read by the web app's export code."""
    from stories.operations.export import volume_stories

    return volume_stories(slug, database_url)


if __name__ == "__main__":
    sys.exit(main(db_loader=stories_from_db))
