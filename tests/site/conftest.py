"""Shared fixtures: an app on a real database (SQLite file; PostgreSQL too when configured)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import TEST_PASSWORD, csrf_token
from buildjobs import Worker, end_processes, processes_mentioning, worker_env
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from stories import create_app, migrations

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str | None:
    """Migrate the PostgreSQL test database once; tests then truncate it."""
    if not TEST_DATABASE_URL:
        return None
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrations.upgrade(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        names = ", ".join(f'"{name}"' for name in tables)
        if names:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `one_database` (a slow book build whose queries other tests run on both
    databases) runs on SQLite only: its PostgreSQL copy is deselected, not skipped."""
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        on_postgres = params is not None and params.params.get("database_url") == "postgresql"
        (dropped if on_postgres and item.get_closest_marker("one_database") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "stories.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_migrated")
        _truncate_postgres(url)
        yield url


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "STORY_MIN_CHARS": 200,
        "ARGON2_TIME_COST": 1,  # cheap password hashes keep the tests fast
        "ARGON2_MEMORY_COST": 1024,
        # The task queue and the editions in the test's folder; no chunk cache, no EPUBCheck
        # (the tests that need them turn them on).
        "QUEUE_NAME": f"test-{uuid.uuid4().hex[:12]}",
        "QUEUE_FILE": str(tmp_path / "queue.db"),
        "EDITIONS_FOLDER": str(tmp_path / "editions"),
        "BUILD_CACHE_FOLDER": "",
        "BUILD_EPUBCHECK": False,
        "PICTURES_FOLDER": str(tmp_path / "pictures"),
    }


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build an app with config overrides: make_app(RATELIMIT_ENABLED=True)."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        application = create_app({**app_config, **overrides})
        made.append(application)
        return application

    yield factory
    for application in made:
        application.extensions["db_engine"].dispose()
        if "huey" in application.extensions:
            application.extensions["huey"].storage.close()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- Accounts (editors, publishers, admins) --------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """make_user(role="editor", username=None, password=TEST_PASSWORD) -> a saved User."""
    from stories import db
    from stories.operations import accounts

    counter = iter(range(1, 10_000))

    def factory(
        role: str = "editor",
        username: str | None = None,
        password: str = TEST_PASSWORD,
        display_name: str = "",
        active: bool = True,
    ) -> Any:
        with app.app_context(), db.session_scope() as session:
            user = accounts.create_user(
                session, username or f"{role}{next(counter)}", password, role, display_name
            )
            user.is_active = active
            session.add(user)
        return user

    return factory


@pytest.fixture
def login() -> Callable[..., Any]:
    """login(client, user, password=TEST_PASSWORD): log in through the real form (with CSRF)."""

    def do(client: FlaskClient, user: Any, password: str = TEST_PASSWORD) -> Any:
        page = client.get("/login")
        response = client.post(
            "/login",
            data={
                "username": user.username,
                "password": password,
                "csrf_token": csrf_token(page.data),
            },
        )
        assert response.status_code == 302, response.data.decode()[:2000]
        return response

    return do


@dataclass(frozen=True)
class MadeStory:
    """A story made through `submit_story`: its id and the tracking code its author got."""

    id: int
    tracking_code: str


@pytest.fixture
def make_story(app: Flask) -> Callable[..., MadeStory]:
    """make_story(status="submitted", editor_message="", **Submission fields) -> MadeStory.

    The story is submitted by the real operation (revision 1, both consents); other statuses are
    then set directly, accepted and rejected ones decided by the demo editor.
    """
    from stories import db, demo
    from stories.db import utcnow
    from stories.models import ServiceField, Story, StoryStatus
    from stories.operations import submission

    def factory(status: str = "submitted", editor_message: str = "", **fields: Any) -> MadeStory:
        values: dict[str, Any] = {
            "title": "一次家访",
            "body": "\n\n".join(["这是一段用于测试的社工故事正文，讲述一次普通的家访。" * 4] * 3),
            "pen_name": "测试笔名",
            "service_field": ServiceField.community,
            "real_name": "测试真名",
            "province": "浙江省",
            "city": "杭州市",
            "contact_phone": "13800138000",
            "contact_email": "author@example.org",
            "licence": submission.ConsentText(app.config["LICENCE_TEXT"], "2026-1"),
            "people": submission.ConsentText(app.config["PEOPLE_CONSENT_TEXT"], "2026-1"),
        }
        values.update(fields)
        with app.app_context(), db.session_scope() as session:
            receipt = submission.submit_story(
                session, submission.Submission(**values), submission.new_token(), app.secret_key
            )
            story = session.get(Story, receipt.story_id)
            assert story is not None
            if StoryStatus(status) in (StoryStatus.accepted, StoryStatus.rejected):
                story.decided_by_id = demo.demo_editor(session).id  # before the status: autoflush
                story.decided_at = utcnow()
            story.status = StoryStatus(status)
            story.editor_message = editor_message
            session.add(story)
        return MadeStory(id=receipt.story_id, tracking_code=receipt.tracking_code)

    return factory


@pytest.fixture
def workers(tmp_path: Path) -> Any:
    """start(app, **settings) -> a running Worker; every one is stopped after the test, and any
    process left with the test's folder in its command line is ended."""
    started: list[Worker] = []

    def start(app: Flask, **settings: Any) -> Worker:
        instance = tmp_path / "instance"
        instance.mkdir(exist_ok=True)
        worker = Worker(
            worker_env(app, instance, **settings), tmp_path / f"worker{len(started)}.log"
        )
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
    end_processes(processes_mentioning(str(tmp_path)))
