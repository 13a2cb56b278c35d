"""Configuration: defaults in code, instance/config.py, then the environment; no insecure secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from stories import create_app
from stories.config import ENV_KEYS, INSECURE_SECRET, ConfigError

STRONG = "c0a8e4f19b7d2365ea0f4c81d9b3a7e2f5c6d8a9b1e3f7a0"


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder and an environment without any of our settings."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("STORIES_INSTANCE_PATH", str(folder))
    for key in (*ENV_KEYS, "FLASK_DEBUG", "WEB_CONCURRENCY", "STORIES_ENV"):
        monkeypatch.delenv(key, raising=False)
    return folder


def test_refuses_to_start_without_a_real_secret_key(instance: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app(None)
    (instance / "config.py").write_text("SECRET_KEY = ''\n")
    with pytest.raises(ConfigError, match="instance/config.py"):
        create_app(None)


def test_debug_is_refused_outside_development_and_never_uses_a_key_from_the_code(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.delenv("STORIES_ENV", raising=False)
    with pytest.raises(ConfigError, match="Debug mode .* refused outside development"):
        create_app(None)
    monkeypatch.setenv("STORIES_ENV", "development")
    app = create_app(None)
    assert app.debug
    key = app.config["SECRET_KEY"]
    assert key != INSECURE_SECRET and len(key) >= 64  # a random key for this process only
    assert create_app(None).config["SECRET_KEY"] != key
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize(
    "secret", ["a", "short-secret", "x" * 40, "abababababababababababababababab"]
)
def test_weak_secret_keys_are_refused(instance: Path, secret: str) -> None:
    (instance / "config.py").write_text(f"SECRET_KEY = {secret!r}\n")
    with pytest.raises(ConfigError, match="at least 32 random bytes"):
        create_app(None)


def test_production_headers_hsts_and_permissions_policy(instance: Path) -> None:
    (instance / "config.py").write_text(f"SECRET_KEY = {STRONG!r}\n")
    app = create_app(None)
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    app.extensions["db_engine"].dispose()


def test_several_workers_are_refused_with_limits_in_memory(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "config.py").write_text(f"SECRET_KEY = {STRONG!r}\n")
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(ConfigError, match="4 worker processes with rate limits"):
        create_app(None)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")
    app = create_app(None)  # shared limits: accepted (Redis is only reached on first use)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6390/0"
    app.extensions["db_engine"].dispose()


def test_instance_config_then_environment(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-instance-file-2b7e151628aed2a6abf71589'\n"
        "SITE_TITLE = '实例标题'\nSTORY_MIN_CHARS = 300\n"
    )
    app = create_app(None)
    assert app.config["SECRET_KEY"] == "from-instance-file-2b7e151628aed2a6abf71589"
    assert app.config["SITE_TITLE"] == "实例标题" and app.config["STORY_MIN_CHARS"] == 300
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'stories.db'}"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["db_engine"].dispose()

    database = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("SECRET_KEY", "from-environment-9c1d4f7a2e8b3c6d5f0a1b2c")
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "12345")
    monkeypatch.setenv("SITE_TITLE", "环境标题")
    monkeypatch.setenv("ORGANISER_NAME", "环境主办方")
    monkeypatch.setenv("STORIES_STORY_MIN_CHARS", "50")
    app = create_app(None)
    assert app.config["DATABASE_URL"] == database
    assert app.config["SECRET_KEY"] == "from-environment-9c1d4f7a2e8b3c6d5f0a1b2c"
    assert app.config["MAX_CONTENT_LENGTH"] == 12345
    assert app.config["SITE_TITLE"] == "环境标题"
    assert app.config["ORGANISER_NAME"] == "环境主办方"
    assert app.config["STORY_MIN_CHARS"] == 50
    page = app.test_client().get("/").get_data(as_text=True)
    assert "<title>环境标题</title>" in page and "环境主办方" in page
    app.extensions["db_engine"].dispose()
