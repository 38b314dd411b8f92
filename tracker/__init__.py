"""The race-day live split tracker: a Flask app built by `create_app`.

The house, inside out: `domain` (pure rules) ← `models` and `services` (the session meets
the rules) ← `access`, `schemas`, `transactions` (shared by every edge) ← the edges: `api`,
`pages`, `live`, `cli`, `timing`, `demo`. Arrows point inwards only.
"""

from __future__ import annotations

import os

from flask import Flask

from . import api, cli, config, db, limits, live, logs, pages, sessions, slow_clients


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, database, live layer, API, pages, operator commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(config.PROJECT_ROOT / "templates"),
        static_folder=str(config.PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    logs.init_app(app)
    db.init_app(app)
    sessions.init_app(app)
    limits.init_app(app)
    slow_clients.init_app(app)
    live.init_app(app)
    api.init_app(app)
    pages.init_app(app)
    cli.init_app(app)
    return app
