"""Shared fixtures: an app on a real database (SQLite file; PostgreSQL too when configured)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from stories import create_app, migrate

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
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
    migrate.upgrade(TEST_DATABASE_URL)
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


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
