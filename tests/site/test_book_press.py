"""The book settings for the press (issue 12): the imprint's people and firms, the paper, the
caliper, the inks, the press condition and the printer's ICC profile, on the settings page,
through a recipe and into the build's source tree."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
from booking import SETTINGS_FORM, current_settings, make_volume, with_app
from editorial import text_of, token_of
from flask import Flask
from flask.testing import FlaskClient

from anthology.sources import load_manuscript
from stories.models import User
from stories.operations.books import recipes, sources

URL = "/editor/volumes/vol-b/book/settings"
CMYK_PROFILE = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")
RGB_PROFILE = Path("/usr/share/color/icc/ghostscript/default_rgb.icc")
PRESS = {
    "responsible_editors": "责编甲\n责编乙", "cover_designers": "设计丙", "proofreaders": "校对丁",
    "address": "北京市东城区示例路1号", "postcode": "100010", "printer": "示例印刷厂",
    "distributor": "示例发行公司", "seller": "全国新华书店", "paper": "850 x 1168",
    "fold": "32", "paper_caliper_mm": "0.09", "inks": "grey", "press_condition": "FOGRA39",
}  # fmt: skip


@pytest.fixture
def publisher(app: Flask, client: FlaskClient, make_user: Any, login: Any, tmp_path: Path) -> User:
    app.config["PROFILES_FOLDER"] = str(tmp_path / "profiles")
    user = make_user(role="publisher", username="publisher_sun")
    login(client, user)
    make_volume(app, user)
    return user


def post(client: FlaskClient, profile: tuple[bytes, str] | None = None, **changes: str) -> Any:
    data: dict[str, Any] = {**SETTINGS_FORM, **PRESS, "csrf_token": token_of(client, URL),
                            "base": "", **changes}  # fmt: skip
    if profile is not None:
        data["profile_file"] = (io.BytesIO(profile[0]), profile[1])
    return client.post(URL, data=data, content_type="multipart/form-data")


def test_the_press_fields_are_saved_and_shown_again(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    assert post(client).status_code == 302
    data = current_settings(app)
    assert data is not None
    assert data["imprint"] == {
        "responsible_editors": ["责编甲", "责编乙"], "cover_designers": ["设计丙"],
        "proofreaders": ["校对丁"], "address": "北京市东城区示例路1号", "postcode": "100010",
        "printer": "示例印刷厂", "distributor": "示例发行公司", "seller": "全国新华书店",
    }  # fmt: skip
    assert data["page"] == {"trim": "大32开", "bleed_mm": 3.0, "paper": "850×1168", "fold": 32,
                            "paper_caliper_mm": 0.09, "inks": "grey",
                            "press_condition": "FOGRA39"}  # fmt: skip
    page = client.get(URL).data.decode()
    for value in ("责编甲\n责编乙", 'value="850×1168"', 'value="0.09"', 'value="FOGRA39"',
                  'selected value="32"', 'selected value="grey"', "示例印刷厂"):  # fmt: skip
        assert value in page, value
    assert post(client).status_code == 302
    assert "没有改动" in text_of(client.get(URL).data) or current_settings(app) == data


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("paper", "787 by 1092", "787×1092"),
        ("fold", "7", "开数"),
        ("paper_caliper_mm", "5", "0.02"),
        ("postcode", "北京", "邮编"),
        ("press_condition", "<b>FOGRA</b>", "FOGRA39"),
    ],
)
def test_a_wrong_press_value_is_shown_at_its_field_and_nothing_is_saved(
    app: Flask, client: FlaskClient, publisher: User, field: str, value: str, words: str
) -> None:
    response = post(client, **{field: value})
    assert response.status_code == 400
    said = text_of(response.data)
    assert words in said and "示例印刷厂" in response.data.decode()  # the form keeps its values
    assert current_settings(app) is None


def test_the_printers_profile_is_kept_and_written_into_the_build_sources(
    app: Flask, client: FlaskClient, publisher: User, tmp_path: Path
) -> None:
    assert post(client, profile=(CMYK_PROFILE.read_bytes(), "printer.icc")).status_code == 302
    data = current_settings(app)
    assert data is not None
    name = data["page"]["icc_profile"]
    kept = tmp_path / "profiles" / name
    assert kept.read_bytes() == CMYK_PROFILE.read_bytes()
    assert name in client.get(URL).data.decode()
    folder = tmp_path / "build"
    written = with_app(app, "vol-b", lambda s, v: sources.write_sources(
        s, v, folder, tmp_path / "profiles"))  # fmt: skip
    recipe = tomllib.loads(written.recipe.read_text("utf-8"))
    assert recipe["page"]["icc_profile"] == name
    assert recipe["imprint"]["printer"] == "示例印刷厂"
    meta = load_manuscript(written.recipe).meta  # the builder takes it as written
    assert Path(meta.icc_profile).read_bytes() == CMYK_PROFILE.read_bytes()
    assert meta.press_condition == "FOGRA39" and meta.inks == "grey"
    assert meta.paper is not None and meta.paper.label == "850 mm×1168 mm 1/32"
    assert meta.imprint.responsible_editors == ("责编甲", "责编乙")
    assert meta.caliper_mm == 0.09
    # Removing it goes back to the default profile.
    assert post(client, remove_profile="y", icc_profile=name).status_code == 302
    assert "icc_profile" not in (current_settings(app) or {})["page"]


def test_a_profile_that_is_not_cmyk_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, publisher: User, tmp_path: Path
) -> None:
    response = post(client, profile=(RGB_PROFILE.read_bytes(), "screen.icc"))
    assert response.status_code == 400
    said = text_of(response.data)
    assert "screen.icc" in said and "RGB" in said
    assert current_settings(app) is None
    assert not list((tmp_path / "profiles").glob("*"))


def test_a_missing_profile_stops_the_sources_with_a_clear_message(
    app: Flask, client: FlaskClient, publisher: User, tmp_path: Path
) -> None:
    assert post(client, profile=(CMYK_PROFILE.read_bytes(), "printer.icc")).status_code == 302
    for kept in (tmp_path / "profiles").glob("*.icc"):
        kept.unlink()
    with pytest.raises(sources.press.ProfileRefused, match="missing"):
        with_app(app, "vol-b", lambda s, v: sources.write_sources(
            s, v, tmp_path / "build", tmp_path / "profiles"))  # fmt: skip


def test_the_press_fields_go_through_a_recipe_and_back(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    assert post(client).status_code == 302
    before = current_settings(app)
    text = with_app(app, "vol-b", lambda s, v: recipes.recipe_text(s, v))
    assert "[imprint]" in text and 'paper = "850×1168"' in text
    with_app(app, "vol-b", lambda s, v: recipes.import_upload(s, None, v, text.encode()))
    assert current_settings(app) == before
