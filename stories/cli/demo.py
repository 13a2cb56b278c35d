"""`flask demo load`: the demo content, loaded once."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from stories import demo

demo_cli = AppGroup("demo", help="Demo content.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo stories once (does nothing when they are already there)."""
    created = demo.load()
    if created:
        click.echo(f"Loaded {created} demo stories.")
    else:
        click.echo("Demo content already loaded.")
