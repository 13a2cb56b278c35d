"""Migrations apply to an empty database, and the schema matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

import stories.models  # noqa: F401
from stories import migrations
from stories.queries.search import include_name

COMPARE_OPTS = {"include_name": include_name}  # the search index is not a SQLModel table


def test_upgrade_empty_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrations.upgrade(url)
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"story", "story_revision", "consent", "user_account", "alembic_version"} <= tables
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts=COMPARE_OPTS), SQLModel.metadata
        )
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cycle.db'}"
    migrations.upgrade(url)
    migrations.downgrade(url, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    migrations.upgrade(url)


def test_migrated_schema_on_each_backend(database_url: str) -> None:
    """The fixture database (SQLite copy or PostgreSQL) is at the head revision."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        context = MigrationContext.configure(conn, opts=COMPARE_OPTS)
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert version
    assert diff == [], f"models and migrations differ on {database_url.split(':')[0]}: {diff}"


def test_revisions_cannot_be_changed_in_the_database(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO story (title, body, pen_name, real_name, organisation, province, "
                "city, service_field, contact_phone, contact_email, status, version, "
                "editor_message, created_at, updated_at, last_activity_at) VALUES "
                "('t', 'b', 'p', '', '', '', '', 'elderly', '', '', 'submitted', 1, '', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        story_id = conn.execute(text("SELECT max(id) FROM story")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO story_revision (story_id, number, title, body, source, note, "
                "created_at) VALUES (:s, 1, 't', 'original', 'author', '', CURRENT_TIMESTAMP)"
            ),
            {"s": story_id},
        )
    for statement in ("UPDATE story_revision SET body = 'changed'", "DELETE FROM story_revision"):
        with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT body FROM story_revision")).scalar_one() == "original"
    engine.dispose()


def test_book_revisions_cannot_be_changed_in_the_database(database_url: str) -> None:
    """Settings revisions and chapter revisions are as immutable as story revisions (0004)."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO volume (slug, title, description, created_at, updated_at) "
                "VALUES ('v', 't', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        volume = conn.execute(text("SELECT max(id) FROM volume")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO book_settings (volume_id, number, data, note, created_at) "
                "VALUES (:v, 1, '{}', 'first', CURRENT_TIMESTAMP)"
            ),
            {"v": volume},
        )
        conn.execute(
            text(
                "INSERT INTO book_chapter (volume_id, section, name, part_title, position, "
                "created_at, updated_at) VALUES (:v, 'front', 'preface', '', 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"v": volume},
        )
        chapter = conn.execute(text("SELECT max(id) FROM book_chapter")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO chapter_revision (chapter_id, number, title, subtitle, author, body, "
                "source, note, created_at) VALUES (:c, 1, 't', '', '', 'original', 'typed', '', "
                "CURRENT_TIMESTAMP)"
            ),
            {"c": chapter},
        )
    for statement in (
        "UPDATE book_settings SET note = 'changed'",
        "DELETE FROM book_settings",
        "UPDATE chapter_revision SET body = 'changed'",
        "DELETE FROM chapter_revision",
    ):
        with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT note FROM book_settings")).scalar_one()
        assert kept == "first"
        kept = conn.execute(text("SELECT body FROM chapter_revision")).scalar_one()
        assert kept == "original"
    with pytest.raises(Exception, match="ck_book_chapter_part|CHECK"), engine.begin() as conn:
        conn.execute(text("UPDATE book_chapter SET part_title = 'x'"))  # parts: history only
    engine.dispose()


def test_data_pictures_move_out_of_the_story_texts(tmp_path: Path) -> None:
    """0008: a `data:` picture in a story (and its revisions) becomes a stored, metadata-free
    file and a reference; the base64 flags go; revisions stay immutable afterwards."""
    import base64
    import hashlib

    import photos

    photo = photos.phone_photo(640, 480)
    payload = base64.b64encode(photo).decode()
    body = f"老人给我看了一张照片。\n\n![老人家的窗台](data:image/jpeg;base64,{payload})\n\n结束。"
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = tmp_path / "pictures"
    migrations.upgrade(url, "0005")
    engine = create_engine(url)
    flagged = payload[100:112]  # a piece of the base64 the old scanner read as a WeChat ID
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO story (title, body, pen_name, real_name, organisation, province, "
                "city, service_field, contact_phone, contact_email, status, version, "
                "editor_message, created_at, updated_at, last_activity_at) VALUES "
                "('窗台', :b, 'p', '', '', '', '', 'elderly', '', '', 'submitted', 1, '', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"b": body},
        )
        conn.execute(
            text(
                "INSERT INTO story_revision (story_id, number, title, body, source, note, "
                "created_at) VALUES (1, 1, '窗台', :b, 'author', '', CURRENT_TIMESTAMP)"
            ),
            {"b": body},
        )
        conn.execute(
            text(
                'INSERT INTO privacy_flag (story_id, kind, text, start, "end", '
                "revision_number, status, pseudonym, reason, created_at) VALUES "
                "(1, 'wechat', :t, 40, 52, 1, 'open', '', '', CURRENT_TIMESTAMP)"
            ),
            {"t": flagged},
        )
    engine.dispose()
    migrations.upgrade(url, pictures_folder=str(store))
    engine = create_engine(url)
    with engine.connect() as conn:
        story_body = conn.execute(text("SELECT body FROM story")).scalar_one()
        revision_body = conn.execute(text("SELECT body FROM story_revision")).scalar_one()
        rows = conn.execute(text("SELECT ref, review, width, height FROM story_picture")).all()
        flags = conn.execute(text("SELECT count(*) FROM privacy_flag")).scalar_one()
        indexed = conn.execute(text("SELECT tokens FROM story_fts")).scalar_one()
    [(ref, review, width, height)] = rows
    assert (review, width, height) == ("to_review", 640, 480)
    assert (
        story_body
        == revision_body
        == (f"老人给我看了一张照片。\n\n![老人家的窗台](picture:{ref})\n\n结束。")
    )
    assert "base64" not in story_body and flags == 0
    assert payload[:40].lower() not in indexed and ref not in indexed and "窗台" in indexed
    [stored] = list(store.glob(f"*/{ref}.jpg"))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == ref
    assert photos.has_metadata(stored.read_bytes()) == []
    with pytest.raises(Exception, match="immutable"), engine.begin() as conn:
        conn.execute(text("UPDATE story_revision SET body = 'changed'"))
    engine.dispose()
