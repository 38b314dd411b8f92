"""Real servers for end-to-end tests: gunicorn as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask_cli(database_url: str, *args: str) -> str:
    """Run an operator command as an operator would, returning its standard output."""
    result = subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if requests.get(base_url + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} did not become healthy in {timeout_s} s")


class Server:
    """gunicorn with the repository's configuration, started and stopped by a test."""

    def __init__(
        self,
        database_url: str,
        extra_env: dict[str, str] | None = None,
        command: list[str] | None = None,
        port: int | None = None,
        log: Path | None = None,
        health_timeout_s: float = 20,
    ) -> None:
        self.port = port or free_port()  # a given port: a restart where clients expect it
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, **(extra_env or {})}
        self.command = command or [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{self.port}",
            "app:app",
        ]
        self.process: subprocess.Popen | None = None
        self.log = log  # the server's own log, appended to; a pipe nobody reads could fill
        self.health_timeout_s = health_timeout_s  # a demo enters its field while booting

    def start(self) -> Server:
        log = self.log.open("ab") if self.log else subprocess.PIPE
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        if self.log:
            log.close()  # the server holds its own copy
        try:
            wait_until_healthy(self.base_url, self.process, self.health_timeout_s)
        except Exception:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL the master and its worker at once, as a crash or power cut would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_pipe()

    def _close_pipe(self) -> None:
        """Close our end of the server's stderr pipe (a restart makes a new one)."""
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_pipe()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
