#!/usr/bin/env python3
"""Build a volume as print PDF, screen PDF and EPUB: python build.py --help."""

from __future__ import annotations

import sys

from stories.cli.book import main

if __name__ == "__main__":
    sys.exit(main())
