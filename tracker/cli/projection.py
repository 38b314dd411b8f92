"""`flask projection fit|evaluate`: learn a course's finish model from past results, and
judge the live projection on results it was not fitted on.

numpy and the results readers are imported inside the commands, so the web workers never
load them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from ..db import db, utc_now
from ..domain.finish_model import FinishModel
from ..domain.refusals import Refusal
from ..services import finish_models
from ..services.races import find_race
from ..transactions import write
from .operator import operator
from .progress import shown
from .refused import refused

projection_group = click.Group("projection", help="Fit and evaluate finish projections.")
FILES = click.Path(exists=True, dir_okay=False, path_type=Path)
# Without --target or --race: the chance of a sub-3:00 is scored.
DEFAULT_TARGET_S = 10_800.0


def _finishers(paths: tuple[Path, ...], years: tuple[str, ...]):
    from ..modelling.results_file import read_results

    rows = []
    for path in paths:
        click.echo(f"Reading {path.name}...", err=True)
        rows.extend(read_results(path))
    return [row for row in rows if not years or row.year in years]


def _elite_band(elite: Path | None) -> tuple[float, float]:
    """The elite band's wander and pace drift: measured on record races, else the default's."""
    from ..modelling.fitting import elite_drift, elite_spread
    from ..modelling.results_file import read_record_races

    if elite:
        races = read_record_races(elite)
        return elite_spread(races), elite_drift(races)
    default = finish_models.default_model()
    return default.elite_sigma_per_sqrt_km, default.elite_pace_drift_per_km


@projection_group.command("fit")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--race", "slug", help="Store the model for this race.")
@click.option("--year", "years", multiple=True, help="Only these years of the files.")
@click.option("--elite", type=FILES, help="Record races (elite_splits.csv) for the elite band.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON.")
def fit_command(files, slug, years, elite, output) -> None:
    """Fit a finish model on past results (a previous year of the same race is best)."""
    from ..modelling.fitting import fit_model

    if not slug and not output:
        raise click.UsageError("give --race SLUG to store the model, or --output FILE")
    started = time.perf_counter()
    finishers = _finishers(files, years)
    groups = sorted({" ".join(f.group) for f in finishers})
    elite_sigma, elite_drift = _elite_band(elite)
    source = f"{', '.join(groups)}: {len(finishers):,} finishers"
    try:
        model = fit_model(
            finishers,
            source=source,
            elite_sigma_per_sqrt_km=elite_sigma,
            elite_pace_drift_per_km=elite_drift,
            steps=shown(f"Fitting on {len(finishers):,} finishers, per checkpoint"),
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if output:
        output.write_text(json.dumps(model.to_json(), indent=1) + "\n")
        click.echo(f"Wrote {output}.")
    if slug:
        try:
            write(
                lambda: finish_models.store_model(
                    db.session, find_race(db.session, slug), model, utc_now()
                ),
                actor=operator(),
            )
        except Refusal as refusal:
            raise refused(refusal) from refusal
        click.echo(f"Stored for race {slug}.")
    click.echo(f"Fitted on {source} in {time.perf_counter() - started:.1f} s.")


@projection_group.command("evaluate")
@click.argument("file", type=FILES)
@click.option("--target", "target_s", type=float, help="Target finish (s) for the Brier score.")
@click.option("--race", "slug", help="Use this race's model and target.")
@click.option("--year", "years", multiple=True, help="Only these years of the file.")
@click.option("--model", "model_path", type=FILES, help="A model JSON file instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def evaluate_command(file, target_s, slug, years, model_path, as_json) -> None:
    """Replay finishers through the live projection and score it against average pace."""
    from ..modelling.evaluation import evaluate, format_report

    if model_path:
        model = FinishModel.from_json(json.loads(model_path.read_text()))
    elif slug:
        try:
            race = find_race(db.session, slug)
        except Refusal as refusal:
            raise refused(refusal) from refusal
        model = finish_models.model_for(db.session, race)
        target_s = target_s or race.target_s
    else:
        model = finish_models.default_model()
    target_s = target_s or DEFAULT_TARGET_S
    finishers = _finishers((file,), years)
    if not finishers:
        raise click.ClickException("no complete finishers in that file (and years)")
    report = evaluate(
        finishers, model, target_s=target_s, steps=shown(f"Replaying {len(finishers):,} finishers")
    )
    if as_json:
        click.echo(json.dumps({"target_s": target_s, "model": model.source, **report}, indent=1))
        return
    title = f"{file.name}{' ' + ','.join(years) if years else ''}: model {model.source!r}, "
    click.echo(format_report(report, title=title + f"target {target_s:,.0f} s"))


@projection_group.command("crossval")
@click.argument("files", nargs=-1, required=True, type=FILES)
@click.option("--year", "years", multiple=True, help="Only these years of the files.")
@click.option("--same-course", is_flag=True, help="Fit only on the held-out race's other years.")
@click.option("--target", "target_s", type=float, help="Target finish (s) for the Brier score.")
@click.option("--elite", type=FILES, help="Record races (elite_splits.csv) for the elite band.")
@click.option("--every", type=click.IntRange(min=1), default=1, help="Only every Nth finisher.")
@click.option("--json", "as_json", is_flag=True, help="Print every report as JSON.")
def crossval_command(files, years, same_course, target_s, elite, every, as_json) -> None:
    """Leave one race-year out: fit on the others, score on it, for every race-year. Given a
    record-races file, hold each record race out of the elite band's measurement instead."""
    from ..modelling.crossval import format_summary, leave_one_out
    from ..modelling.evaluation import format_report
    from ..modelling.results_file import is_record_races

    target_s = target_s or DEFAULT_TARGET_S
    if len(files) == 1 and is_record_races(files[0]):
        _records_left_out(files[0], target_s, as_json)
        return
    elite_sigma, elite_drift = _elite_band(elite)
    results = leave_one_out(
        _finishers(files, years)[::every],
        target_s=target_s,
        elite_sigma_per_sqrt_km=elite_sigma,
        elite_pace_drift_per_km=elite_drift,
        same_course=same_course,
        steps=shown("Race-years held out (each a fit and a replay)"),
    )
    if not results:
        raise click.ClickException("fewer than two race-years with enough finishers")
    if as_json:
        click.echo(json.dumps({"target_s": target_s, "held_out": results}, indent=1))
        return
    fitted = "the same course's other years" if same_course else "every other race-year"
    title = f"Each race-year held out, fitted on {fitted}; target {target_s:,.0f} s"
    click.echo(format_summary(results, title=title))
    for row in results:
        held_out = f"\n### {row['held_out']} held out, fitted on {row['fitted_on']}"
        click.echo(format_report(row["report"], title=held_out))


def _records_left_out(file: Path, target_s: float, as_json: bool) -> None:
    """Each record race projected with the elite band measured on the others."""
    from ..modelling.crossval import format_records, records_left_out
    from ..modelling.results_file import read_record_races

    scored = records_left_out(
        read_record_races(file), finish_models.default_model(), target_s=target_s
    )
    if as_json:
        click.echo(json.dumps({"target_s": target_s, "left_out": scored}, indent=1))
        return
    title = f"{file.name}: each race held out of the elite band (drift and wander)"
    click.echo(format_records(scored, title=title + f"; target {target_s:,.0f} s"))
