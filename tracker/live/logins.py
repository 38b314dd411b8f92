"""Mat health ends with the login that opened it: logout, revocation or expiry.

Each process checks its own officials' sockets against the stored logins right before it
sends them mat health (on every heartbeat), so no `timing` event reaches a socket after its
login ended. That holds without Redis, across processes, and when the token is revoked by
`flask token revoke` in a process that has no sockets at all.
"""

from __future__ import annotations

from flask import Flask

from ..access import login_caller, may
from ..db import db
from ..domain.roles import MAT_HEALTH
from ..sessions import login_data
from . import audience
from .server import socketio
from .vocabulary import ERROR, NAMESPACE, timing_room

SESSION_ENDED = {
    "code": "session_ended",
    "message": "Your login has ended: log in again at /login to see the mats.",
}


def end_lapsed_logins(app: Flask) -> None:
    """Take every socket whose login has ended out of its race's timing room."""
    watching = audience.watching_timing()
    if not watching:
        return
    with app.app_context():
        lapsed = [sid for sid, seen in watching.items() if not _still_allowed(seen.login)]
        db.session.remove()
    for sid in lapsed:
        socketio.server.leave_room(sid, timing_room(watching[sid].race), namespace=NAMESPACE)
        audience.end_timing(sid)
        socketio.emit(ERROR, SESSION_ENDED, to=sid, namespace=NAMESPACE, ignore_queue=True)


def _still_allowed(login: str | None) -> bool:
    return login is not None and may(login_caller(login_data(login)), MAT_HEALTH)
