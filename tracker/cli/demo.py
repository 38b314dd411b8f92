"""`flask demo` (the README's first command) and `flask replay` (any splits CSV into a race)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade

from ..db import db, utc_now
from ..demo.runner import DEMO_RACE_ENV, DEMO_SPEED_ENV, DEMO_VIA_ENV
from ..domain.refusals import Refusal
from ..replay import read_splits_csv, replay
from ..services.races import find_race, start_race
from ..transactions import write
from .operator import operator
from .progress import shown
from .refused import describe, refused


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--speed",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=1, max=600),
    help="How many times faster than real life the Vienna race replays.",
)
@click.option(
    "--via",
    type=click.Choice(["api", "raceresult"]),
    default="api",
    show_default=True,
    help="Enter the splits directly, or as chip passings of a fake RACE RESULT decoder.",
)
@click.option(
    "--race",
    "race",
    type=click.Choice(["vienna", "city"]),
    default="vienna",
    show_default=True,
    help="Vienna 2019, or a generated city marathon of 2,000 runners in three waves.",
)
def demo_command(host: str, port: int, speed: float, via: str, race: str) -> None:
    """Set up the database and run the tracker with Vienna 2019 (or a generated city
    marathon) replaying, under gunicorn."""
    if race == "city" and via != "api":
        raise click.UsageError("The city marathon replays through the split path (--via api).")
    upgrade(directory=current_app.config["MIGRATIONS_DIR"])
    gunicorn = shutil.which("gunicorn") or str(Path(os.sys.executable).with_name("gunicorn"))
    env = {**os.environ, DEMO_SPEED_ENV: str(speed), DEMO_VIA_ENV: via, DEMO_RACE_ENV: race}
    if race == "city":
        click.echo(
            f"A city marathon of 2,000 runners replays at {speed:g}x (waves at 0, 10 and 20"
            f" minutes, the last home after about {8 * 3600 / speed / 60:.0f} min)."
        )
        slug = "city-marathon"
    else:
        click.echo(
            f"Vienna 2019 replays at {speed:g}x (a lap of the demo takes about "
            f"{7200 / speed / 60:.0f} min and then starts again)."
        )
        slug = "ineos-159-vienna"
    click.echo(f"Open http://{host}:{port}/races/{slug} (Ctrl+C stops the tracker).")
    root = Path(current_app.config["MIGRATIONS_DIR"]).parent
    os.chdir(root)
    os.execve(
        gunicorn, [gunicorn, "-c", "gunicorn.conf.py", "-b", f"{host}:{port}", "app:app"], env
    )


@click.command("replay")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--speed",
    default=None,
    type=click.FloatRange(min=0.01, max=10000),
    help="Start the race now with its clock this many times faster than life.",
)
def replay_command(slug: str, path: Path, speed: float | None) -> None:
    """Replay a splits CSV (bib, checkpoint, elapsed_s) into a race through the split path.

    Without --speed the race must have started, and splits are entered as its clock
    reaches them (at once for times already past).
    """
    try:
        splits = read_splits_csv(path)
    except (ValueError, KeyError) as error:
        raise click.ClickException(f"{path.name}: {error}") from error
    app = current_app._get_current_object()
    try:
        if speed is not None:

            def fire():
                race = find_race(db.session, slug)
                race.clock_rate = speed
                return start_race(db.session, race, at=utc_now())

            write(fire, actor=operator())
        created = replay(
            app,
            slug,
            splits,
            on_refusal=lambda split, refusal: click.echo(
                f"{split.bib} at {split.checkpoint}: {describe(refusal)}", err=True
            ),
            steps=shown(f"Replaying {len(splits):,} splits"),
        )
    except Refusal as refusal:
        raise refused(refusal) from refusal
    click.echo(f"Replayed {len(splits)} splits into {slug}: {created} new.")
