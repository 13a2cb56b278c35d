"""Building books from the website with a real worker (`flask --app stories worker` in its own
process): the Build button, the progress on the build's page, the downloaded print PDF against
the command line's build of the same volume, a worker killed mid-build, cancelling a running
build. The queue is the SQLite file, and Redis too when TEST_REDIS_URL is set (.ci/run starts
one)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from book.pdfcheck import flat, page_texts
from buildjobs import (
    build_row,
    demo_volume,
    processes_mentioning,
    wait_for,
)
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db, labels
from stories.cli import book as cli_book
from stories.models import BuildFailure, BuildState, Edition, User
from stories.operations import volumes
from stories.operations.books import settings

pytestmark = pytest.mark.slow
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
QUEUES = ["sqlite"] + (["redis"] if TEST_REDIS_URL else [])


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """These tests run on SQLite only (the worker's queries are tested on both backends in
    test_builds.py); each one builds real books."""
    import shutil

    shutil.copy(sqlite_template, tmp_path / "stories.db")
    return f"sqlite:///{tmp_path / 'stories.db'}"


def _app(make_app: Any, queue: str) -> Flask:
    settings: dict[str, Any] = {"BUILD_CHUNK_PAGES": 12}
    if queue == "redis":
        settings["REDIS_URL"] = TEST_REDIS_URL
    return make_app(**settings)


@pytest.fixture(params=QUEUES)
def queue_app(request: pytest.FixtureRequest, make_app: Any) -> Flask:
    """The whole flow on each queue."""
    return _app(make_app, request.param)


@pytest.fixture(params=QUEUES[-1:])
def one_queue_app(request: pytest.FixtureRequest, make_app: Any) -> Flask:
    """A killed worker and a cancelled build on one queue, Redis when there is one (the
    production setup): both are seen through the build's row and the worker's processes, the
    same whichever queue carried the job."""
    return _app(make_app, request.param)


BOOK_TITLE = "网上编辑的书名"


def setup_volume(app: Flask, make_story: Any, make_user: Any, login: Any, **kwargs: Any) -> Any:
    client = app.test_client()
    publisher = make_user(role="publisher", username="publisher_sun")
    login(client, publisher)
    ids = demo_volume(app, make_story, publisher, **kwargs)
    with app.app_context():  # the book's settings as the publisher edits them on the website
        session = db.session()
        volume = volumes.get(session, "demo")
        data = {**settings.defaults(volume), "title": BOOK_TITLE, "isbn": "978-7-5123-4567-6"}
        settings.save(session, session.get(User, publisher.id), volume, data)
        session.commit()
    return client, ids


def click(client: FlaskClient, path: str) -> Any:
    token = token_of(
        client, path.rsplit("/", 1)[0] if path.endswith("/cancel") else "/editor/volumes/demo"
    )
    return client.post(path, data={"csrf_token": token})


def test_a_publisher_builds_follows_and_downloads_the_books(
    queue_app: Flask, make_story: Any, make_user: Any, login: Any, workers: Any, tmp_path: Path
) -> None:
    app = queue_app
    app.config["BUILD_EPUBCHECK"] = True  # the worker checks the EPUB (the phase is shown)
    client, ids = setup_volume(app, make_story, make_user, login, stories=4)
    worker = workers(app)
    first = click(client, "/editor/volumes/demo/builds")
    second = click(client, "/editor/volumes/demo/builds")  # a second click joins the build
    assert (
        first.headers["Location"] == second.headers["Location"] == "/editor/volumes/demo/builds/1"
    )
    seen: list[tuple[str, str, str]] = []  # (state, phase, chunks) as the page showed them
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        page = client.get("/editor/volumes/demo/builds/1").data.decode()
        build = build_row(app)
        chunks = re.search(r"<dd class=\"chunks\">([^<]+)</dd>", page)
        seen.append((build.state.value, build.phase.value if build.phase else "",
                     chunks.group(1) if chunks else ""))  # fmt: skip
        if not build.active:
            break
        assert '<meta http-equiv="refresh" content="2">' in page
        time.sleep(0.25)
    assert build.state == BuildState.succeeded, (build.failure, build.message, seen,
                                                 worker.output()[-3000:])  # fmt: skip
    # (the page read in the loop may predate the end: the build can end between the two reads)
    page = client.get("/editor/volumes/demo/builds/1").data.decode()
    assert 'http-equiv="refresh"' not in page
    states = [s for s, _p, _c in seen]
    phases = {p for s, p, _c in seen if s == "running"}
    assert "running" in states and states[-1] == "succeeded", seen
    assert {"print", "screen"} <= phases, seen
    assert any(c for s, p, c in seen if p in ("print", "screen")), seen  # "n of N" chunks shown
    (edition,) = rows(app, select(Edition))
    with client.get(f"/editor/editions/{edition.id}/print") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        (tmp_path / "site-print.pdf").write_bytes(response.data)
    for fmt in ("screen", "epub", "cover"):
        with client.get(f"/editor/editions/{edition.id}/{fmt}") as response:
            assert response.status_code == 200 and len(response.data) > 1000
            if fmt == "cover":  # the printer's cover, a fourth file of the edition
                (tmp_path / "site-cover.pdf").write_bytes(response.data)
    assert edition.files["cover"]["pages"] == 1
    assert BOOK_TITLE in flat(page_texts(tmp_path / "site-cover.pdf")[0])  # the typed title
    # The command line's build of the same volume (build.py SLUG --from-db: the book as the
    # database holds it) prints the same pages with the same text.
    out = tmp_path / "cli"
    argv = ["demo", "--from-db", app.config["DATABASE_URL"], "--format", "print", "--out",
            str(out), "-q", "--no-cache"]  # fmt: skip
    assert cli_book.main(argv) == 0
    site = [flat(t) for t in page_texts(tmp_path / "site-print.pdf")]
    cli = [flat(t) for t in page_texts(out / "demo-print.pdf")]
    assert len(site) == len(cli) == edition.pages
    assert site == cli
    assert BOOK_TITLE in site[0]  # the title typed on the website
    assert "驿站的下午4" in "".join(site)
    # The volume page and the stories' pages list the edition.
    assert f'id="edition-{edition.id}"' in client.get("/editor/volumes/demo").data.decode()
    story = text_of(client.get(f"/editor/stories/{ids[0]}").data)
    assert f"#{edition.id}" in story
    assert [e.details["joined"] for e in events(app, "build.request")] == [False, True]


def test_a_worker_killed_mid_build_leaves_the_build_failed_and_nothing_behind(
    one_queue_app: Flask, make_story: Any, make_user: Any, login: Any, workers: Any, tmp_path: Path
) -> None:
    app = one_queue_app
    app.config["BUILD_STALE_SECONDS"] = 5  # the page says "failed" soon after the kill
    client, _ids = setup_volume(app, make_story, make_user, login, stories=12, paragraphs=8)
    worker = workers(app)
    click(client, "/editor/volumes/demo/builds")
    wait_for(lambda: build_row(app).phase and build_row(app).phase.value in ("print", "screen"),
             timeout=120, every=0.1)  # fmt: skip
    worker.kill()  # kill -9 the worker in the middle of the build
    wait_for(lambda: processes_mentioning(str(tmp_path)) == [], timeout=10)  # its build too
    page = wait_for(
        lambda: (p := text_of(client.get("/editor/volumes/demo/builds/1").data))
        and label(app, labels.build_failure_label, BuildFailure.worker_stopped) in p and p,
        timeout=30, every=0.5,
    )  # fmt: skip
    assert "Traceback" not in page
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.worker_stopped)
    assert rows(app, select(Edition)) == []
    editions = Path(app.config["EDITIONS_FOLDER"]) / "demo"
    assert [p.name for p in editions.iterdir() if not p.name.startswith(".build-")] == []
    workers(app)  # a new worker removes what the killed one left
    assert list(editions.iterdir()) == []


def test_a_running_build_is_cancelled_and_keeps_nothing(
    one_queue_app: Flask, make_story: Any, make_user: Any, login: Any, workers: Any, tmp_path: Path
) -> None:
    app = one_queue_app
    client, _ids = setup_volume(app, make_story, make_user, login, stories=12, paragraphs=8)
    workers(app)
    click(client, "/editor/volumes/demo/builds")
    wait_for(lambda: build_row(app).phase and build_row(app).phase.value == "print",
             timeout=120, every=0.1)  # fmt: skip
    asked = time.monotonic()
    response = click(client, "/editor/volumes/demo/builds/1/cancel")
    assert response.headers["Location"] == "/editor/volumes/demo/builds/1"
    wait_for(lambda: not build_row(app).active, timeout=30)
    assert time.monotonic() - asked < 10
    build = build_row(app)
    assert build.state == BuildState.cancelled, (build.failure, build.message)
    assert rows(app, select(Edition)) == []
    # The worker records the end, then deletes its temporary folder (stories.jobs.runner):
    # give it a moment instead of racing it.
    folder = Path(app.config["EDITIONS_FOLDER"]) / "demo"
    wait_for(lambda: list(folder.iterdir()) == [], timeout=10, every=0.1)
    wait_for(lambda: [p for p in processes_mentioning(str(tmp_path)) if _is_render(p)] == [],
             timeout=10)  # fmt: skip
    assert [e.details["state"] for e in events(app, "build.cancel")] == ["running"]


def _is_render(pid: int) -> bool:
    try:
        return b"stories.jobs.render" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def label(app: Flask, function: Any, value: Any) -> str:
    with app.test_request_context():
        return function(value)
