"""Private PostgreSQL and Redis servers that a fault test may stop, crash and restart.

The machine's shared servers (5432, 6379) serve every other test and engineer, so a fault
test never stops them. It starts its own instance from the same server binaries on a free
loopback port instead: the same version, and the same failure as stopping the shared one.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from servers import free_port


def _newest_postgres_bin() -> Path | None:
    """The bin dir of the newest PostgreSQL installed the Debian way, if any."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    found.sort(key=lambda path: [int(part) for part in path.split("/")[4].split(".")])
    return Path(found[-1]).parent if found else None


PG_BIN = _newest_postgres_bin()
REDIS_SERVER = shutil.which("redis-server")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temp dir, run as `postgres` when we are root."""

    def __init__(self) -> None:
        if PG_BIN is None:
            raise FileNotFoundError("no /usr/lib/postgresql/*/bin/initdb")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/tracker"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def create(self) -> PrivatePostgres:
        """initdb (trust on loopback only), start, and create the `tracker` database."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.start()
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE tracker")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash (no checkpoint, recovery at the next start); `fast` a clean stop."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *self.as_postgres,
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """redis-server in the foreground on a free loopback port, without persistence."""

    def __init__(self) -> None:
        if REDIS_SERVER is None:
            raise FileNotFoundError("no redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return self
            except redis.RedisError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def stop(self) -> None:
        """Kill it: connections are refused until `start` (same port)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def freeze(self, frozen: bool) -> None:
        """SIGSTOP/SIGCONT: a Redis that accepts connections and never answers."""
        self.process.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)


def require(available: bool, what: str) -> None:
    """A missing server binary fails the run in CI and skips the test elsewhere."""
    import pytest

    if not available:
        (pytest.fail if os.environ.get("CI") == "true" else pytest.skip)(f"{what} is not installed")
