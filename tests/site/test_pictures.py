"""Pictures as stored, private-safe attachments (issue 16): the Word import and the form keep
them without metadata, by content hash; the text holds a reference; editors review them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import photos
import pytest
import submitting as s
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from stories import db
from stories.models import PictureReview, PrivacyFlag, Story, StoryPicture


def _send_with_docx(client: FlaskClient, docx: bytes, **picture_fields: str) -> Any:
    data = {**s.open_form(client), **s.fields(body="")}
    data["docx"] = (__import__("io").BytesIO(docx), "故事.docx")
    page = client.post("/submit/preview", data=data, content_type="multipart/form-data")
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    text = page.get_data(as_text=True)
    carried = s.carried(text)
    ref = re.search(r'name="picture-description-([0-9a-f]{64})"', text)
    assert ref, "the preview asks for the picture's description"
    for key, value in picture_fields.items():
        carried[f"picture-{key}-{ref.group(1)}"] = value
    carried.update(consent_licence="y", consent_people="y")
    sent = client.post("/submit/send", data=carried)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:3000]
    return ref.group(1), text


def test_a_word_file_with_a_phone_photo_keeps_no_metadata_and_no_base64(
    app: Flask, client: FlaskClient
) -> None:
    photo = photos.phone_photo()
    assert "gps" in photos.has_metadata(photo)
    docx = s.docx_file(image=photo, alt="活动室")
    ref, preview = _send_with_docx(
        client, docx, description="孩子们在活动室做手工", caption="社区活动室，2026年"
    )
    assert "孩子们" not in preview  # the description is typed on the preview page
    stored = Path(app.config["PICTURES_FOLDER"]) / ref[:2] / f"{ref}.jpg"
    assert stored.is_file()
    assert photos.has_metadata(stored.read_bytes()) == []
    import hashlib

    assert hashlib.sha256(stored.read_bytes()).hexdigest() == ref
    [story] = s.stories(app)
    assert "base64" not in story.body and "data:" not in story.body
    assert f'![孩子们在活动室做手工](picture:{ref} "社区活动室，2026年")' in story.body
    with app.app_context(), db.session_scope() as session:
        flags = session.exec(select(PrivacyFlag).where(PrivacyFlag.story_id == story.id)).all()
        assert not [f for f in flags if ref[:6] in f.text or "picture" in f.text]
        rows = session.exec(select(StoryPicture)).all()
        assert [(r.ref, r.review) for r in rows] == [(ref, PictureReview.to_review)]
        assert (rows[0].width, rows[0].height) == (1200, 900)


def test_pictures_added_on_the_form_and_the_limits(app: Flask, client: FlaskClient) -> None:
    import io

    data = {**s.open_form(client), **s.fields()}
    data["pictures"] = [
        (io.BytesIO(photos.phone_photo(600, 400, orientation=6)), "IMG_0001.JPG"),
        (io.BytesIO(b"not a picture at all"), "notes.jpg"),
    ]
    page = client.post("/submit/preview", data=data, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "notes.jpg" in text  # the bad file is named in the error; the good one is kept
    hidden = re.findall(r'<input id="[^"]*" name="([^"]+)" type="hidden" value="([^"]*)">', text)
    carried = {**s.fields(), **s.carried(text), **dict(hidden)}  # as a browser sends the form
    again = client.post("/submit/preview", data=carried, content_type="multipart/form-data")
    assert again.status_code == 200, again.get_data(as_text=True)[:2000]
    refs = set(
        re.findall(r'name="picture-description-([0-9a-f]{64})"', again.get_data(as_text=True))
    )
    assert len(refs) == 1
    ref = refs.pop()
    stored = next(Path(app.config["PICTURES_FOLDER"]).glob(f"*/{ref}.*"))
    from PIL import Image

    with Image.open(stored) as image:
        assert image.size == (400, 600)  # EXIF orientation 6 applied, then dropped
    assert photos.has_metadata(stored.read_bytes()) == []
    # The signed picture address shows it; a bare or forged address does not.
    address = re.search(r'src="(/pictures/[^"]+/thumb)"', again.get_data(as_text=True))
    assert address and client.get(address.group(1)).status_code == 200
    assert client.get(f"/pictures/{ref}").status_code == 404


def test_editor_reviews_a_picture_and_acceptance_waits_for_it(
    app: Flask, client: FlaskClient, make_user: Any, login: Any
) -> None:
    ref, _page = _send_with_docx(client, s.docx_file(image=photos.phone_photo(), alt="卡片"))
    [story] = s.stories(app)
    editor = make_user("editor")
    login(client, editor)
    page = client.get(f"/editor/stories/{story.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 picture to review" in text or "1 张图片待审核" in text
    token = s.csrf(text)
    client.post(f"/editor/stories/{story.id}/decision",
                data={"csrf_token": token, "action": "start_review"})  # fmt: skip
    refused = client.post(
        f"/editor/stories/{story.id}/decision",
        data={"csrf_token": token, "action": "accept", "confirmed": "yes"},
        follow_redirects=True,
    )
    with app.app_context(), db.session_scope() as session:
        assert session.get(Story, story.id).status.value == "in_review"
    assert "picture" in refused.get_data(as_text=True) or "图片" in refused.get_data(as_text=True)
    reviewed = client.post(
        f"/editor/stories/{story.id}/pictures/{ref}/review",
        data={"csrf_token": token, "review": "blurred", "blur": "0, 0, 25, 25"},
    )
    assert reviewed.status_code == 302
    with app.app_context(), db.session_scope() as session:
        row = session.exec(select(StoryPicture)).one()
        assert row.review is PictureReview.blurred and row.blur == "0.0000,0.0000,0.2500,0.2500"
        assert row.reviewed_by_id == editor.id
    published = client.get(f"/editor/stories/{story.id}/pictures/{ref}/published")
    assert (
        published.status_code == 200
        and published.data
        != Path(next(Path(app.config["PICTURES_FOLDER"]).glob(f"*/{ref}.*"))).read_bytes()
    )
    described = client.post(
        f"/editor/stories/{story.id}/pictures/{ref}/text",
        data={"csrf_token": token, "version": str(story.version), "description": "一张贺卡",
              "caption": "孩子们做的贺卡"},
    )  # fmt: skip
    assert described.status_code == 302
    client.post(f"/editor/stories/{story.id}/decision",
                data={"csrf_token": token, "action": "accept", "confirmed": "yes"})  # fmt: skip
    with app.app_context(), db.session_scope() as session:
        current = session.get(Story, story.id)
        assert current.status.value == "accepted"
        assert f'![一张贺卡](picture:{ref} "孩子们做的贺卡")' in current.body


def test_a_region_is_blurred_and_the_rest_kept() -> None:
    import io

    from PIL import Image, ImageChops, ImageStat

    from stories.pictures import images

    kept = images.normalise(photos.phone_photo(800, 600))
    out = Image.open(io.BytesIO(images.blurred(kept.data, (0.5, 0.0, 0.5, 1.0))))
    original = Image.open(io.BytesIO(kept.data))

    def edges(image: Image.Image, box: tuple[int, int, int, int]) -> float:
        grey = image.crop(box).convert("L")
        return ImageStat.Stat(ImageChops.difference(grey, ImageChops.offset(grey, 1, 0))).mean[0]

    left, right = (0, 0, 390, 600), (410, 0, 800, 600)
    assert edges(out, left) == pytest.approx(edges(original, left), rel=0.1)
    assert edges(original, right) > 5 and edges(out, right) < 1.5
    assert photos.has_metadata(images.blurred(kept.data, None)) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"GIF89a not really", "not_a_picture"),
        (b"\x00" * 100, "not_a_picture"),
    ],
)
def test_files_that_are_no_pictures_are_refused(payload: bytes, reason: str) -> None:
    from stories.pictures import PictureError, images

    with pytest.raises(PictureError) as refused:
        images.normalise(payload)
    assert refused.value.reason == reason


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    import io

    from PIL import Image

    from stories.pictures import PictureError, images

    out = io.BytesIO()
    Image.new("1", (12_001, 100)).save(out, "PNG")  # tiny file, too many pixels on one side
    with pytest.raises(PictureError) as refused:
        images.normalise(out.getvalue())
    assert refused.value.reason == "too_many_pixels"


def test_the_privacy_detector_reads_no_personal_data_in_a_reference() -> None:
    from anthology.text import pictures as references
    from anthology.text.privacy import detect_markdown

    # A hash whose digits look like a mobile number, a QQ number and a bank card.
    ref = "13800138000" + "6222021234567890123" + "a" * 34
    body = f"张阿姨的卡片。\n\n{references.reference(ref, '卡片', '手工卡片')}\n\n结束。\n"
    found = detect_markdown(body)
    assert [f for f in found if f.start >= body.index("![")] == []
    # The description and caption are text: personal data there is still found.
    body = references.reference(ref, "王小明的电话13912345678", "")
    assert {f.kind for f in detect_markdown(body)} == {"person_name", "phone"}


def test_a_heic_photo_from_a_phone_is_kept_as_a_jpeg_without_metadata() -> None:
    import io

    from PIL import Image

    from stories.pictures import images  # registers the HEIC reader and writer

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[photos.GPS_IFD] = {1: "N", 2: (30.0, 15.0, 30.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "HEIF", quality=80, exif=exif.tobytes())
    assert b"PhoneMaker" in out.getvalue()
    kept = images.normalise(out.getvalue())
    assert (kept.kind, kept.width, kept.height) == ("jpeg", 64, 48)
    assert photos.has_metadata(kept.data) == []


def _accepted_story_with_pictures(app: Flask, make_story: Any, reviews: list[str]) -> Any:
    from anthology.text import pictures as references
    from stories import demo, pictures
    from stories.operations import pictures as operations

    with app.app_context():
        refs = [pictures.store().add(photos.phone_photo(300 + 10 * i, 200))[0]
                for i in range(len(reviews))]  # fmt: skip
    body = "\n\n".join(["社工的故事正文。" * 30, *(references.reference(r, f"图{i}") for i, r in
                        enumerate(refs))])  # fmt: skip
    made = make_story(status="accepted", body=body)
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, made.id)
        editor = demo.demo_editor(session)
        for ref, kind in zip(refs, reviews, strict=True):
            if kind != "to_review":
                operations.review(session, editor, story, ref, PictureReview(kind))
    return made, refs


def test_the_export_writes_the_published_pictures_next_to_the_json(
    app: Flask, client: FlaskClient, make_story: Any, make_user: Any, login: Any, tmp_path: Path
) -> None:
    import json
    import zipfile

    from booking import make_volume

    from stories.operations import volumes

    made, refs = _accepted_story_with_pictures(app, make_story, ["fine", "blurred", "left_out"])
    publisher = make_user("publisher")
    make_volume(app, publisher, slug="vol-p")
    with app.app_context(), db.session_scope() as session:
        volumes.assign(session, session.get(type(publisher), publisher.id),
                       volumes.get(session, "vol-p"), made.id)  # fmt: skip
    out = tmp_path / "export" / "stories.json"
    result = app.test_cli_runner().invoke(args=["stories", "export", "--volume", "vol-p",
                                                "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 pictures" in result.output
    document = json.loads(out.read_text("utf-8"))
    [story] = document["parts"][0]["stories"]
    assert [p["review"] for p in story["pictures"]] == ["fine", "blurred", "left_out"]
    assert "file" not in story["pictures"][2]
    fine = (out.parent / story["pictures"][0]["file"]).read_bytes()
    blurred = (out.parent / story["pictures"][1]["file"]).read_bytes()
    stored = Path(app.config["PICTURES_FOLDER"])
    assert fine == next(stored.glob(f"*/{refs[0]}.jpg")).read_bytes()
    assert blurred != next(stored.glob(f"*/{refs[1]}.jpg")).read_bytes()  # never the original
    assert not list(out.parent.glob(f"pictures/{refs[2]}*"))
    # The volume page's download: a zip with the JSON and the two files.
    login(client, publisher)
    page = client.get("/editor/volumes/vol-p")
    download = client.post("/editor/volumes/vol-p/export",
                           data={"csrf_token": s.csrf(page.data), "confirm": "y"})  # fmt: skip
    assert download.status_code == 200, download.get_data(as_text=True)[:500]
    assert download.mimetype == "application/zip"
    with zipfile.ZipFile(__import__("io").BytesIO(download.data)) as bundle:
        names = sorted(bundle.namelist())
        assert names == sorted(["stories.json", *(p["file"] for p in story["pictures"][:2])])
        assert "base64" not in bundle.read("stories.json").decode()


def test_the_readiness_check_and_the_builder_gate_name_a_picture_to_review(
    app: Flask, make_story: Any, make_user: Any, tmp_path: Path
) -> None:
    import json

    from booking import make_volume

    from anthology.errors import GateError
    from anthology.sources.gate import check_gate, refusals
    from anthology.sources.manuscript import Source
    from anthology.sources.stories import parse_stories
    from stories.operations import export, volumes
    from stories.operations.books import readiness

    made, refs = _accepted_story_with_pictures(app, make_story, ["fine", "to_review"])
    publisher = make_user("publisher")
    make_volume(app, publisher, slug="vol-r")
    with app.app_context(), db.session_scope() as session:
        volume = volumes.get(session, "vol-r")
        volumes.assign(session, session.get(type(publisher), publisher.id), volume, made.id)
        found = readiness.check(session, volume)
        assert any("1 picture(s) still to review" in str(item.message) or "1 张图片" in
                   str(item.message) for item in found.blocking), found.blocking  # fmt: skip
        document = export.volume_document(session, None, volume)
    out = tmp_path / "stories.json"
    export.write(document, out)
    parts = parse_stories(json.loads(out.read_text("utf-8")), Source(str(out)), base=tmp_path)
    [chapter] = parts[0].chapters
    assert refusals(chapter) == ["1 picture(s) not reviewed for privacy"]
    with pytest.raises(GateError):
        check_gate(type("M", (), {"stories": lambda self: [chapter]})())


def test_the_builder_reads_no_picture_outside_the_stories_folder(tmp_path: Path) -> None:
    from anthology.errors import ContentError
    from anthology.sources.manuscript import Source
    from anthology.sources.stories import parse_stories

    secret = tmp_path / "secret.jpg"
    secret.write_bytes(photos.phone_photo(20, 20))
    folder = tmp_path / "tree"
    folder.mkdir()

    def document(file: str) -> dict[str, Any]:
        story = {"id": 1, "title": "t", "body": "正文", "pen_name": "p",
                 "pictures": [{"ref": "a" * 64, "review": "fine", "file": file}]}  # fmt: skip
        return {"format": "social-work-stories", "version": 1,
                "parts": [{"title": "", "stories": [story]}]}  # fmt: skip

    for file in ("../secret.jpg", str(secret)):
        with pytest.raises(ContentError, match="outside the stories file's folder"):
            parse_stories(document(file), Source("stories.json"), base=folder)
    with pytest.raises(ContentError, match="not found"):
        parse_stories(document("pictures/missing.jpg"), Source("stories.json"), base=folder)


def test_a_proof_gets_the_reviewed_pictures_only(
    app: Flask, make_story: Any, make_user: Any, tmp_path: Path
) -> None:
    """A story proof skips the publication gate: a picture still to review is simply not in it."""
    import json

    from stories.operations import volumes
    from stories.operations.books import proofs

    made, refs = _accepted_story_with_pictures(app, make_story, ["fine", "to_review"])
    from booking import make_volume

    make_volume(app, make_user("publisher"), slug="vol-q")
    with app.app_context(), db.session_scope() as session:
        story = session.get(Story, made.id)
        requested = proofs.request_proof(session, None, story, volumes.get(session, "vol-q"))
        written = proofs.write_proof_sources(session, requested.build, tmp_path / "tree")
    document = json.loads((written.recipe.parent.parent / "stories.json").read_text("utf-8"))
    [entry] = document["parts"][0]["stories"]
    assert [p.get("file") for p in entry["pictures"]] == [f"pictures/{refs[0]}.jpg", None]
    assert [p.name for p in (tmp_path / "tree" / "pictures").iterdir()] == [f"{refs[0]}.jpg"]
