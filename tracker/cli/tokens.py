"""`flask token`: create, revoke and list API tokens."""

from __future__ import annotations

import click

from ..db import db, utc_now
from ..domain.refusals import Refusal
from ..domain.roles import ROLES
from ..services.tokens import create_token, list_tokens, revoke_token
from ..transactions import write
from .operator import operator
from .refused import refused

token_group = click.Group("token", help="Create, revoke and list API tokens.")


@token_group.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the token may do.")
@click.option("--name", required=True, help="Who or what holds it, e.g. mat-30k or official-ana.")
def create(role: str, name: str) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only as a hash."""
    try:
        token = write(lambda: create_token(db.session, name=name, role=role), actor=operator())
    except Refusal as refusal:
        raise refused(refusal) from refusal
    click.echo(f"Created token {name!r} with role {role}. It is shown only now:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke the live token called NAME; requests with it are refused from now on."""
    try:
        write(lambda: revoke_token(db.session, name=name, now=utc_now()), actor=operator())
    except Refusal as refusal:
        raise refused(refusal) from refusal
    click.echo(f"Revoked the token named {name!r}.")


@token_group.command("list")
def list_command() -> None:
    """List tokens (names, roles, state; never the tokens themselves)."""
    for token in list_tokens(db.session):
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
        click.echo(f"{token.name}\t{token.role}\t{state}")
