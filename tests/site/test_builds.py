"""Build jobs on the site, without a worker process: the Build button (publishers only), joining,
cancelling, the worker's side of a build with a stand-in for the build's process (editions,
failures by kind), stale and orphaned builds, the pages that show them."""

from __future__ import annotations

import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from buildjobs import FAKE_RENDER, build_row, demo_volume, processes_mentioning, wait_for
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from stories import db, labels
from stories.db import utcnow
from stories.jobs import queue, runner, worker
from stories.jobs import settings as job_settings
from stories.models import Build, BuildFailure, BuildState, Edition, EditionStory, User, Volume
from stories.operations import volumes
from stories.operations.books import builds


@pytest.fixture
def publisher(client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="publisher", username="publisher_qian")
    login(client, user)
    return user


@pytest.fixture
def render_as(monkeypatch: pytest.MonkeyPatch) -> Any:
    """render_as("ok" | "slow" | "kill" | ...): the worker runs the stand-in build process."""

    def use(mode: str) -> None:
        monkeypatch.setattr(
            job_settings, "RENDER_COMMAND", (sys.executable, str(FAKE_RENDER), mode)
        )

    return use


def click_build(client: FlaskClient, slug: str = "demo") -> Any:
    token = token_of(client, f"/editor/volumes/{slug}")
    return client.post(f"/editor/volumes/{slug}/builds", data={"csrf_token": token})


def request(app: Flask, user: User, slug: str = "demo") -> int:
    with app.app_context(), db.session_scope() as session:
        volume = volumes.get(session, slug)
        build = builds.request_build(session, session.get(User, user.id), volume).build
        session.flush()
        return build.id or 0


def label(app: Flask, function: Any, value: Any) -> str:
    with app.test_request_context():
        return function(value)


def test_editors_may_not_build_or_download(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any, render_as: Any
) -> None:
    owner = make_user(role="publisher")
    demo_volume(app, make_story, owner, stories=1)
    render_as("ok")
    runner.run_build(app, request(app, owner))
    edition = rows(app, select(Edition))[0]
    for path in ("/editor/volumes/demo/builds/1", f"/editor/editions/{edition.id}/print"):
        assert "/login" in client.get(path).headers["Location"]  # anonymous: the login page
    login(client, make_user(role="editor"))
    token = token_of(client, "/editor/queue")
    assert client.post("/editor/volumes/demo/builds", data={"csrf_token": token}).status_code == 403
    assert client.post("/editor/volumes/demo/builds/1/cancel",
                       data={"csrf_token": token}).status_code == 403  # fmt: skip
    assert client.get("/editor/volumes/demo/builds/1").status_code == 403
    for fmt in ("print", "screen", "epub"):
        assert client.get(f"/editor/editions/{edition.id}/{fmt}").status_code == 403
    assert len(rows(app, select(Build))) == 1
    assert events(app, "edition.download") == []


