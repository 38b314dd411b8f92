"""Who may write: bearer tokens with a role; reading needs no token at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import g, request

from ..db import db
from ..errors import Problem
from ..services.tokens import token_for

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tracker"'}


@dataclass(frozen=True)
class Caller:
    """The authenticated client behind a request."""

    name: str
    role: str


def _caller_from_header() -> Caller:
    header = request.headers.get("Authorization", "")
    if not header:
        raise Problem(
            401, "auth_required", "Send Authorization: Bearer <token>.", headers=BEARER_CHALLENGE
        )
    scheme, _, presented = header.partition(" ")
    token = token_for(db.session, presented.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise Problem(
            401,
            "auth_invalid",
            "The token is unknown, revoked or malformed.",
            headers={"WWW-Authenticate": 'Bearer realm="tracker", error="invalid_token"'},
        )
    return Caller(name=token.name, role=token.role)


def require_role(*roles: str) -> Callable:
    """Refuse the view unless the caller's token carries one of `roles` (admin always may)."""
    allowed = set(roles) | {"admin"}

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            caller = _caller_from_header()
            if caller.role not in allowed:
                raise Problem(
                    403,
                    "forbidden_role",
                    f"A {caller.role} token may not do this; "
                    f"it needs {' or '.join(sorted(allowed))}.",
                )
            g.caller = caller
            return view(*args, **kwargs)

        guarded.required_roles = tuple(sorted(allowed))
        return guarded

    return decorate
