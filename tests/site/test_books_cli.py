"""`flask books build SLUG [--wait]` and `flask books list SLUG`: the same build job as the
Build button, from the command line (huey's immediate mode runs it in the command's process)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from buildjobs import FAKE_RENDER, build_row, demo_volume
from editorial import add_flag, events

from stories.jobs import settings as job_settings
from stories.models import BuildFailure, BuildState


@pytest.fixture
def immediate(make_app: Any, make_story: Any, make_user: Any) -> Any:
    app = make_app(QUEUE_IMMEDIATE=True)
    ids = demo_volume(app, make_story, make_user(role="publisher"), stories=2)
    return app, ids


def render_as(monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.setattr(job_settings, "RENDER_COMMAND", (sys.executable, str(FAKE_RENDER), mode))


def test_build_waits_prints_the_progress_and_lists_the_edition(
    immediate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ids = immediate
    render_as(monkeypatch, "ok")
    result = app.test_cli_runner().invoke(args=["books", "build", "demo", "--wait"])
    assert result.exit_code == 0, result.output
    assert "demo: queued build #1" in result.output
    assert "succeeded" in result.output and "edition #1 of demo" in result.output
    assert "print      12 pages" in result.output
    listed = app.test_cli_runner().invoke(args=["books", "list", "demo"])
    assert listed.exit_code == 0 and listed.output.startswith("#1\t")
    assert "12 pages\t2 stories" in listed.output and "editions/demo/1" in listed.output
    (event,) = events(app, "build.request")
    assert event.actor_id is None and event.details == {"volume": "demo", "build": 1,
                                                         "joined": False}  # fmt: skip


def test_a_failed_build_exits_non_zero_with_the_reason(
    immediate: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ids = immediate
    render_as(monkeypatch, "error:gate")
    result = app.test_cli_runner().invoke(args=["books", "build", "demo", "--wait"])
    assert result.exit_code == 1
    assert "build #1 failed (gate)" in result.output and "stories.json:12" in result.output


def test_build_without_wait_only_queues_and_an_unknown_volume_is_an_error(
    app: Any, make_story: Any, make_user: Any
) -> None:
    demo_volume(app, make_story, make_user(role="publisher"), stories=1)
    result = app.test_cli_runner().invoke(args=["books", "build", "demo"])
    assert result.exit_code == 0 and result.output == "demo: queued build #1\n"
    assert build_row(app).state == BuildState.queued
    again = app.test_cli_runner().invoke(args=["books", "build", "demo"])
    assert again.output == "demo: joined the running build #1\n"
    missing = app.test_cli_runner().invoke(args=["books", "build", "nope"])
    assert missing.exit_code == 1 and "nope" in missing.output


@pytest.mark.slow
def test_the_publication_gate_refuses_a_story_by_name(immediate: Any) -> None:
    """The real build's process: the gather phase's refusal names the story; nothing is kept."""
    app, ids = immediate
    add_flag(app, ids[1])  # an unresolved privacy flag
    result = app.test_cli_runner().invoke(args=["books", "build", "demo", "--wait"])
    assert result.exit_code == 1, result.output
    build = build_row(app)
    assert (build.state, build.failure) == (BuildState.failed, BuildFailure.gate)
    assert f"story story-{ids[1]} 《驿站的下午2》: 1 unresolved privacy flag(s)" in build.message
    assert "stories.json:" in build.message and "/editions/" not in build.message
