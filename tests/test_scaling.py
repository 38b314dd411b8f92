"""Several processes behind nginx, sharing live events through the real Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests

from livekit import Watcher
from racekit import CHECKPOINTS, GUN
from servers import ROOT, Server, flask_cli, free_port

pytestmark = pytest.mark.server
IN_CI = os.environ.get("CI") == "true"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def need(available: bool, what: str) -> None:
    """A missing service fails the run in CI and skips it elsewhere."""
    if not available:
        (pytest.fail if IN_CI else pytest.skip)(f"{what} is not available")


def redis_reachable() -> bool:
    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError:
        return False


class Nginx:
    """nginx with the shipped deploy/nginx.conf, pointed at the test's processes."""

    def __init__(self, workdir: Path, upstreams: list[int]) -> None:
        self.port = free_port()
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        servers = "".join(f"        server 127.0.0.1:{port};\n" for port in upstreams)
        conf = conf.replace(
            "        server 127.0.0.1:8001;\n        server 127.0.0.1:8002;\n", servers
        ).replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        assert servers in conf and str(self.port) in conf, "deploy/nginx.conf changed shape"
        self.workdir = workdir
        preamble = f"user root;\npid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\n"
        conf = preamble + conf.replace(
            "http {\n",
            f"http {{\n    access_log {workdir}/access.log;\n"
            + "".join(
                f"    {kind}_temp_path {workdir}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            ),
        )
        (workdir / "nginx.conf").write_text(conf)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        self.process = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(self.workdir),
                "-c",
                str(self.workdir / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.base_url + "/healthz", timeout=2)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.__exit__()
        raise TimeoutError("nginx did not start: " + (self.workdir / "error.log").read_text())

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stderr.close()


@pytest.fixture
def deployment(postgres_database):
    """The database two processes share, migrated, with an admin token."""
    flask_cli(postgres_database, "db", "upgrade")
    name = f"ops-{uuid.uuid4().hex[:6]}"
    token = flask_cli(
        postgres_database, "token", "create", "--role", "admin", "--name", name
    ).split()[-1]
    return postgres_database, {"Authorization": f"Bearer {token}"}


def set_up_race(base_url: str, headers: dict) -> str:
    slug = f"multi-{uuid.uuid4().hex[:8]}"
    for path, body in [
        ("/api/races", {"slug": slug, "name": "Two processes", "checkpoints": CHECKPOINTS}),
        (f"/api/races/{slug}/athletes", {"bib": "1", "name": "Eliud Kipchoge"}),
        (f"/api/races/{slug}/start", {"at": GUN}),
    ]:
        requests.post(base_url + path, json=body, headers=headers, timeout=10).raise_for_status()
    return slug


def test_a_split_posted_to_one_process_reaches_watchers_of_the_other_and_through_nginx(
    deployment, tmp_path
):
    need(redis_reachable(), "Redis on 127.0.0.1:6379")
    need(NGINX is not None, "nginx")
    database, headers = deployment
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"}
    with (
        Server(database, env) as a,
        Server(database, env) as b,
        Nginx(tmp_path, [a.port, b.port]) as proxy,
    ):
        slug = set_up_race(a.base_url, headers)
        on_b = Watcher(b.base_url, slug).connect()
        via_nginx = Watcher(proxy.base_url, slug).connect()
        try:
            assert on_b.wait_for(lambda w: w.state is not None)
            assert via_nginx.wait_for(lambda w: w.state is not None)
            requests.post(
                f"{a.base_url}/api/races/{slug}/splits",
                headers=headers,
                json={"bib": "1", "checkpoint": "5K", "elapsed_s": 850},
            ).raise_for_status()
            requests.post(
                f"{proxy.base_url}/api/races/{slug}/splits",
                headers=headers,
                json={"bib": "1", "checkpoint": "10K", "elapsed_s": 1700},
            ).raise_for_status()
            for watcher in (on_b, via_nginx):
                assert watcher.wait_for(lambda w: len(w.deltas) == 2), watcher.deltas
                assert [d["athlete"]["splits"][-1]["checkpoint"] for d in watcher.deltas] == [
                    "5K",
                    "10K",
                ]
                assert watcher.snapshots == 1  # no gap: nothing was missed
        finally:
            on_b.close()
            via_nginx.close()


def test_without_redis_no_split_is_lost_and_watchers_recover_from_the_heartbeat(deployment):
    database, headers = deployment
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    env = {"REDIS_URL": dead_redis, "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"}
    with Server(database, env) as a, Server(database, env) as b:
        slug = set_up_race(a.base_url, headers)
        on_b = Watcher(b.base_url, slug).connect()
        try:
            assert on_b.wait_for(lambda w: w.state is not None)
            response = requests.post(
                f"{a.base_url}/api/races/{slug}/splits",
                headers=headers,
                json={"bib": "1", "checkpoint": "5K", "elapsed_s": 850},
                timeout=10,
            )
            assert response.status_code == 201
            # The delta cannot cross without Redis; B's heartbeat shows a newer seq, and the
            # watcher's resync fetches the split from the database.
            assert on_b.wait_for(lambda w: w.state["athletes"][0]["splits"], timeout=15)
            assert on_b.snapshots >= 2
        finally:
            on_b.close()
