"""`flask timing …`: connect the race to timing equipment, or import a device's file.

The listener commands and the file formats come from `tracker.timing.protocols`.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import click
from flask import current_app

from ..domain.refusals import Refusal
from ..timing import llrp
from ..timing.protocols import FileContext, Listener, file_formats, listeners
from ..timing.raceresult import run_client
from ..timing.sink import ReadSink, parse_location_map
from .refused import refused

timing_group = click.Group("timing", help="Timing equipment: listeners, clients, file import.")
MAP_HELP = "Map a device location to a checkpoint: LOCATION=CHECKPOINT[:backup] (repeatable)."
HOST_HELP = (
    "The address to listen on. Loopback by default: listeners have no authentication, so open "
    "them only to the timing network (see the README, Connecting your timing system)."
)
DEVICE_HELP = "A name for this equipment in mat health (default: {default})."


def _sink(slug: str, maps: tuple[str, ...], device: str | None = None) -> ReadSink:
    try:
        locations = parse_location_map(maps)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    return ReadSink(current_app._get_current_object(), slug, locations, device)


def _listener_command(listener: Listener) -> click.Command:
    """`flask timing NAME SLUG`: listen for equipment that connects to us."""

    @click.command(listener.name, help=f"Listen for {listener.label}.")
    @click.argument("slug")
    @click.option("--host", default="127.0.0.1", show_default=True, help=HOST_HELP)
    @click.option("--port", default=listener.default_port, show_default=True, type=int)
    @click.option("--map", "maps", multiple=True, help=MAP_HELP)
    @click.option("--device", help=DEVICE_HELP.format(default=f"{listener.name}@PEER-ADDRESS"))
    def command(slug: str, host: str, port: int, maps: tuple[str, ...], device: str | None):
        server = listener.serve(_sink(slug, maps, device), host, port)
        click.echo(f"Listening for {listener.label} on {host}:{port} for {slug}.")
        server.serve_forever()

    return command


for _listener in listeners().values():
    timing_group.add_command(_listener_command(_listener))


def _client_command(name: str, label: str, default_port: int, run_client) -> click.Command:
    """`flask timing NAME SLUG --host ADDRESS`: we connect to the equipment and stay."""

    @click.command(name, help=f"Connect to the {label} at --host and keep its reads flowing in.")
    @click.argument("slug")
    @click.option("--host", required=True, help=f"The address of the {label}.")
    @click.option("--port", default=default_port, show_default=True, type=int)
    @click.option("--device", help=DEVICE_HELP.format(default=f"{name}@HOST:PORT"))
    @click.option("--map", "maps", multiple=True, help=MAP_HELP)
    def command(slug: str, host: str, port: int, device: str | None, maps) -> None:
        sink = _sink(slug, maps, device)
        click.echo(f"Connecting to the {label} at {host}:{port} for {slug}.")
        run_client(sink, host, port, threading.Event())

    return command


timing_group.add_command(_client_command("raceresult", "RACE RESULT decoder", 3601, run_client))
timing_group.add_command(
    _client_command("llrp", "LLRP reader (Impinj and others)", llrp.DEFAULT_PORT, llrp.run_client)
)


@timing_group.command("import")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "kind", type=click.Choice(sorted(file_formats())), required=True)
@click.option("--location", help="The device location of a chip CSV or controller file.")
@click.option("--map", "maps", multiple=True, help=MAP_HELP)
@click.option("--device", help=DEVICE_HELP.format(default="import@FILE-NAME"))
def import_command(slug: str, path: Path, kind: str, location: str | None, maps, device) -> None:
    """Import a device's file with the same keys as its live feed: a re-import adds nothing."""
    sink = _sink(slug, maps, device)
    event_date, zone = sink.event_day()
    text = path.read_text(encoding="utf-8-sig")
    context = FileContext(event_date, zone, location or path.stem)
    try:
        reads = file_formats()[kind].parse(text, context)
    except ValueError as error:
        raise click.ClickException(f"{path.name}: {error}. Nothing was imported.") from error
    name = sink.device_for("import", path.name)
    try:
        results = []
        for start in range(0, len(reads), 500):
            results += sink.store(reads[start : start + 500], name)
    except Refusal as refusal:
        raise refused(refusal) from refusal
    counts = Counter(result.result for result in results)
    conflicts = (
        f", {counts['conflict']} conflicting (kept for review)" if counts["conflict"] else ""
    )
    click.echo(
        f"Imported {len(results)} reads into {slug}: {counts['accepted']} new, "
        f"{counts['duplicate']} known{conflicts}."
    )
