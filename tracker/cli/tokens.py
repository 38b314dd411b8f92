"""`flask token`: create, revoke and list API tokens."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..db import db, utc_now
from ..errors import Problem
from ..models import ROLES, ApiToken
from ..services.tokens import create_token, revoke_token
from ..transactions import write

token_group = click.Group("token", help="Create, revoke and list API tokens.")


@token_group.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do.")
@click.option("--name", required=True, help="Who or what holds it, e.g. mat-30k or official-ana.")
def create(role: str, name: str) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only as a hash."""
    try:
        token = write(lambda: create_token(db.session, name=name, role=role))
    except Problem as problem:
        raise click.ClickException(problem.detail) from problem
    click.echo(f"Created token {name!r} with role {role}. It is shown only now:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the live token called NAME; requests with it are refused from now on."""
    try:
        write(lambda: revoke_token(db.session, name=name, now=utc_now()))
    except Problem as problem:
        raise click.ClickException(problem.detail) from problem
    click.echo(f"Revoked the token named {name!r}.")


@token_group.command("list")
def list_tokens() -> None:
    """List tokens (names, roles, state; never the tokens themselves)."""
    for token in db.session.scalars(select(ApiToken).order_by(ApiToken.created_at)):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
        click.echo(f"{token.name}\t{token.role}\t{state}")