def test_the_build_button_queues_one_job_and_a_second_click_joins_it(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    demo_volume(app, make_story, publisher, stories=1)
    page = client.get("/editor/volumes/demo").data.decode()
    assert 'action="/editor/volumes/demo/builds"' in page and 'name="csrf_token"' in page
    first, second = click_build(client), click_build(client)
    assert first.status_code == second.status_code == 302
    assert (
        first.headers["Location"] == second.headers["Location"] == "/editor/volumes/demo/builds/1"
    )
    assert [b.state for b in rows(app, select(Build))] == [BuildState.queued]
    assert queue.huey(app).storage.queue_size() == 1  # one job for the worker
    joined = [e.details["joined"] for e in events(app, "build.request")]
    assert joined == [False, True]
    page = client.get("/editor/volumes/demo/builds/1").data.decode()
    assert '<meta http-equiv="refresh" content="2">' in page  # follows itself, no JavaScript
    assert "flask --app stories worker" in page  # queued: says a worker is needed
    assert client.post("/editor/volumes/demo/builds").status_code == 400  # no CSRF token


def test_a_queued_build_is_cancelled_and_the_worker_skips_it(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User, render_as: Any
) -> None:
    demo_volume(app, make_story, publisher, stories=1)
    click_build(client)
    token = token_of(client, "/editor/volumes/demo/builds/1")
    response = client.post("/editor/volumes/demo/builds/1/cancel", data={"csrf_token": token})
    assert response.headers["Location"] == "/editor/volumes/demo/builds/1"
    build = build_row(app)
    assert build.state == BuildState.cancelled and build.finished_at is not None
    render_as("ok")
    runner.run_build(app, 1)  # the job still in the queue: nothing happens
    assert build_row(app).state == BuildState.cancelled
    assert rows(app, select(Edition)) == []
    assert [e.details["state"] for e in events(app, "build.cancel")] == ["cancelled"]
    again = client.post("/editor/volumes/demo/builds/1/cancel", data={"csrf_token": token},
                        follow_redirects=True)  # fmt: skip
    page = again.data.decode()
    assert label(app, lambda text: str(flask_babel.gettext(text)),
                 "This build has already finished.") in page  # fmt: skip
    assert 'http-equiv="refresh"' not in page
    assert len(events(app, "build.cancel")) == 1  # the refused second cancel is not an event


def test_the_worker_keeps_an_edition_and_the_pages_list_it(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User, render_as: Any
) -> None:
    ids = demo_volume(app, make_story, publisher, stories=2)
    render_as("ok")
    click_build(client)
    runner.run_build(app, 1)
    build = build_row(app)
    assert build.state == BuildState.succeeded, build.message
    assert build.warnings == [{"kind": "privacy", "text": "stories.json:9: story 3 《驿站》 may "
                               "still contain personal data: phone"}]  # fmt: skip
    (edition,) = rows(app, select(Edition))
    assert edition.build_id == 1 and edition.folder == f"demo/{edition.id}"
    assert edition.inputs["stories"] == [{"id": i, "revision": 1} for i in ids]
    assert edition.inputs["chapters"] == []  # this volume's book has no chapters yet
    assert edition.inputs["settings_revision"] is None and edition.inputs["software"]
    assert {(s.story_id, s.revision) for s in rows(app, select(EditionStory))} == {
        (i, 1) for i in ids
    }
    folder = Path(app.config["EDITIONS_FOLDER"])
    assert sorted(p.name for p in (folder / "demo").iterdir()) == [str(edition.id)]  # no temp
    page = client.get("/editor/volumes/demo/builds/1").data.decode()
    assert 'http-equiv="refresh"' not in page
    assert f"/editor/editions/{edition.id}/print" in page
    assert label(app, labels.build_warning_label, "privacy") in page
    with client.get(f"/editor/editions/{edition.id}/print") as download:
        assert download.status_code == 200 and download.data == b"%PDF-1.7 fake print"
        assert download.mimetype == "application/pdf"
        disposition = download.headers["Content-Disposition"]
    assert f"demo-edition-{edition.id}-print.pdf" in disposition and "attachment" in disposition
    with client.get(f"/editor/editions/{edition.id}/epub") as epub:
        pass
    assert (
        epub.mimetype == "application/epub+zip"
        and f"demo-edition-{edition.id}.epub" in (epub.headers["Content-Disposition"])
    )
    assert client.get(f"/editor/editions/{edition.id}/../../etc").status_code == 404
    assert client.get(f"/editor/editions/{edition.id}/word").status_code == 404
    assert [e.details["format"] for e in events(app, "edition.download")] == ["print", "epub"]
    volume_page = client.get("/editor/volumes/demo").data.decode()
    assert f'id="edition-{edition.id}"' in volume_page
    story_page = text_of(client.get(f"/editor/stories/{ids[0]}").data)
    assert "演示卷" in story_page and f"#{edition.id}" in story_page


@pytest.mark.parametrize(
    ("mode", "failure", "detail"),
    [
        ("kill", BuildFailure.out_of_memory, "SIGKILL"),
        ("abort", BuildFailure.crashed, "SIGABRT"),
        ("exit", BuildFailure.crashed, "something went wrong"),
        ("error:disk_full", BuildFailure.disk_full, "no space left"),
        ("error:gate", BuildFailure.gate, "stories.json:12"),
    ],
)
def test_a_failed_build_says_why_and_keeps_nothing(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User, render_as: Any,
    mode: str, failure: BuildFailure, detail: str,
) -> None:  # fmt: skip
    demo_volume(app, make_story, publisher, stories=1)
    render_as(mode)
    click_build(client)
    runner.run_build(app, 1)
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, failure)
    assert detail in build.message
    assert rows(app, select(Edition)) == []
    assert list((Path(app.config["EDITIONS_FOLDER"]) / "demo").iterdir()) == []
    page = text_of(client.get("/editor/volumes/demo/builds/1").data)
    assert label(app, labels.build_failure_label, failure) in page and detail in page


