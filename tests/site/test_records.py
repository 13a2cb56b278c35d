"""The records that must stay as written: append-only audit log and consents (database
triggers), the audit log's hash chain (`flask audit verify`), and backups that restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from stories import backup, db, migrations
from stories.operations import audit


def _engine(app: Flask) -> Any:
    return create_engine(app.config["DATABASE_URL"])


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'nothing'",
        "DELETE FROM audit_event",
        "UPDATE consent SET text = 'something else'",
        "DELETE FROM consent",
    ],
)
def test_audit_events_and_consents_cannot_be_changed_or_deleted(
    app: Flask, client: FlaskClient, statement: str
) -> None:
    s.submit(client)
    engine = _engine(app)
    try:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM consent")).scalar() == 2
            assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
    finally:
        engine.dispose()


def test_the_hash_chain_finds_an_event_changed_behind_the_triggers_back(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    for number in range(3):
        s.submit(client, title=f"第{number}个故事")
    login(app.test_client(), make_user())  # an account and a login after the submissions
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "5 events, hash chain verified" in result.output
    engine = _engine(app)
    try:
        with engine.begin() as connection:  # someone with the database's keys and bad intent
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            else:
                connection.execute(text("DROP TRIGGER audit_event_no_update"))
            second = connection.execute(text("SELECT id FROM audit_event ORDER BY id")).all()[1][0]
            connection.execute(
                text("UPDATE audit_event SET ip = '10.0.0.9' WHERE id = :id"), {"id": second}
            )
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
    finally:
        engine.dispose()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"breaks at event(s) {second}" in result.output


def test_concurrent_writers_keep_one_chain(app: Flask) -> None:
    """Events recorded by interleaved transactions still form one unbroken chain."""
    import threading

    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            with app.app_context():
                for step in range(5):
                    with db.session_scope() as session:
                        audit.record(session, None, "test.event", details={"n": number, "s": step})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context(), db.session_scope() as session:
        report = audit.verify(session)
    assert report.events == 20 and report.ok


def _restore_target(app: Flask, tmp_path: Path) -> str:
    """An empty database of the same kind as the app's."""
    import os

    if app.config["DATABASE_URL"].startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    url = os.environ.get("TEST_RESTORE_DATABASE_URL")
    if not url:
        pytest.skip("TEST_RESTORE_DATABASE_URL (an empty PostgreSQL database) is not set")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_a_backup_restores_every_story_revision_consent_and_audit_event(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    for number in range(3):
        s.submit(client, title=f"备份的第{number}个故事")
    before = backup.contents(app.config["DATABASE_URL"])
    assert before.stories == 3 and before.revisions == 3 and before.consents == 6
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "backup", str(tmp_path / "stories.backup")])
    assert result.exit_code == 0, result.output
    assert "3 stories, 3 revisions, 6 consents, 3 audit events" in result.output

    target = _restore_target(app, tmp_path)
    from stories import create_app

    other = create_app({**app.config, "DATABASE_URL": target})
    try:
        restore = other.test_cli_runner().invoke(
            args=["db", "restore", str(tmp_path / "stories.backup")]
        )
        assert restore.exit_code == 0, restore.output
        assert "3 stories, 3 revisions, 6 consents, 3 audit events" in restore.output
        assert backup.contents(target) == before
        verify = other.test_cli_runner().invoke(args=["audit", "verify"])
        assert verify.exit_code == 0 and "3 events" in verify.output
        # The restored site works: the stories are found by their titles in the queue's data.
        engine = create_engine(target)
        with engine.connect() as connection:
            titles = connection.execute(text("SELECT title FROM story ORDER BY id")).scalars()
            assert list(titles) == [f"备份的第{n}个故事" for n in range(3)]
        engine.dispose()
        # The restored database is at the newest schema, and a second restore is refused.
        migrations.upgrade(target)
        again = other.test_cli_runner().invoke(
            args=["db", "restore", str(tmp_path / "stories.backup")]
        )
        assert again.exit_code == 1 and "not empty" in again.output
    finally:
        other.extensions["db_engine"].dispose()
