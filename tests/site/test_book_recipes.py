"""Recipes in and out of the website: the same schema as content/volumes/*.toml, read by
anthology's own reader, errors named by their line in plain words, nothing changed on error."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any

import pytest
from booking import SETTINGS_FORM, current_settings, make_volume, with_app
from editorial import events, rows, text_of, token_of
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from anthology import resources
from anthology.sources.recipe import read_recipe, volume_meta
from stories.models import BookChapter, ChapterRevision, User
from stories.operations.books import contents, recipes

BOOK = "/editor/volumes/vol-b/book"
DEMO = resources.CONTENT / "volumes" / "demo.toml"


@pytest.fixture
def publisher(app: Flask, client: FlaskClient, make_user: Any, login: Any) -> User:
    user = make_user(role="publisher", username="publisher_li")
    login(client, user)
    make_volume(app, user)
    return user


def upload(client: FlaskClient, recipe: bytes, **files: bytes) -> Any:
    data: dict[str, Any] = {"csrf_token": token_of(client, BOOK),
                            "recipe": (io.BytesIO(recipe), "book.toml")}  # fmt: skip
    if files:
        data["chapters"] = [(io.BytesIO(body), name) for name, body in files.items()]
    return client.post(BOOK + "/recipe/import", data=data, content_type="multipart/form-data",
                       follow_redirects=True)  # fmt: skip


def download(client: FlaskClient) -> str:
    response = client.post(BOOK + "/recipe", data={"csrf_token": token_of(client, BOOK)})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=vol-b.toml"
    return response.data.decode()


def chapter_files() -> dict[str, bytes]:
    content = resources.CONTENT
    names = ("front/preface.md", "history/01-beginnings.md", "back/afterword.md")
    return {Path(name).name: (content / name).read_bytes() for name in names}


def test_export_then_import_gives_the_same_settings(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    token = token_of(client, BOOK + "/settings")
    form = {**SETTINGS_FORM, "trim": "custom", "width_mm": "170", "height_mm": "240",
            "stories": "before", "csrf_token": token, "base": "0"}  # fmt: skip
    assert client.post(BOOK + "/settings", data=form).status_code == 302
    saved = current_settings(app)
    recipe = download(client)
    data = tomllib.loads(recipe)  # the recipe schema, read by anthology's reader too
    assert data["title"] == "一线之光" and data["page"]["trim"] == "custom"
    assert data["cip"] == SETTINGS_FORM["cip"]  # printed as supplied, lines kept
    assert events(app, "book.recipe_export")

    make_volume(app, publisher, "vol-c", "另一卷")
    with_app(app, "vol-c", lambda s, v: recipes.import_upload(
        s, s.get(User, publisher.id), v, recipe.encode()))  # fmt: skip
    assert current_settings(app, "vol-c") == saved

    path = Path(app.instance_path) / "volumes" / "vol-b.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(recipe, "utf-8")
    meta = volume_meta(*read_recipe(path), path)
    assert (meta.title, meta.trim.width_mm, meta.isbn_is_demo) == ("一线之光", 170.0, True)


def test_a_recipe_with_its_chapter_files_fills_the_book_and_round_trips(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    page = upload(client, DEMO.read_bytes(), **chapter_files(), **{"notes.txt": b"x"})
    said = text_of(page.data)
    assert "第 1 版" in said and "新增 3 章" in said and "notes.txt" in said
    book = with_app(app, "vol-b", contents.structure)
    assert [c.title for c in book.front] == ["序言"]
    assert [(p.title, [c.name for c in p.chapters]) for p in book.history] == [
        ("百年回望", ["01-beginnings"])
    ]
    assert [c.name for c in book.back] == ["afterword"] and book.contributors
    assert book.stories == "after"
    assert current_settings(app)["isbn"] == "978-7-5123-4567-6"  # type: ignore[index]
    exported = tomllib.loads(download(client))
    demo = tomllib.loads(DEMO.read_text("utf-8"))
    assert exported["structure"]["front"] == demo["structure"]["front"]
    assert exported["structure"]["back"] == demo["structure"]["back"]
    assert exported["structure"]["body"] == [
        {"part": "百年回望", "chapters": ["history/01-beginnings.md"]},
        {"stories": "all"},
    ]
    for key in ("title", "isbn", "cip", "editors", "page", "fonts", "year", "isbn_demo"):
        given = demo[key].strip() if key == "cip" else demo[key]  # printed stripped either way
        assert exported[key] == given, key

    again = upload(client, DEMO.read_bytes(), **chapter_files())
    assert "设置与原来相同" in text_of(again.data)  # nothing new: no revision
    assert len(rows(app, select(ChapterRevision))) == 3


def test_a_recipe_without_its_chapter_files_changes_only_the_settings(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    upload(client, DEMO.read_bytes(), **chapter_files())
    trimmed = DEMO.read_text("utf-8").replace('"back/afterword.md"', "")
    page = upload(client, trimmed.replace("一线之光", "二线之光", 1).encode())
    assert "章节保持不变" in text_of(page.data)
    assert current_settings(app)["title"] == "二线之光"  # type: ignore[index]
    assert len(rows(app, select(BookChapter))) == 3  # the afterword stays


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("978-7-5123-4567-6", "978-7-5123-4567-5"), ["第 9 行", "校验位"]),
        (('trim = "16开"', 'trim = "24开"'), ["第 35 行", "开本"]),
        (("year = 2026", "year = 二〇二六"), ["第 11 行", "无法读取这一行"]),
        (("year = 2026", 'year = "明年"'), ["第 11 行", "年份"]),
        (('title = "一线之光"', "title = 7"), ["第 4 行", "书名"]),
        (("bleed_mm = 3", 'bleed_mm = "three"'), ["第 36 行", "出血"]),
        (('"front/preface.md"', '"front/missing.md"'), ["missing.md", "一并上传"]),
        (('"front/preface.md"', '"../../etc/passwd"'), ["不能用作章节文件名"]),
        (("[page]", "page = 3\n[pages]"), ["设置"]),
    ],
)
def test_a_recipe_with_an_error_names_the_line_and_changes_nothing(
    app: Flask, client: FlaskClient, publisher: User, change: tuple[str, str], expected: list[str]
) -> None:
    text_ = DEMO.read_text("utf-8")
    assert change[0] in text_
    page = upload(client, text_.replace(change[0], change[1], 1).encode(), **chapter_files())
    said = text_of(page.data)
    assert "配方没有导入" in said
    for words in expected:
        assert words in said, (words, said[said.find("配方没有导入") - 200 :][:600])
    assert "/tmp" not in said and "Traceback" not in said  # no folder of the server
    assert current_settings(app) is None and rows(app, select(BookChapter)) == []


def test_a_chapter_file_with_bad_front_matter_is_named_with_its_line(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    files = chapter_files()
    files["preface.md"] = files["preface.md"].replace(b"order: 1", b"order: first")
    said = text_of(upload(client, DEMO.read_bytes(), **files).data)
    assert "front/preface.md" in said and "第 4 行" in said and "整数" in said
    assert current_settings(app) is None


def test_import_needs_a_file_and_a_publisher(
    app: Flask, client: FlaskClient, make_user: Any, login: Any, publisher: User
) -> None:
    token = token_of(client, BOOK)
    page = client.post(BOOK + "/recipe/import", data={"csrf_token": token}, follow_redirects=True)
    assert "请选择要导入的配方文件" in text_of(page.data)
    client.post("/logout", data={"csrf_token": token})
    login(client, make_user(role="editor"))
    token = token_of(client, "/editor/queue")
    refused = client.post(BOOK + "/recipe/import", data={"csrf_token": token,
                          "recipe": (io.BytesIO(DEMO.read_bytes()), "x.toml")})  # fmt: skip
    assert refused.status_code == 403 and current_settings(app) is None


def test_a_chapter_the_website_would_refuse_is_named_before_anything_changes(
    app: Flask, client: FlaskClient, publisher: User
) -> None:
    files = chapter_files()
    files["afterword.md"] = "---\ntitle: 后记\n---\n\n".encode()  # no text
    said = text_of(upload(client, DEMO.read_bytes(), **files).data)
    assert "配方没有导入" in said and "back/afterword.md" in said and "还没有正文" in said
    assert current_settings(app) is None and rows(app, select(BookChapter)) == []
