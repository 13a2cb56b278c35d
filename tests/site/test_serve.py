"""`make serve` runs the site and one worker of the task queue together (scripts/serve.sh), and
Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from buildjobs import ROOT, wait_for

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and os.getpgid(int(entry.name)) == pgid:
                found.append(int(entry.name))
        except (OSError, ProcessLookupError):
            continue
    return found


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_serve_starts_the_site_and_a_worker_and_ctrl_c_stops_both(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    shutil.copy(sqlite_template, tmp_path / "stories.db")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORIES_")}
    env.pop("REDIS_URL", None)
    env.update(STORIES_INSTANCE_PATH=str(tmp_path), SECRET_KEY="8d2f6a1c9e3b7054af3c1e5b9d7a2c4e",
               DATABASE_URL=f"sqlite:///{tmp_path / 'stories.db'}",
               STORIES_SESSION_COOKIE_SECURE="false")  # fmt: skip
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(["bash", "scripts/serve.sh", "127.0.0.1", str(port)], cwd=ROOT,
                             env=env, stdout=log, stderr=subprocess.STDOUT,
                             start_new_session=True)  # fmt: skip
    try:
        output = lambda: (tmp_path / "serve.log").read_text("utf-8", errors="replace")  # noqa: E731
        wait_for(lambda: "Huey consumer started" in output(), timeout=60)

        def answers() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    return page.status == 200
            except OSError:
                return False

        wait_for(answers, timeout=60)
        assert len(_group(serve.pid)) >= 3  # the script, the site, the worker
        # The worker (queued scans, builds) runs QUEUE_NICE (10) below the site's priority.
        nices = {_command(pid): _nice(pid) for pid in _group(serve.pid)}
        worker = [nice for command, nice in nices.items() if " worker" in command]
        site = [nice for command, nice in nices.items() if " run " in command]
        assert worker and site and worker[0] == site[0] + 10, nices
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C in the terminal
        serve.wait(20)
        wait_for(lambda: _group(serve.pid) == [], timeout=20)
        assert "Consumer exiting" in output()
        assert not answers()
    finally:
        log.close()
        if serve.poll() is None or _group(serve.pid):
            try:
                os.killpg(serve.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)
