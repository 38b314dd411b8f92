"""`flask ghost`: upload a pacing plan or reference run as a race's ghost, list, remove."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..db import db
from ..domain.ghost_plans import csv_plan
from ..domain.refusals import Refusal
from ..schemas import PlanIn, parse_body
from ..services import ghosts
from ..services import races as race_service
from ..services.attempt_views import ghosts_of
from ..transactions import write
from .operator import operator
from .refused import refused

ghost_group = click.Group("ghost", help="Ghosts: plans and reference runs to race against.")


def _plan(path: Path, distance_m: float, name: str | None) -> PlanIn:
    """The file's plan: JSON as the API takes it, or CSV rows of distance,elapsed."""
    raw = path.read_bytes()
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise Refusal("invalid_json", f"The file is not valid JSON: {error}.") from error
        if name is not None and isinstance(data, dict):
            data["name"] = name
    else:
        data = csv_plan(raw.decode("utf-8-sig"), distance_m)
        if name is not None:
            data["name"] = name
    return parse_body(PlanIn, data)


@ghost_group.command("add")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", help="The ghost's key (default: the file's name).")
@click.option("--name", help="Shown on the pages (needed for a CSV file).")
def add_ghost(slug: str, path: Path, key: str | None, name: str | None) -> None:
    """Upload PATH (.json or .csv) as a ghost of race SLUG, or replace the one under KEY."""
    key = key or path.stem.lower()
    try:
        distance_m = race_service.find_race(db.session, slug).distance_m
        body = _plan(path, distance_m, name)

        def change():
            race = race_service.find_race(db.session, slug)
            _, outcome = ghosts.put_plan(
                db.session, race, key, name=body.name, finish_s=body.finish_s, splits=body.points()
            )
            return outcome

        outcome = write(change, actor=operator())
    except Refusal as refusal:
        raise refused(refusal, where=f"{path.name}: ") from refusal
    click.echo(f"Ghost {key} of {slug}: {outcome}.")


@ghost_group.command("list")
@click.argument("slug")
def list_ghosts(slug: str) -> None:
    """The race's ghosts: published runs and uploaded plans."""
    try:
        race = race_service.find_race(db.session, slug)
    except Refusal as refusal:
        raise refused(refusal) from refusal
    for run, uploaded in ghosts_of(race):
        kind = "uploaded" if uploaded else "published"
        click.echo(f"{run.key}\t{run.name}\t{run.finish_s:g} s\t{kind}")


@ghost_group.command("remove")
@click.argument("slug")
@click.argument("key")
def remove_ghost(slug: str, key: str) -> None:
    """Remove an uploaded ghost."""

    def change():
        ghosts.remove_plan(db.session, race_service.find_race(db.session, slug), key)

    try:
        write(change, actor=operator())
    except Refusal as refusal:
        raise refused(refusal) from refusal
    click.echo(f"Removed ghost {key} of {slug}.")
