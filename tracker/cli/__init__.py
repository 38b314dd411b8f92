"""Operator commands on the `flask` CLI: tokens, race set-up, imports, replay, timing, demo,
projection models, ghosts. A refusal ends a command with its detail and code (`refused`).

May import: services, `schemas`, `transactions`, the timing adapters, the demo, modelling.
"""

from __future__ import annotations

from flask import Flask

from . import demo, ghosts, projection, setup, timing, tokens


def init_app(app: Flask) -> None:
    """Register the command groups (`flask db` comes from Flask-Migrate)."""
    app.cli.add_command(tokens.token_group)
    app.cli.add_command(setup.race_group)
    app.cli.add_command(setup.import_group)
    app.cli.add_command(demo.replay_command)
    app.cli.add_command(demo.demo_command)
    app.cli.add_command(timing.timing_group)
    app.cli.add_command(projection.projection_group)
    app.cli.add_command(ghosts.ghost_group)
