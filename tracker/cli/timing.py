"""`flask timing …`: connect the race to timing equipment, or import a device's file."""

from __future__ import annotations

import threading
from pathlib import Path

import click
from flask import current_app

from ..domain.formats import chip_csv, chronotrack, raceresult
from ..domain.refusals import Refusal
from ..timing import chronotrack as chronotrack_server
from ..timing import mylaps as mylaps_server
from ..timing.raceresult import run_client
from ..timing.sink import ReadSink, parse_location_map
from .refused import refused

timing_group = click.Group("timing", help="Timing equipment: listeners, clients, file import.")
MAP_HELP = "Map a device location to a checkpoint: LOCATION=CHECKPOINT[:backup] (repeatable)."


def _sink(slug: str, maps: tuple[str, ...], device: str | None = None) -> ReadSink:
    try:
        locations = parse_location_map(maps)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    return ReadSink(current_app._get_current_object(), slug, locations, device)


def _listener_command(name: str, label: str, default_port: int, serve) -> click.Command:
    """`flask timing NAME SLUG`: listen for equipment that connects to us."""

    @click.command(name, help=f"Listen for {label}.")
    @click.argument("slug")
    @click.option("--host", default="0.0.0.0", show_default=True)
    @click.option("--port", default=default_port, show_default=True, type=int)
    @click.option("--map", "maps", multiple=True, help=MAP_HELP)
    def command(slug: str, host: str, port: int, maps: tuple[str, ...]) -> None:
        server = serve(_sink(slug, maps), host, port)
        click.echo(f"Listening for {label} on {host}:{port} for {slug}.")
        server.serve_forever()

    return command


timing_group.add_command(
    _listener_command(
        "chronotrack",
        "ChronoTrack SimpleClient (CTP01, Direct Socket Out)",
        61611,
        chronotrack_server.serve,
    )
)
timing_group.add_command(
    _listener_command(
        "mylaps",
        "the MYLAPS Timing & Scoring TCP/IP exporter (V1 and V2)",
        3097,
        mylaps_server.serve,
    )
)


@timing_group.command("raceresult")
@click.argument("slug")
@click.option("--host", required=True, help="The decoder's address.")
@click.option("--port", default=3601, show_default=True, type=int)
@click.option("--device", help="A name for this decoder (default HOST:PORT).")
@click.option("--map", "maps", multiple=True, help=MAP_HELP)
def raceresult_command(slug: str, host: str, port: int, device: str | None, maps) -> None:
    """Connect to a RACE RESULT decoder and keep its passings flowing in."""
    sink = _sink(slug, maps, device or f"{host}:{port}")
    click.echo(f"Connecting to the RACE RESULT decoder at {host}:{port} for {slug}.")
    run_client(sink, host, port, threading.Event())


@timing_group.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "kind",
    type=click.Choice(["chip-csv", "raceresult", "ct-controller"]),
    required=True,
)
@click.option("--location", help="The device location of a chip CSV or controller file.")
@click.option("--map", "maps", multiple=True, help=MAP_HELP)
def import_command(slug: str, path: Path, kind: str, location: str | None, maps) -> None:
    """Import a device's file with the same keys as its live feed: a re-import adds nothing."""
    sink = _sink(slug, maps)
    event_date, zone = sink.event_day()
    text = path.read_text(encoding="utf-8-sig")
    try:
        if kind == "chip-csv":
            reads = chip_csv.parse_chip_csv(text, location=location or path.stem, zone=zone)
        elif kind == "raceresult":
            reads = [
                raceresult.parse_passing(line, event_date=event_date, zone=zone)
                for line in text.splitlines()
                if line.strip()
            ]
        else:
            controller = location or path.stem
            reads = [
                chronotrack.parse_controller_csv_line(line, controller=controller)
                for line in text.splitlines()
                if line.startswith("TO~")
            ]
    except ValueError as error:
        raise click.ClickException(f"{path.name}: {error}. Nothing was imported.") from error
    try:
        results = []
        for start in range(0, len(reads), 500):
            results += sink.store(reads[start : start + 500])
    except Refusal as refusal:
        raise refused(refusal) from refusal
    new = sum(result.result == "accepted" for result in results)
    click.echo(f"Imported {len(results)} reads into {slug}: {new} new, {len(results) - new} known.")
