"""Who may write: bearer tokens with a role, or an official logged in with one (cookie + CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import g, request, session
from flask_wtf.csrf import CSRFProtect

from ..db import db
from ..errors import Problem
from ..models import ApiToken
from ..services.tokens import token_for

csrf = CSRFProtect()

BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="tracker"'}


@dataclass(frozen=True)
class Caller:
    """The authenticated client behind a request."""

    name: str
    role: str


SESSION_TOKEN_KEY = "token_id"


def session_caller() -> Caller | None:
    """The official logged in on this browser, while their token stays live."""
    token_id = session.get(SESSION_TOKEN_KEY)
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if token is None or token.revoked_at is not None:
        return None
    return Caller(name=token.name, role=token.role)


def _caller() -> Caller:
    header = request.headers.get("Authorization", "")
    if not header:
        caller = session_caller()
        if caller is not None:
            # A browser's cookie rides along on forged requests too: demand the CSRF token.
            csrf.protect()
            return caller
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
            caller = _caller()
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
