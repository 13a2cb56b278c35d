"""build.py --from-db: the volume's accepted stories read from the database, then built offline.

The rest of the command line's tests are in tests/book/test_build_cli.py (no database there).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from book import DATA as BOOK  # the small volume of the book tests

from anthology import build


@pytest.fixture
def book(tmp_path: Path) -> Path:
    shutil.copytree(BOOK, tmp_path / "book")
    return tmp_path / "book" / "volumes" / "small.toml"


@pytest.mark.slow
def test_from_db_builds_the_volumes_accepted_stories(
    app, make_story, make_user, book, tmp_path, capsys
):
    """--from-db reads the same data as `flask stories export`, then renders offline."""
    from book.pdfcheck import flat, page_texts

    from anthology.text.markdown import plain_to_markdown
    from stories import db
    from stories.models import User
    from stories.operations import volumes
    from stories.operations.export import volume_stories

    ids = [
        make_story(
            status="accepted", title=f"库中故事{i}", body=plain_to_markdown(f"第{i}个故事。" * 30)
        ).id
        for i in (1, 2, 3)
    ]
    make_story(status="submitted", title="未录用的稿子")
    publisher = make_user(role="publisher")
    with app.app_context(), db.session_scope() as session:
        actor = session.get(User, publisher.id)
        volume = volumes.create_volume(session, actor, "demo-x", "演示卷", "")
        for story_id in reversed(ids):
            volumes.assign(session, actor, volume, story_id)
    recipe = book.with_name("demo-x.toml")
    recipe.write_text(book.read_text("utf-8"), "utf-8")
    out = tmp_path / "dist"
    url = app.config["DATABASE_URL"]
    argv = [str(recipe), "--out", str(out), "-q", "--format", "print", "--chunk-pages", "0"]
    code = build.main([*argv, "--from-db", url], db_loader=volume_stories)
    assert code == 0, capsys.readouterr().err
    text = flat("".join(page_texts(out / "demo-x-print.pdf")))
    positions = [text.find(f"第{i}个故事") for i in (3, 2, 1)]  # the editors' order
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    assert "未录用的稿子" not in text
    # a volume that does not exist is a clear error
    missing = recipe.with_name("nope.toml")
    missing.write_text(book.read_text("utf-8"), "utf-8")
    assert build.main([str(missing), "--out", str(out), "-q", "--from-db", url],
                      db_loader=volume_stories) == 1  # fmt: skip
    assert "nope" in capsys.readouterr().err
