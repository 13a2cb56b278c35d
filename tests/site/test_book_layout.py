"""The page make-up on the book settings page (issue 13): where stories, parts and history
chapters begin (另页起 / 右页起 / 接排) and how footnotes are numbered, saved as settings, written
into the build's recipe and carried through a recipe's export and import."""

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
from anthology.sources.manuscript import Openings
from stories.models import User
from stories.operations.books import sources

BOOK = "/editor/volumes/vol-b/book"
URL = BOOK + "/settings"
CHOSEN = {"story_start": "same", "part_start": "page", "history_start": "page",
          "footnote_numbering": "chapter"}  # fmt: skip


@pytest.fixture
def publisher(app: Flask, client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="publisher", username="publisher_zhou")
    login(client, user)
    make_volume(app, user)
    return user


def post(client: FlaskClient, **changes: str) -> Any:
    data = {**SETTINGS_FORM, "csrf_token": token_of(client, URL), "base": "", **changes}
    return client.post(URL, data=data)


def test_the_page_make_up_is_offered_with_the_defaults_in_chinese(
    client: FlaskClient, publisher: User
) -> None:
    page = client.get(URL).data.decode()
    said = text_of(page.encode())
    for words in ("另页起", "右页起", "接排", "脚注编号", "每页"):
        assert words in said, words
    assert 'name="story_start"' in page and 'name="footnote_numbering"' in page
    # The builder's defaults are the ones selected: stories on the next page, parts and
    # history chapters on a right-hand page, notes from ① on every page.
    for name, value in (("story_start", "page"), ("part_start", "right"),
                        ("history_start", "right"), ("footnote_numbering", "page")):  # fmt: skip
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert f'selected value="{value}"' in select, (name, select)
    # A part cannot continue on the same page as what precedes it.
    part = page.split('name="part_start"', 1)[1].split("</select>", 1)[0]
    assert 'value="same"' not in part


def test_a_saved_choice_reaches_the_builds_recipe(
    app: Flask, client: FlaskClient, publisher: User, tmp_path: Path
) -> None:
    assert post(client).status_code == 302  # the defaults are not written down
    assert not set(CHOSEN) & set((current_settings(app) or {})["page"])
    assert post(client, **CHOSEN).status_code == 302
    data = current_settings(app)
    assert data is not None
    assert {key: data["page"][key] for key in CHOSEN} == CHOSEN
    page = client.get(URL).data.decode()
    for name, value in CHOSEN.items():
        select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert f'selected value="{value}"' in select, name
    history = client.get(URL).data.decode().split('id="history"', 1)[1]
    assert "故事起始" in text_of(history.encode())  # what changed, in words
    # The build's source tree: its recipe says so, and the builder reads it.
    written = with_app(app, "vol-b", lambda s, v: sources.write_sources(
        s, v, tmp_path / "build", tmp_path / "profiles"))  # fmt: skip
    recipe = tomllib.loads(written.recipe.read_text("utf-8"))
    assert {key: recipe["page"][key] for key in CHOSEN} == CHOSEN
    meta = load_manuscript(written.recipe).meta
    assert meta.openings == Openings(story="same", part="page", history="page")
    assert meta.footnote_numbering == "chapter"


@pytest.mark.parametrize(
    ("field", "value"),
    [("story_start", "left"), ("part_start", "same"), ("footnote_numbering", "book")],
)
def test_a_value_not_offered_is_refused_at_its_field(
    app: Flask, client: FlaskClient, publisher: User, field: str, value: str
) -> None:
    response = post(client, **{field: value})
    assert response.status_code == 400
    assert "请从给出的选项中选择" in text_of(response.data)
    assert current_settings(app) is None


def test_the_choices_go_through_an_exported_recipe_and_back(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    assert post(client, **CHOSEN).status_code == 302
    saved = current_settings(app)
    response = client.post(BOOK + "/recipe", data={"csrf_token": token_of(client, BOOK)})
    assert response.status_code == 200
    recipe = response.data.decode()
    assert 'story_start = "same"' in recipe and 'footnote_numbering = "chapter"' in recipe
    # Import it into a volume of its own through the book page: the same settings.
    make_volume(app, publisher, "vol-c", "另一卷")
    other = "/editor/volumes/vol-c/book"
    data = {"csrf_token": token_of(client, other),
            "recipe": (io.BytesIO(recipe.encode()), "book.toml")}  # fmt: skip
    page = client.post(other + "/recipe/import", data=data, content_type="multipart/form-data",
                       follow_redirects=True)  # fmt: skip
    assert page.status_code == 200
    assert current_settings(app, "vol-c") == saved
    # A recipe with a value the builder does not know is refused, naming its line.
    wrong = recipe.replace('story_start = "same"', 'story_start = "left"')
    data = {"csrf_token": token_of(client, other),
            "recipe": (io.BytesIO(wrong.encode()), "book.toml")}  # fmt: skip
    refused = client.post(other + "/recipe/import", data=data, content_type="multipart/form-data",
                          follow_redirects=True)  # fmt: skip
    assert "故事起始" in text_of(refused.data)
    assert current_settings(app, "vol-c") == saved
