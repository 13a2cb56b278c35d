"""Nothing secret in the logs: no author's phone, e-mail, name or text after a database error,
no tracking code in the access log (a real gunicorn), and the rate limits shared by its workers."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import submitting as s
from sqlalchemy import create_engine, text

from stories.logs import mask

ROOT = Path(__file__).resolve().parents[2]


def _fail_story_inserts(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(
                "CREATE FUNCTION forced_failure() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'forced failure'; END; $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            connection.execute(text(
                "CREATE TRIGGER forced BEFORE INSERT ON story_revision "
                "FOR EACH ROW EXECUTE FUNCTION forced_failure()"
            ))  # fmt: skip
        else:
            connection.execute(text(
                "CREATE TRIGGER forced BEFORE INSERT ON story_revision "
                "BEGIN SELECT RAISE(FAIL, 'forced failure'); END"
            ))  # fmt: skip
    engine.dispose()


def _drop_failure(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER forced ON story_revision"))
            connection.execute(text("DROP FUNCTION forced_failure()"))
        else:
            connection.execute(text("DROP TRIGGER forced"))
    engine.dispose()


def test_a_database_error_logs_no_personal_data_and_gives_the_text_back(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    url = app.config["DATABASE_URL"]
    page = s.preview(client, contact_phone="139 1234 5678", contact_email="secret@example.org",
                     real_name="李秘密", body=s.BODY + "\n\n独一无二的句子在这里。")  # fmt: skip
    data = s.carried(page.get_data(as_text=True))
    data.update(consent_licence="y", consent_people="y")
    _fail_story_inserts(url)
    try:
        with caplog.at_level(logging.DEBUG):
            response = client.post("/submit/send", data=data)
    finally:
        _drop_failure(url)
    assert response.status_code == 500
    page_text = response.get_data(as_text=True)
    assert "独一无二的句子在这里" in page_text  # the author's text comes back in the form
    logged = caplog.text
    assert "forced failure" in logged  # the error itself is logged ...
    for secret in ("139 1234 5678", "13912345678", "secret@example.org", "李秘密", "独一无二"):
        assert secret not in logged  # ... without the bound parameters
    assert s.stories(app) == []


def test_mask_hides_tracking_codes() -> None:
    line = '127.0.0.1 "GET /track/ABCD-EFGH-JKMN HTTP/1.1" 200 "/track/abcdefghjkmn/revise"'
    assert mask(line) == '127.0.0.1 "GET /track/… HTTP/1.1" 200 "/track/…/revise"'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_gunicorn_masks_codes_and_its_workers_share_the_limits(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    redis_url = os.environ.get("TEST_REDIS_URL")
    shutil.copy(sqlite_template, tmp_path / "stories.db")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORIES_")}
    env.pop("REDIS_URL", None)
    env.update(
        STORIES_INSTANCE_PATH=str(tmp_path), SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
        DATABASE_URL=f"sqlite:///{tmp_path / 'stories.db'}", BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2" if redis_url else "1",
        STORIES_RATELIMIT_TRACK="6 per minute", STORIES_RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
    )  # fmt: skip
    if redis_url:
        env["STORIES_RATELIMIT_STORAGE_URI"] = redis_url
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:stories.server",
             "stories:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if _get(base + "/") == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            codes = [_get(f"{base}/track/ABCD-EFGH-JKM{n}") for n in "NPQRSTUV"]
            # Six look-ups per minute from this address, counted across both workers.
            assert codes[:6] == [404] * 6 and codes[6:] == [429, 429], codes
        finally:
            server.terminate()
            server.wait(timeout=30)
    text_ = log.read_text()
    assert "/track/…" in text_
    assert not re.search(r"ABCD-EFGH-JKM", text_), text_[-2000:]
    if redis_url:
        assert text_.count("Booting worker") >= 2
