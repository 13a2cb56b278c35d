"""`write_sources`: the book as an offline source tree that anthology builds unchanged, and
`build.py --from-db` building a volume from the database's settings and chapters."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from book.pdfcheck import page_texts
from booking import with_app
from flask import Flask

from anthology import build, resources
from stories import demo
from stories.cli import book as book_cli
from stories.operations.books import sources

CONTENT = resources.CONTENT
ARGS = ["--format", "print", "--chunk-pages", "0", "--no-cache", "-q"]


@pytest.fixture
def demo_db(app: Flask) -> Flask:
    with app.app_context():
        demo.load()
    return app


def test_write_sources_writes_the_recipe_chapters_and_stories(
    demo_db: Flask, tmp_path: Path
) -> None:
    written = with_app(demo_db, "demo", lambda s, v: sources.write_sources(s, v, tmp_path))
    assert written.recipe == tmp_path / "volumes" / "demo.toml"
    recipe = tomllib.loads(written.recipe.read_text("utf-8"))
    assert recipe["structure"]["front"] == ["front/preface.md"]
    assert recipe["structure"]["back"] == ["contributors", "back/afterword.md"]
    assert recipe["stories"] == "../stories.json" and recipe["title"] == "一线之光"
    preface = (tmp_path / "front" / "preface.md").read_text("utf-8")
    assert preface.startswith("---\ntitle: 序言\norder: 1\nauthor: 示例编委会\n---\n")
    history = (tmp_path / "history" / "01-beginnings.md").read_text("utf-8")
    assert "subtitle: 社会工作百年简史（示例章节）" in history
    stories = json.loads((tmp_path / "stories.json").read_text("utf-8"))
    assert stories["format"] == "social-work-stories" and len(stories["parts"]) >= 3
    inputs = written.inputs
    assert set(inputs) == {"settings_revision", "chapters", "stories", "software"}
    assert inputs["settings_revision"] == 1 and inputs["software"] == "0.1.0"
    assert [c["title"] for c in inputs["chapters"]] == ["序言", "从济贫到助人自助", "后记"]
    assert all(set(c) == {"id", "title", "revision"} for c in inputs["chapters"])
    assert len(inputs["stories"]) == 11
    assert all(set(s) == {"id", "revision"} for s in inputs["stories"])


@pytest.mark.slow
@pytest.mark.one_database
def test_the_database_book_prints_the_same_text_as_the_content_build(
    demo_db: Flask, tmp_path: Path, capsys: Any
) -> None:
    written = with_app(demo_db, "demo", lambda s, v: sources.write_sources(s, v, tmp_path / "src"))
    ours, theirs = tmp_path / "db", tmp_path / "content"
    assert build.main([str(written.recipe), "--out", str(ours), *ARGS]) == 0
    recipe = CONTENT / "volumes" / "demo.toml"
    stories = CONTENT / "demo" / "stories.json"
    argv = [str(recipe), "--stories", str(stories), "--out", str(theirs), *ARGS]
    assert build.main(argv) == 0, capsys.readouterr().err
    db_pages = page_texts(ours / "demo-print.pdf")
    content_pages = page_texts(theirs / "demo-print.pdf")
    assert len(db_pages) == len(content_pages) > 30
    assert db_pages == content_pages  # page by page, the same text

    # build.py --from-db builds the database's settings and chapters (here: a new title)
    def retitle(session: Any, volume: Any) -> None:
        from stories.operations.books import settings

        data = settings.current_data(session, volume)
        settings.save(session, None, volume, {**data, "title": "库里的书名"})

    with_app(demo_db, "demo", retitle)
    out = tmp_path / "from-db"
    url = demo_db.config["DATABASE_URL"]
    assert book_cli.main(["demo", "--from-db", url, "--out", str(out), *ARGS]) == 0
    text = "".join(page_texts(out / "demo-print.pdf"))
    assert "库里的书名" in text
    assert text.count("一线之光") == 1  # only inside the CIP block, printed as supplied
    assert "后记" in text and "序言" in text


def test_from_db_without_book_settings_keeps_the_recipe_of_the_file(
    app: Flask, make_story: Any, make_user: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A volume without settings in the database: only its stories come from there."""
    called: list[str] = []

    def fake_run(args: Any, db_loader: Any = None) -> int:
        called.append(args.recipe)
        assert args.from_db is not None
        assert db_loader.__qualname__ == "stories_from_db.<locals>.load"
        return 0

    monkeypatch.setattr(book_cli, "run", fake_run)
    from booking import make_volume

    make_volume(app, make_user(role="publisher"), slug="plain")
    recipe = tmp_path / "plain.toml"
    recipe.write_text('title = "x"\n', "utf-8")
    assert book_cli.main([str(recipe), "--from-db", app.config["DATABASE_URL"]]) == 0
    assert called == [str(recipe)]
