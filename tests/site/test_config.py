"""Configuration: defaults in code, instance/config.py, then the environment; no insecure secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories import create_app
from stories.config import ENV_KEYS, ConfigError


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder and an environment without any of our settings."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("STORIES_INSTANCE_PATH", str(folder))
    for key in (*ENV_KEYS, "FLASK_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    return folder


def test_refuses_to_start_without_a_real_secret_key(instance: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(None)
    (instance / "config.py").write_text("SECRET_KEY = ''\n")
    with pytest.raises(ConfigError, match="instance/config.py"):
        create_app(None)


def test_debug_may_run_with_the_development_secret(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(None)
    assert app.debug
    app.extensions["db_engine"].dispose()


def test_instance_config_then_environment(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-instance-file'\nSITE_TITLE = '实例标题'\nSTORY_MIN_CHARS = 300\n"
    )
    app = create_app(None)
    assert app.config["SECRET_KEY"] == "from-instance-file"
    assert app.config["SITE_TITLE"] == "实例标题" and app.config["STORY_MIN_CHARS"] == 300
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'stories.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["db_engine"].dispose()

    database = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("SECRET_KEY", "from-environment")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "12345")
    monkeypatch.setenv("SITE_TITLE", "环境标题")
    monkeypatch.setenv("ORGANISER_NAME", "环境主办方")
    monkeypatch.setenv("STORIES_STORY_MIN_CHARS", "50")
    app = create_app(None)
    assert app.config["DATABASE_URL"] == database
    assert app.config["SECRET_KEY"] == "from-environment"
    assert app.config["MAX_CONTENT_LENGTH"] == 12345
    assert app.config["SITE_TITLE"] == "环境标题"
    assert app.config["ORGANISER_NAME"] == "环境主办方"
    assert app.config["STORY_MIN_CHARS"] == 50
    page = app.test_client().get("/").get_data(as_text=True)
    assert "<title>环境标题</title>" in page and "环境主办方" in page
    app.extensions["db_engine"].dispose()
