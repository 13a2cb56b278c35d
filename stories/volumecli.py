"""`flask stories export`, `reindex` and `scan` (registered on the `stories` group)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from stories import db, search
from stories.commands import stories_cli
from stories.operations import OperationError, export, volumes


@stories_cli.command("export")
@click.option("--volume", "slug", required=True, help="The volume's slug.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("stories.json"),
    show_default=True,
)
def export_volume(slug: str, out: Path) -> None:
    """Write a volume's accepted stories, in order, as stories.json (format version 1)."""
    with db.session_scope() as session:
        try:
            volume = volumes.get(session, slug)
        except OperationError as error:
            raise click.ClickException(str(error)) from error
        document = export.volume_document(session, None, volume)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    count = sum(len(part["stories"]) for part in document["parts"])
    click.echo(f"Wrote {count} stories of volume {slug} to {out}.")


@stories_cli.command("reindex")
def reindex() -> None:
    """Rebuild the full-text search index from the stories."""
    with db.engine().begin() as connection:
        count = search.reindex_all(connection)
    click.echo(f"Indexed {count} stories.")


@stories_cli.command("scan")
def scan() -> None:
    """Run the privacy detector over every story's current text (open flags are updated)."""
    from stories.operations import privacy

    with db.session_scope() as session:
        count = privacy.scan_all(session)
    click.echo(f"Scanned {count} stories.")
