"""`flask race` and `flask import`: set up a race and load checkpoints and athletes from CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import click

from ..db import db, utc_now
from ..domain.refusals import Refusal
from ..schemas import AthleteIn, CheckpointIn, RaceIn, parse_body
from ..services import athletes as athlete_service
from ..services import races as race_service
from ..transactions import write
from .operator import operator
from .progress import each
from .refused import refused

race_group = click.Group("race", help="Set up races.")
import_group = click.Group("import", help="Load checkpoints or athletes from CSV files.")


@race_group.command("create")
@click.argument("slug")
@click.argument("name")
@click.option("--distance-m", type=float, default=42195.0, show_default=True)
@click.option("--target-s", type=float, default=7200.0, show_default=True)
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone, e.g. Europe/Vienna")
def create_race(slug: str, name: str, distance_m: float, target_s: float, timezone: str) -> None:
    """Create a race (with its finish checkpoint)."""
    data = {
        "slug": slug,
        "name": name,
        "distance_m": distance_m,
        "target_s": target_s,
        "timezone": timezone,
    }
    try:
        body = parse_body(RaceIn, data)
        write(lambda: race_service.create_race(db.session, **body.model_dump()), actor=operator())
    except Refusal as refusal:
        raise refused(refusal) from refusal
    click.echo(f"Created race {slug}.")


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def _import(slug: str, path: Path, model, add, prepare=dict) -> int:
    """Validate every row, then add them all in one transaction, or none."""
    bodies = []
    rows = _rows(path)
    for line, row in enumerate(each(rows, f"Checking {len(rows):,} rows"), start=2):
        data = prepare({key: value for key, value in row.items() if value != ""})
        try:
            bodies.append(parse_body(model, data, strict=False))
        except Refusal as refusal:
            raise refused(refusal, where=f"{path.name}, line {line}: ") from refusal

    def change():
        race = race_service.find_race(db.session, slug)
        for body in each(bodies, f"Adding {len(bodies):,} to {slug}"):
            add(race, body)
        return len(bodies)

    try:
        return write(change, actor=operator())
    except Refusal as refusal:
        raise refused(refusal, where=f"{path.name}: Nothing was imported. ") from refusal


@import_group.command("checkpoints")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_checkpoints(slug: str, path: Path) -> None:
    """Checkpoints from a CSV with columns code, name, distance_m[, target_elapsed_s]."""
    count = _import(
        slug,
        path,
        CheckpointIn,
        lambda race, body: race_service.add_checkpoint(db.session, race, **body.model_dump()),
    )
    click.echo(f"Imported {count} checkpoints into {slug}.")


@import_group.command("athletes")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_athletes(slug: str, path: Path) -> None:
    """Athletes from a CSV with columns bib, name[, country, role, chips (space separated),
    gender, birth_year, category, target_s, wave, plan ("10K=2940 30K=8900": elapsed s)]."""

    def add(race, body):
        athlete_service.add_athlete(db.session, race, **body.model_dump(), now=utc_now())

    def prepare(row: dict) -> dict:
        if "chips" in row:
            row["chips"] = row["chips"].replace(";", " ").split()
        if "plan" in row:
            pairs = (part.partition("=") for part in row["plan"].replace(";", " ").split())
            row["plan"] = {code: elapsed for code, _, elapsed in pairs}
        return row

    count = _import(slug, path, AthleteIn, add, prepare)
    click.echo(f"Imported {count} athletes into {slug}.")
