"""One gunicorn on a fresh SQLite database with Vienna set up, for the operations tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from racekit import CHECKPOINTS, GUN
from servers import Server, flask_cli


@dataclass
class RunningRace:
    """A server with Vienna (bib 1, gun fired) and an admin's and an official's headers."""

    server: Server
    admin: dict[str, str]
    official: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.server.base_url


def _token(url: str, role: str) -> dict[str, str]:
    printed = flask_cli(url, "token", "create", "--role", role, "--name", f"ops-{role}")
    return {"Authorization": f"Bearer {printed.split()[-1]}"}


@contextmanager
def running_race(
    sqlite_template: str, folder: Path, extra_env: dict[str, str] | None = None
) -> Iterator[RunningRace]:
    """gunicorn with the repository's configuration on a copy of the migrated template."""
    path = folder / "tracker.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    admin, official = _token(url, "admin"), _token(url, "official")
    with Server(url, extra_env) as server:
        base = server.base_url
        race = {"slug": "vienna", "name": "Vienna", "checkpoints": CHECKPOINTS}
        requests.post(f"{base}/api/races", json=race, headers=admin).raise_for_status()
        athlete = {"bib": "1", "name": "Eliud Kipchoge"}
        requests.post(
            f"{base}/api/races/vienna/athletes", json=athlete, headers=admin
        ).raise_for_status()
        requests.post(
            f"{base}/api/races/vienna/start", json={"at": GUN}, headers=admin
        ).raise_for_status()
        yield RunningRace(server, admin, official)
