"""The outbox sent by a real worker (`flask --app stories worker` in its own process) to a real
SMTP server on 127.0.0.1: while the server is down, submissions succeed and the messages are
tried again with backoff; when it is back, every one of them arrives, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import submitting as s
from buildjobs import Worker, end_processes, processes_mentioning, wait_for, worker_env
from flask import Flask
from smtpserver import Inbox, links_in, path_of
from sqlmodel import select

from stories import db
from stories.models import MailState, OutboxMessage

pytestmark = pytest.mark.slow


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only: the worker's queries are tested on both backends in test_mail.py."""
    import shutil

    shutil.copy(sqlite_template, tmp_path / "stories.db")
    return f"sqlite:///{tmp_path / 'stories.db'}"


def _rows(app: Flask) -> list[OutboxMessage]:
    with app.app_context(), db.session_scope() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def test_mail_waits_for_a_stopped_smtp_server_and_nothing_is_lost(
    make_app: Any, tmp_path: Path
) -> None:
    box = Inbox()  # not started yet: the SMTP server is down
    settings: dict[str, Any] = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": box.port,
                                "MAIL_RETRY_SECONDS": [1, 1, 2, 2, 2, 2, 2, 2, 2, 2]}  # fmt: skip
    app = make_app(**settings)
    instance = tmp_path / "instance"
    instance.mkdir()
    worker = Worker(worker_env(app, instance, **settings), tmp_path / "worker.log").start()
    try:
        clients = [app.test_client() for _ in range(3)]
        codes = [s.submit(c, title=f"服务器停了{i}", contact_email=f"a{i}@example.org")
                 for i, c in enumerate(clients)]  # fmt: skip
        assert len(set(codes)) == 3  # every submission succeeded
        # The worker tries, fails, records why, and tries again.
        wait_for(lambda: all(r.attempts >= 2 for r in _rows(app)), timeout=60)
        for row in _rows(app):
            assert row.state in (MailState.queued, MailState.sending)
            assert "refused" in row.last_error.lower() or "errno" in row.last_error.lower()
        box.start()  # the server comes back
        for i in range(3):
            box.wait(1, timeout=60, to=f"a{i}@example.org")
        wait_for(lambda: all(r.state == MailState.sent for r in _rows(app)), timeout=30)
        for i, code in enumerate(codes):
            [message] = box.messages(to=f"a{i}@example.org")  # once, not once per try
            link = next(link for link in links_in(message) if code in link)
            assert app.test_client().get(path_of(link)).status_code == 200
        assert "mail 1 failed" in worker.output() and "mail 1 sent" in worker.output()
    finally:
        worker.stop()
        box.stop()
        end_processes(processes_mentioning(str(tmp_path)))
