"""The build jobs' settings, read once from the app's configuration (stories/config.py)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask

# The build's own process (stories.jobs.render); the tests put a stand-in here.
RENDER_COMMAND: tuple[str, ...] = (sys.executable, "-m", "stories.jobs.render")


@dataclass(frozen=True)
class Settings:
    editions: Path  # EDITIONS_FOLDER
    profiles: Path  # PROFILES_FOLDER
    cache: Path | None  # BUILD_CACHE_FOLDER (None: no chunk cache)
    stale: float  # BUILD_STALE_SECONDS
    heartbeat: float  # BUILD_HEARTBEAT_SECONDS
    timeout: float  # BUILD_TIMEOUT_SECONDS
    check: bool  # BUILD_EPUBCHECK
    chunk_pages: int | None  # BUILD_CHUNK_PAGES
    workers: int | None  # BUILD_PROCESSES
    command: tuple[str, ...]
    timezone: str = "UTC"  # BABEL_DEFAULT_TIMEZONE: the site's times, as a proof mark gives them

    def local_time(self) -> str:
        """Now in the site's time zone, as pages show it (2026-12-01 14:05)."""
        return datetime.now(ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M")


def editions_folder(app: Flask) -> Path:
    return Path(app.config["EDITIONS_FOLDER"] or os.path.join(app.instance_path, "editions"))


def profiles_folder(app: Flask) -> Path:
    return Path(app.config["PROFILES_FOLDER"] or os.path.join(app.instance_path, "profiles"))


def of(app: Flask) -> Settings:
    config = app.config
    cache = config["BUILD_CACHE_FOLDER"]
    if cache is None:
        cache = os.path.join(app.instance_path, "cache", "book")
    return Settings(
        editions=editions_folder(app),
        profiles=profiles_folder(app),
        cache=Path(cache) if cache else None,
        stale=float(config["BUILD_STALE_SECONDS"]),
        heartbeat=float(config["BUILD_HEARTBEAT_SECONDS"]),
        timeout=float(config["BUILD_TIMEOUT_SECONDS"]),
        check=bool(config["BUILD_EPUBCHECK"]),
        chunk_pages=config["BUILD_CHUNK_PAGES"],
        workers=config["BUILD_PROCESSES"],
        command=RENDER_COMMAND,
        timezone=config.get("BABEL_DEFAULT_TIMEZONE") or "UTC",
    )
