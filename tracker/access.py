"""Who is calling: the callers behind tokens and login cookies, checked against the roles
of `tracker.domain.roles` by every edge (API, pages, live layer).

An API client presents a bearer token; an official's browser carries the login cookie set
by `/login`. Either way the caller is the token's name and role, while the token is live.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import session

from .db import db
from .domain.refusals import Refusal
from .domain.roles import allowed_roles, role_may
from .limits import refuse_credential
from .services.tokens import live_token, token_for
from .sessions import start_login

SESSION_TOKEN_KEY = "token_id"


@dataclass(frozen=True)
class Caller:
    """The authenticated client behind a request."""

    name: str
    role: str


def may(caller: Caller | None, roles: tuple[str, ...]) -> bool:
    """Whether the caller may do what `roles` may (`tracker.domain.roles`)."""
    return caller is not None and role_may(caller.role, roles)


def forbidden(caller: Caller, roles: tuple[str, ...]) -> Refusal:
    """The refusal of a caller whose role may not do this."""
    return Refusal(
        "forbidden_role",
        f"A {caller.role} token may not do this; it needs {' or '.join(allowed_roles(roles))}.",
    )


def session_caller() -> Caller | None:
    """The official logged in on this browser, while their token stays live."""
    return login_caller(session)


def login_caller(login: Mapping | None) -> Caller | None:
    """The caller a stored login stands for, while it exists and its token is live."""
    token_id = login.get(SESSION_TOKEN_KEY) if login else None
    token = live_token(db.session, token_id) if isinstance(token_id, int) else None
    if token is None:
        return None
    return Caller(name=token.name, role=token.role)


def bearer_caller(header: str) -> Caller:
    """The caller behind an `Authorization: Bearer …` header, or a Refusal."""
    scheme, _, presented = header.partition(" ")
    token = token_for(db.session, presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        refuse_credential()
        raise Refusal("auth_invalid", "The token is unknown, revoked or malformed.")
    return Caller(name=token.name, role=token.role)


def log_in(token_id: int) -> None:
    """Start an official's browser session for this token."""
    start_login()
    session[SESSION_TOKEN_KEY] = token_id


def log_out() -> None:
    """End this browser's session: its stored row goes, so copies of the cookie end too."""
    session.clear()
