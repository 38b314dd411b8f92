"""One gunicorn on a fresh SQLite database with Vienna set up, for the operations tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from racekit import CHECKPOINTS, GUN
from servers import ROOT, Server, flask_cli, wait_until_healthy


class LoggedServer(Server):
    """gunicorn whose access log (stdout) and error log (stderr) go to files to read."""

    def __init__(self, database_url: str, folder: Path, extra_env: dict | None = None) -> None:
        super().__init__(database_url, extra_env)
        self.access_log, self.error_log = folder / "access.log", folder / "error.log"

    def start(self) -> LoggedServer:
        with self.access_log.open("wb") as out, self.error_log.open("wb") as err:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, start_new_session=True, stdout=out, stderr=err
            )
        try:
            wait_until_healthy(self.base_url, self.process)
        except Exception:
            self.stop()
            raise
        return self


@dataclass
class RunningRace:
    """A server with Vienna (bib 1, gun fired) and an admin's and an official's headers."""

    server: LoggedServer
    admin: dict[str, str]
    official: dict[str, str]
    timing: dict[str, str]

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
    admin, official, timing = (_token(url, role) for role in ("admin", "official", "timing"))
    with LoggedServer(url, folder, extra_env) as server:
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
        yield RunningRace(server, admin, official, timing)