def test_a_full_disk_while_writing_the_sources_keeps_nothing(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    demo_volume(app, make_story, publisher, stories=1)

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runner.sources, "write_sources", full)
    click_build(client)
    runner.run_build(app, 1)
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.disk_full)
    assert list((Path(app.config["EDITIONS_FOLDER"]) / "demo").iterdir()) == []


def test_cancelling_a_running_build_stops_its_process(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User, render_as: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    demo_volume(app, make_story, publisher, stories=1)
    render_as("slow")
    click_build(client)
    job = threading.Thread(target=runner.run_build, args=(app, 1))
    job.start()
    try:
        wait_for(lambda: build_row(app).chunks_done >= 1, timeout=30)
        assert build_row(app).state == BuildState.running
        token = token_of(client, "/editor/volumes/demo/builds/1")
        client.post("/editor/volumes/demo/builds/1/cancel", data={"csrf_token": token})
        assert build_row(app).cancel_requested
    finally:
        job.join(15)
    assert not job.is_alive()
    assert build_row(app).state == BuildState.cancelled
    assert rows(app, select(Edition)) == []
    assert list((Path(app.config["EDITIONS_FOLDER"]) / "demo").iterdir()) == []
    assert processes_mentioning(str(tmp_path)) == []  # the build's process is gone


def test_progress_is_written_in_its_own_transactions_and_reads_the_cancel_flag(
    app: Flask, make_story: Any, make_user: Any
) -> None:
    from stories.jobs.progress import Tracker

    owner = make_user(role="publisher")
    demo_volume(app, make_story, owner, stories=1)
    build_id = request(app, owner)
    with app.app_context():
        with db.session_scope() as session:
            assert builds.claim(session, build_id, "host:1") is not None
            assert builds.claim(session, build_id, "host:2") is None  # taken once
        tracker = Tracker(build_id, heartbeat=2.0)
        tracker.event({"phase": "print", "chunks_done": 0, "chunks_total": 4, "pages": 0})
        assert tracker.tick() is False  # a new phase is written at once
        assert (build_row(app).phase.value, build_row(app).chunks_total) == ("print", 4)
        tracker.event({"phase": "print", "chunks_done": 1, "chunks_total": 4, "pages": 9})
        tracker.tick()
        assert build_row(app).chunks_done == 0  # mere progress: at most once a second
        with db.session_scope() as session:
            builds.cancel_build(session, None, session.get(Build, build_id))
        assert tracker.tick(force=True) is True
        assert (build_row(app).chunks_done, build_row(app).pages) == (1, 9)


def test_a_build_whose_heartbeat_stopped_is_shown_failed(
    app: Flask, client: FlaskClient, make_story: Any, publisher: User
) -> None:
    demo_volume(app, make_story, publisher, stories=1)
    click_build(client)
    with app.app_context(), db.session_scope() as session:
        build = session.get(Build, 1)
        build.state, build.started_at = BuildState.running, utcnow() - timedelta(minutes=5)
        build.heartbeat_at = utcnow() - timedelta(seconds=app.config["BUILD_STALE_SECONDS"] + 1)
        session.add(build)
    page = text_of(client.get("/editor/volumes/demo/builds/1").data)
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.worker_stopped)
    assert label(app, labels.build_failure_label, BuildFailure.worker_stopped) in page
    assert click_build(client).headers["Location"] == "/editor/volumes/demo/builds/2"  # a new one


