"""The stories file: a volume's accepted stories in order, anonymised, without private data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from editorial import events, token_of
from flask import Flask
from flask.testing import FlaskClient

from anthology.text.markdown import plain_to_markdown
from stories import db
from stories.models import ServiceField, Story, User
from stories.operations import volumes

ROOT = Path(__file__).resolve().parents[2]
PRIVATE = ("真名王小明", "13912345678", "secret-author@example.org")
STORY_KEYS = {
    "id", "title", "body", "pen_name", "organisation", "province", "city", "service_field",
    "years_in_practice", "revision", "submitted_at", "accepted_at", "consents", "privacy",
    "pictures",
}  # fmt: skip


def arranged_volume(app: Flask, make_story: Any, make_user: Any) -> list[int]:
    """A volume `demo-x` with two parts; returns the story ids in their book order."""
    ids = [
        make_story(
            status="accepted",
            title=f"故事{i}",
            body=plain_to_markdown(f"第{i}个故事。张阿姨每天早上去菜场。" * 10),
            service_field=field,
            real_name=PRIVATE[0],
            contact_phone=PRIVATE[1],
            contact_email=PRIVATE[2],
            years_in_practice=i,
        ).id
        for i, field in enumerate(
            [ServiceField.school, ServiceField.elderly, ServiceField.elderly], 1
        )
    ]
    make_story(status="accepted", title="不在卷中")
    publisher = make_user(role="publisher")
    with app.app_context(), db.session_scope() as session:
        actor = session.get(User, publisher.id)
        assert actor is not None
        volume = volumes.create_volume(session, actor, "demo-x", "演示卷", "说明")
        for story_id in ids:
            volumes.assign(session, actor, volume, story_id)
        volumes.parts_from_service_fields(session, actor, volume)
        volumes.move_entry(session, volume, ids[2], -1)
    return [ids[2], ids[1], ids[0]]  # 老年服务 (reordered), then 学校社会工作


def check_document(document: dict[str, Any], expected_ids: list[int]) -> None:
    assert document["format"] == "social-work-stories"
    assert document["version"] == 1
    assert document["exported_at"].endswith("Z")
    assert document["volume"] == {"slug": "demo-x", "title": "演示卷", "description": "说明"}
    assert [p["title"] for p in document["parts"]] == ["老年服务", "学校社会工作"]
    stories = [s for part in document["parts"] for s in part["stories"]]
    assert [s["id"] for s in stories] == expected_ids
    for story in stories:
        assert set(story) == STORY_KEYS
        assert story["service_field"] in {f.value for f in ServiceField}
        assert story["revision"] == 1
        assert story["submitted_at"].endswith("Z") and story["accepted_at"].endswith("Z")
        assert set(story["consents"]) == {"licence", "people"}
        assert story["consents"]["licence"]["version"] == "2026-1"
        assert story["privacy"] == {"unresolved_flags": 10, "override_reason": None}
        assert "张阿姨" in story["body"]
    text = json.dumps(document, ensure_ascii=False)
    for private in PRIVATE:
        assert private not in text
    for key in ("real_name", "contact_phone", "contact_email", "tracking_hash"):
        assert key not in text


def test_cli_export_writes_the_documented_file(
    app: Flask, runner: Any, make_story: Any, make_user: Any, tmp_path: Path
) -> None:
    expected = arranged_volume(app, make_story, make_user)
    out = tmp_path / "out" / "stories.json"
    result = runner.invoke(args=["stories", "export", "--volume", "demo-x", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 stories" in result.output
    check_document(json.loads(out.read_text("utf-8")), expected)
    assert [e.details for e in events(app, "volume.export")] == [{"volume": "demo-x", "stories": 3}]
    missing = runner.invoke(args=["stories", "export", "--volume", "nope", "--out", str(out)])
    assert missing.exit_code != 0


def test_export_uses_the_current_anonymised_text(
    app: Flask, runner: Any, make_story: Any, make_user: Any, tmp_path: Path
) -> None:
    expected = arranged_volume(app, make_story, make_user)
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, expected[0])
        assert story is not None
        story.body = story.body.replace("张阿姨", "林阿姨")
        session.add(story)
    out = tmp_path / "stories.json"
    runner.invoke(args=["stories", "export", "--volume", "demo-x", "--out", str(out)])
    first = json.loads(out.read_text("utf-8"))["parts"][0]["stories"][0]
    assert "林阿姨" in first["body"] and "张阿姨" not in first["body"]


def test_download_from_the_volume_page(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    expected = arranged_volume(app, make_story, make_user)
    login(client, make_user(role="publisher", username="pub2"))
    token = token_of(client, "/editor/volumes/demo-x")
    response = client.post("/editor/volumes/demo-x/export", data={"csrf_token": token})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    check_document(json.loads(response.data), expected)
    assert len(events(app, "volume.export")) == 1


def test_editor_cannot_download(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any
) -> None:
    arranged_volume(app, make_story, make_user)
    login(client, make_user(role="editor", username="ed"))
    token = token_of(client, "/editor/queue")
    response = client.post("/editor/volumes/demo-x/export", data={"csrf_token": token})
    assert response.status_code == 403
    assert events(app, "volume.export") == []


def test_demo_volume_round_trips_the_demo_file(app: Flask, runner: Any, tmp_path: Path) -> None:
    """`flask demo load` places the demo stories in the volume `demo` as in the demo file."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    out = tmp_path / "demo.json"
    result = runner.invoke(args=["stories", "export", "--volume", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text("utf-8"))
    source = json.loads((ROOT / "content" / "demo" / "stories.json").read_text("utf-8"))
    assert exported["volume"] == source["volume"]
    assert [p["title"] for p in exported["parts"]] == [p["title"] for p in source["parts"]]
    for mine, theirs in zip(exported["parts"], source["parts"], strict=True):
        pairs = list(zip(mine["stories"], theirs["stories"], strict=True))
        for key in ("title", "body", "pen_name", "service_field", "submitted_at", "accepted_at"):
            assert [a[key] for a, _ in pairs] == [b[key] for _, b in pairs], key
        assert all(a["privacy"]["unresolved_flags"] == 0 for a, _ in pairs)
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # loading again changes nothing
    again = tmp_path / "again.json"
    runner.invoke(args=["stories", "export", "--volume", "demo", "--out", str(again)])
    assert json.loads(again.read_text("utf-8"))["parts"] == exported["parts"]
