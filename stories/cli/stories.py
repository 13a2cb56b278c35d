"""`flask stories ...`: the story operations from the command line (list, show, track, withdraw,
export, reindex, scan)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlmodel import Session, select

from anthology.text.markdown import length as text_length
from stories import db
from stories.models import Consent, Story
from stories.operations import OperationError, export, flags, submission, volumes
from stories.queries import search

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


def _story(session: Session, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise click.ClickException(f"no story with id {story_id}")
    return story


@stories_cli.command("show")
@click.argument("story_id", type=int)
@click.option("--text", is_flag=True, help="Also print the current text (Markdown).")
@click.option("--private", is_flag=True, help="Also print the real name and contact data.")
def show_story(story_id: int, text: bool, private: bool) -> None:
    """Show one story: its data, consents and revisions."""
    with db.session_scope() as session:
        story = _story(session, story_id)
        lines = [
            ("id", story.id),
            ("title", story.title),
            ("status", story.status.value),
            ("pen name", story.pen_name),
            ("organisation", story.organisation),
            ("place", f"{story.province} {story.city}".strip()),
            ("service field", story.service_field.value),
            ("years in practice", story.years_in_practice),
            ("characters", text_length(story.body)),
            ("submitted", story.submitted_at.isoformat() if story.submitted_at else ""),
            ("decided", story.decided_at.isoformat() if story.decided_at else ""),
            ("editor message", story.editor_message),
        ]
        if private:
            lines += [("real name", story.real_name), ("phone", story.contact_phone),
                      ("e-mail", story.contact_email)]  # fmt: skip
        for label, value in lines:
            click.echo(f"{label + ':':<19}{'' if value is None else value}")
        consents = session.exec(select(Consent).where(Consent.story_id == story_id)).all()
        for consent in consents:
            accepted = consent.accepted_at.isoformat()
            click.echo(f"consent {consent.kind.value}: version {consent.version}, {accepted}")
        for revision in submission.revisions(session, story_id):
            click.echo(
                f"revision {revision.number}: {revision.source.value}, "
                f"{revision.created_at.isoformat()}, {text_length(revision.body)} characters"
                + (f", {revision.note}" if revision.note else "")
            )
        if text:
            click.echo("")
            click.echo(story.body)


@stories_cli.command("track")
@click.argument("code")
def track_story(code: str) -> None:
    """Find the story with a tracking code (as the author's status page does)."""
    with db.session_scope() as session:
        story = submission.find_by_tracking_code(session, code)
        if story is None:
            raise click.ClickException("no story has this tracking code")
        click.echo(f"{story.id}\t{story.status.value}\t{story.pen_name}\t{story.title}")


@stories_cli.command("withdraw")
@click.argument("story_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def withdraw(story_id: int, yes: bool) -> None:
    """Withdraw a story on its author's behalf (e.g. asked by e-mail)."""
    with db.session_scope() as session:
        story = _story(session, story_id)
        if not yes:
            click.confirm(f"Withdraw story {story_id} “{story.title}”?", abort=True)
        try:
            submission.withdraw_story(session, story)
        except submission.SubmissionError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Story {story_id} withdrawn.")


@stories_cli.command("export")
@click.option("--volume", "slug", required=True, help="The volume's slug.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("stories.json"),
    show_default=True,
)
def export_volume(slug: str, out: Path) -> None:
    """Write a volume's accepted stories, in order, as stories.json (format version 1), and
    their published pictures into pictures/ next to it."""
    with db.session_scope() as session:
        try:
            volume = volumes.get(session, slug)
        except OperationError as error:
            raise click.ClickException(str(error)) from error
        document = export.volume_document(session, None, volume)
    pictures = export.write(document, out)
    count = sum(len(part["stories"]) for part in document["parts"])
    where = f" and {pictures} pictures to {out.parent / 'pictures'}" if pictures else ""
    click.echo(f"Wrote {count} stories of volume {slug} to {out}{where}.")


@stories_cli.command("reindex")
def reindex() -> None:
    """Rebuild the full-text search index from the stories."""
    with db.engine().begin() as connection:
        count = search.reindex_all(connection)
    click.echo(f"Indexed {count} stories.")


@stories_cli.command("scan")
def scan() -> None:
    """Run the privacy detector over every story's current text (open flags are updated)."""
    with db.session_scope() as session:
        count = flags.scan_all(session)
    click.echo(f"Scanned {count} stories.")