def test_a_starting_worker_fails_the_builds_of_dead_workers_and_removes_their_folders(
    app: Flask, make_story: Any, make_user: Any
) -> None:
    import socket

    owner = make_user(role="publisher")
    demo_volume(app, make_story, owner, stories=1)
    build_id = request(app, owner)
    with app.app_context(), db.session_scope() as session:
        builds.claim(session, build_id, f"{socket.gethostname()}:999999999")  # no such process
    left = Path(app.config["EDITIONS_FOLDER"]) / "demo" / f".build-{build_id}-x1y2"
    (left / "out").mkdir(parents=True)
    assert worker.recover(app) == [build_id]
    build = build_row(app, build_id)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.worker_stopped)
    assert not left.exists()


def test_a_queue_that_cannot_be_reached_fails_the_build_with_the_reason(
    make_app: Any, make_story: Any, make_user: Any, login: Any
) -> None:
    app = make_app(REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens there
    client = app.test_client()
    login(client, make_user(role="publisher"))
    demo_volume(app, make_story, make_user(role="publisher"), stories=1)
    assert click_build(client).headers["Location"] == "/editor/volumes/demo/builds/1"
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.queue)
    assert "9" in build.message


def test_the_database_allows_one_active_build_per_volume(app: Flask, make_user: Any) -> None:
    owner = make_user(role="publisher")
    with app.app_context(), db.session_scope() as session:
        volume = volumes.create_volume(session, session.get(User, owner.id), "demo", "卷")
        volume_id = volume.id
        session.add(Build(volume_id=volume_id, state=BuildState.failed, failure="build",
                          finished_at=utcnow()))  # fmt: skip
        session.add(Build(volume_id=volume_id))
    with pytest.raises(IntegrityError), app.app_context(), db.session_scope() as session:
        session.add(Build(volume_id=volume_id, state=BuildState.running, started_at=utcnow()))
    with pytest.raises(IntegrityError), app.app_context(), db.session_scope() as session:
        session.add(Build(volume_id=volume_id, state=BuildState.failed, finished_at=utcnow()))
    assert len(rows(app, select(Build).where(Build.volume_id == volume_id))) == 2


def test_a_request_that_loses_the_race_joins_the_winner(
    app: Flask, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_user(role="publisher")
    with app.app_context(), db.session_scope() as session:
        volumes.create_volume(session, session.get(User, owner.id), "demo", "卷")
    winner = request(app, owner)
    real, calls = builds.active_build, []

    def late(session: Any, volume: Volume) -> Build | None:
        calls.append(1)
        return None if len(calls) == 1 else real(session, volume)  # the first look sees none

    monkeypatch.setattr(builds, "active_build", late)
    with app.app_context(), db.session_scope() as session:
        volume = volumes.get(session, "demo")
        requested = builds.request_build(session, session.get(User, owner.id), volume)
        assert (requested.joined, requested.build.id) == (True, winner)
    assert len(rows(app, select(Build))) == 1


def test_the_estimate_of_the_time_left(app: Flask) -> None:
    from stories.models import BuildPhase
    from stories.queries.builds import times

    now = utcnow()
    build = Build(volume_id=1, state=BuildState.running, phase=BuildPhase.screen, chunks_done=1,
                  chunks_total=2, started_at=now - timedelta(seconds=66))  # fmt: skip
    estimate = times(build, now)
    assert estimate.fraction == pytest.approx(0.65)
    assert estimate.elapsed == pytest.approx(66)
    assert estimate.remaining == pytest.approx(66 * 0.35 / 0.65)
    early = Build(volume_id=1, state=BuildState.running, phase=BuildPhase.gathering,
                  started_at=now - timedelta(seconds=3))  # fmt: skip
    assert times(early, now).remaining is None
    assert times(early, now, previous=40).remaining == pytest.approx(37)
