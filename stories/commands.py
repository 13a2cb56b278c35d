"""`flask stories ...`: the story operations from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlmodel import select

from stories import db
from stories.models import Story

stories_cli = AppGroup("stories", help="Stories: list, show, and more.")


@stories_cli.command("list")
@click.option("--status", default=None, help="Only stories in this status.")
def list_stories(status: str | None) -> None:
    """List stories, newest first."""
    with db.session_scope() as session:
        query = select(Story).order_by(Story.id.desc())  # type: ignore[union-attr]
        if status:
            query = query.where(Story.status == status)
        for story in session.exec(query):
            click.echo(f"{story.id}\t{story.status.value}\t{story.pen_name}\t{story.title}")
