"""The live layer: Socket.IO namespace /live, where watchers get every change.

- `vocabulary`: event names and room names, made in one place (pure; the
  services import it to address their events).
- `server`: the Socket.IO server object and how it is bound to the app.
- `audience`: who watches what in this process.
- `publish`: every emit: committed changes, heartbeats, mat health.
- `handlers`: the protocol a client speaks (watch, resync, clock) and the refusals.
- `conduct`: per connection, snapshot requests' limits and the strikes that close it.
- `snapshot_cache`: one snapshot per race, `seq` and followed set, while nothing changed.
- `coalesce`: a race's summary deltas batched during mass passages.
- `fanout`, `websocket`: one frame per broadcast, written to every watcher's socket.

It may import the services, the schemas, `access` and `db`; nothing below it imports it
except `transactions` (to publish after commit) and the vocabulary's users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the services import the vocabulary: this package must not pull in Flask
    from flask import Flask


def init_app(app: Flask) -> None:
    """Bind Socket.IO to the app and register the protocol's handlers."""
    from . import coalesce, conduct, handlers, server

    server.bind(app)
    conduct.configure(app.config["LIVE_SNAPSHOT_LIMIT"])
    coalesce.configure(app.config["LIVE_COALESCE_ABOVE"])
    handlers.register()
