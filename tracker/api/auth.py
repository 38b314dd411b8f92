"""The API's guard: bearer tokens with a role, or an official logged in (cookie + CSRF)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request
from flask_wtf.csrf import CSRFProtect

from ..access import Caller, bearer_caller, forbidden, may, session_caller
from ..domain.audit import Actor
from ..domain.refusals import Refusal
from ..domain.roles import allowed_roles

csrf = CSRFProtect()


def _caller() -> Caller:
    header = request.headers.get("Authorization", "")
    if header:
        return bearer_caller(header)
    caller = session_caller()
    if caller is None:
        raise Refusal("auth_required", "Send Authorization: Bearer <token>.")
    # A browser's cookie rides along on forged requests too: demand the CSRF token.
    csrf.protect()
    return caller


def require_role(*roles: str) -> Callable:
    """Refuse the view unless the caller may do what `roles` may (admin always may)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            # The whole body first (bounded in size and time), then the token: a client
            # trickling a body must not hold a database connection while it does.
            request.get_data(cache=True)
            caller = _caller()
            if not may(caller, roles):
                raise forbidden(caller, roles)
            g.caller = caller
            # Who signs this request's audit entries, and from where.
            g.actor = Actor(caller.name, caller.role, request.remote_addr)
            return view(*args, **kwargs)

        guarded.required_roles = allowed_roles(roles)
        return guarded

    return decorate
