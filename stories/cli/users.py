"""`flask users ...`: create accounts and reset passwords from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from stories import db, throttle
from stories.models import Role
from stories.operations import OperationError, accounts

users_cli = AppGroup("users", help="Editor, publisher and admin accounts.")

ROLE_CHOICE = click.Choice([role.value for role in Role])


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=ROLE_CHOICE, default=Role.editor.value, show_default=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option(help="The password (asked for when not given).")
def create(username: str, role: str, display_name: str, password: str) -> None:
    """Create the account USERNAME (the first one should be an admin)."""
    try:
        with db.session_scope() as session:
            accounts.create_user(session, username, password, role, display_name=display_name)
    except OperationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {role} {username}.")


@users_cli.command("reset-password")
@click.argument("username")
@click.password_option(help="The new password (asked for when not given).")
def reset_password(username: str, password: str) -> None:
    """Set a new password for USERNAME; their open sessions end."""
    try:
        with db.session_scope() as session:
            user = accounts.find(session, username)
            if user is None or user.id is None:
                raise click.ClickException(f"No user named {username}.")
            accounts.reset_password(session, None, user.id, password)
    except OperationError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Password of {username} changed.")


@users_cli.command("list")
def list_users() -> None:
    """List the accounts."""
    with db.session_scope() as session:
        for user in accounts.users(session):
            state = "active" if user.is_active else "inactive"
            click.echo(f"{user.username}\t{user.role.value}\t{state}")


@users_cli.command("unlock")
@click.argument("username")
def unlock(username: str) -> None:
    """Forget USERNAME's failed logins: an account locked by them can log in again at once."""
    throttle.clear(throttle.LOGIN_ACCOUNT, throttle.account_key(username))
    click.echo(f"Failed logins of {username} forgotten.")
