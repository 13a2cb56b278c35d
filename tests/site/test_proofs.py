"""Story proofs from the story's page: an editor asks, a real worker lays the story out alone in
the volume's trim and fonts, the proof page follows it, the PDF is opened after a role check.
Without a worker: joining, choosing the volume, proofs beside book builds, who may see what."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from book.pdfcheck import flat, page_texts
from buildjobs import build_row, demo_volume
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlmodel import select

from stories import db
from stories.models import Build, BuildState, Edition, Story, User
from stories.operations import volumes
from stories.operations.books import builds, proofs, settings

MM = 72 / 25.4
PHONE_TEXT = "我把电话13912345678写在卡片上。" + "老人每天下午都去驿站坐一会儿，和邻居聊聊天。" * 40


def propose(client: FlaskClient, story_id: int, volume: str | None = None) -> Any:
    data = {"csrf_token": token_of(client, f"/editor/stories/{story_id}")}
    if volume is not None:
        data["volume"] = volume
    return client.post(f"/editor/stories/{story_id}/proofs", data=data)


def said(app: Flask, message: str) -> str:
    """A message as the site shows it (in the test client's language)."""
    from flask_babel import gettext

    with app.test_request_context():
        return gettext(message)


def trim_mm(pdf: Path) -> tuple[int, int]:
    box = PdfReader(pdf).pages[0].trimbox
    return round(float(box.width) / MM), round(float(box.height) / MM)


@pytest.mark.slow
@pytest.mark.one_database
def test_an_editor_proofs_a_story_not_yet_accepted(
    app: Flask, make_story: Any, make_user: Any, login: Any, workers: Any, tmp_path: Path
) -> None:
    publisher = make_user(role="publisher", username="publisher_sun")
    demo_volume(app, make_story, publisher, stories=1)
    with app.app_context():  # the volume's book: an A5 page, as the publisher set it
        session = db.session()
        volume = volumes.get(session, "demo")
        defaults = settings.defaults(volume)
        data = {**defaults, "page": {**defaults["page"], "trim": "A5"}}
        settings.save(session, session.get(User, publisher.id), volume, data)
        session.commit()
    story = make_story(status="submitted", title="驿站里的电话", body=PHONE_TEXT)
    client = app.test_client()
    login(client, make_user(role="editor", username="editor_li"))
    page = text_of(client.get(f"/editor/stories/{story.id}").data)
    assert said(app, "Make a proof") in page
    asked = time.monotonic()
    first = propose(client, story.id, "demo")
    second = propose(client, story.id, "demo")  # a second click joins the proof
    workers(app)  # started after the clicks, so the second one always finds the proof queued
    where = f"/editor/stories/{story.id}/proofs/"
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"].startswith(where)
    build_id = int(first.headers["Location"].rsplit("/", 1)[1])
    seen = []
    while time.monotonic() - asked < 120:
        html = client.get(first.headers["Location"]).data.decode()
        build = build_row(app, build_id)
        seen.append(build.state.value)
        if not build.active:
            break
        assert '<meta http-equiv="refresh" content="2">' in html
        time.sleep(0.2)
    took = time.monotonic() - asked
    assert build.state == BuildState.succeeded, (build.failure, build.message, seen)
    html = client.get(first.headers["Location"]).data.decode()  # read after the end
    assert 'http-equiv="refresh"' not in html
    print(f"proof ready {took:.1f} s after the click")
    pdf = tmp_path / "proof.pdf"
    with client.get(f"{where}{build_id}/pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        pdf.write_bytes(response.data)
    pages = [flat(t) for t in page_texts(pdf)]
    assert len(pages) == build.proof_pages >= 2
    assert all("校样" in p and "不得付印" in p and "第1稿" in p for p in pages)
    whole = "".join(pages)
    assert "驿站里的电话" in whole and "13912345678" in whole  # the text as it stands
    assert "驿站的下午1" not in whole  # the volume's own stories are not in it
    assert trim_mm(pdf) == (148, 210)  # A5: the volume's page
    # The mark's time is the site's (Asia/Shanghai), as the pages show times.
    stamp = re.search(r"(\d{4}-\d\d-\d\d)(\d\d:\d\d)·不得付印", pages[0])  # spaces flattened
    assert stamp, pages[0]
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    marked = datetime.strptime(" ".join(stamp.groups()), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    assert abs((marked - build.started_at).total_seconds()) < 120
    story_page = text_of(client.get(f"/editor/stories/{story.id}").data)
    assert f"#{build_id}" in story_page
    assert [e.details["joined"] for e in events(app, proofs.REQUEST)] == [False, True]
    assert len(events(app, proofs.DOWNLOAD)) == 1
    assert rows(app, select(Edition)) == []  # a proof is no edition


def test_the_volume_is_chosen_when_the_story_is_in_none(
    app: Flask, make_story: Any, make_user: Any, login: Any
) -> None:
    editor = make_user(role="editor", username="editor_li")
    publisher = make_user(role="publisher", username="publisher_sun")
    placed = demo_volume(app, make_story, publisher, stories=1)[0]
    loose = make_story(status="submitted", title="还没有卷的故事").id
    client = app.test_client()
    login(client, editor)
    page = client.get(f"/editor/stories/{loose}").data.decode()
    assert 'name="volume"' in page and 'value="demo"' in page  # the volume to choose
    response = propose(client, loose)
    assert response.status_code == 302
    refused = text_of(client.get(response.headers["Location"]).data)
    assert said(app, "Choose the volume whose page layout the proof should follow.") in refused
    assert rows(app, select(Build)) == []
    page = client.get(f"/editor/stories/{placed}").data.decode()
    section = page[page.index('id="proofs"') :]
    assert 'name="volume"' not in section.split("</section>")[0]  # its own volume
    response = propose(client, placed)
    (build,) = rows(app, select(Build))
    assert response.headers["Location"] == f"/editor/stories/{placed}/proofs/{build.id}"
    assert (build.story_id, build.story_revision, build.state) == (placed, 1, BuildState.queued)
    # Queued, not made yet: there is nothing to open.
    assert client.get(f"/editor/stories/{placed}/proofs/{build.id}/pdf").status_code == 404
    assert client.get(f"/editor/stories/{loose}/proofs/{build.id}").status_code == 404
    anonymous = app.test_client()
    response = anonymous.get(f"/editor/stories/{placed}/proofs/{build.id}")
    assert response.status_code == 302 and "login" in response.headers["Location"]


def test_a_proof_and_a_book_build_of_the_volume_run_side_by_side(
    app: Flask, make_story: Any, make_user: Any
) -> None:
    publisher = make_user(role="publisher", username="publisher_sun")
    story_id = demo_volume(app, make_story, publisher, stories=2)[0]
    with app.app_context(), db.session_scope() as session:
        actor = session.get(User, publisher.id)
        volume = volumes.get(session, "demo")
        story = session.get(Story, story_id)
        proof = proofs.request_proof(session, actor, story, volume)
        book = builds.request_build(session, actor, volume)
        again = proofs.request_proof(session, actor, story, volume)
        assert not proof.joined and not book.joined and again.joined
        assert again.build.id == proof.build.id != book.build.id
        # The volume's build list and active build are the book's, never the proof's.
        assert builds.active_build(session, volume).id == book.build.id
        assert [b.id for b in builds.recent_builds(session, volume)] == [book.build.id]
        assert [b.id for b in proofs.story_proofs(session, story)] == [proof.build.id]
