"""Helpers for the build-job tests: the demo volume with test stories, a real worker process,
a stand-in for the build's process, and reading the build's state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from anthology.text.markdown import plain_to_markdown
from stories import db
from stories.models import Build, User
from stories.operations import volumes

ROOT = Path(__file__).resolve().parents[2]
FAKE_RENDER = Path(__file__).with_name("fake_render.py")
PARAGRAPH = "每周二下午，社区养老驿站里很热闹，大家一起读报、量血压，说起过去的事。"


def demo_volume(app: Flask, make_story: Any, publisher: Any, stories: int = 3,
                paragraphs: int = 4) -> list[int]:  # fmt: skip
    """The volume `demo` (its recipe is content/volumes/demo.toml) with accepted test stories."""
    ids = [
        make_story(
            status="accepted",
            title=f"驿站的下午{i}",
            pen_name=f"笔名{i}",
            body=plain_to_markdown(
                "\n".join(f"第{i}篇第{p}段。" + PARAGRAPH * 3 for p in range(paragraphs))
            ),  # fmt: skip
        ).id
        for i in range(1, stories + 1)
    ]
    with app.app_context(), db.session_scope() as session:
        actor = session.get(User, publisher.id)
        volume = volumes.create_volume(session, actor, "demo", "演示卷", "")
        for story_id in ids:
            volumes.assign(session, actor, volume, story_id)
    return ids


def build_row(app: Flask, build_id: int = 1) -> Build:
    with app.app_context(), db.session_scope() as session:
        build = session.get(Build, build_id)
        assert build is not None
        return build


def wait_for(condition: Callable[[], Any], timeout: float = 60, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")


def worker_env(app: Flask, instance: Path, **settings: Any) -> dict[str, str]:
    """The environment of a `flask worker` that shares the test app's database and queue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORIES_")}
    env.pop("REDIS_URL", None)
    config = app.config
    env.update(
        DATABASE_URL=config["DATABASE_URL"],
        SECRET_KEY="worker-test-secret-5e0c3b9a7f1d2e4c6a8b",
        STORIES_INSTANCE_PATH=str(instance),
        STORIES_QUEUE_NAME=config["QUEUE_NAME"],
        STORIES_QUEUE_FILE=str(config["QUEUE_FILE"]),
        STORIES_EDITIONS_FOLDER=str(config["EDITIONS_FOLDER"]),
        STORIES_BUILD_CACHE_FOLDER='""',
        STORIES_BUILD_EPUBCHECK="true" if config["BUILD_EPUBCHECK"] else "false",
        STORIES_BUILD_STALE_SECONDS=str(config["BUILD_STALE_SECONDS"]),
        STORIES_BUILD_CHUNK_PAGES=str(config["BUILD_CHUNK_PAGES"] or "null"),
        STORIES_QUEUE_NICE="0",  # the tests' time limits assume the tests' priority
    )
    if config["REDIS_URL"]:
        env["REDIS_URL"] = config["REDIS_URL"]
    env.update({f"STORIES_{key}": str(value) for key, value in settings.items()})
    return env


class Worker:
    """`flask --app stories worker` in a session of its own, stopped (and its processes ended)
    when the test ends."""

    def __init__(self, env: dict[str, str], log: Path):
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None  # type: ignore[type-arg]

    def start(self) -> Worker:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "stories", "worker"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for(lambda: "Huey consumer started" in self.output(), timeout=60)
        return self

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """kill -9, as a crash or the out-of-memory killer would."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.process is not None
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def processes_mentioning(text: str) -> list[int]:
    """Processes whose command line contains `text` (the test's own temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in command and int(entry.name) != os.getpid():
                found.append(int(entry.name))
    return found


def end_processes(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
