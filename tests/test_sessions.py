"""Officials' logins are server-side: logout and revocation end them, a restart keeps them."""

from __future__ import annotations

import os
import re
import stat

import pytest
import requests

from conftest import make_app
from livekit import RemoteRace, Watcher, login_cookie
from servers import Server, flask_cli

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'tracker.sqlite3'}"
    flask_cli(url, "db", "upgrade")
    return url


@pytest.fixture(scope="module")
def tokens(database):
    def create(role, name):
        return flask_cli(database, "token", "create", "--role", role, "--name", name).split()[-1]

    return {"admin": create("admin", "ops"), "official": create("official", "ana")}


@pytest.fixture(scope="module")
def server(database, tokens):
    with Server(database) as running:
        running.headers = {"Authorization": f"Bearer {tokens['admin']}"}
        yield running


def open_console(base_url: str, slug: str, cookie: str) -> tuple[str, str]:
    """The console's CSRF token and the cookie as the browser holds it after the page."""
    browser = requests.Session()
    page = browser.get(f"{base_url}/races/{slug}/official", headers={"Cookie": cookie}, timeout=10)
    assert page.status_code == 200, page.url
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    updated = page.history[0].cookies if page.history else page.cookies
    return csrf, "; ".join(f"{k}={v}" for k, v in updated.items()) or cookie


def post_split(base_url: str, slug: str, cookie: str, csrf: str, bib: str) -> requests.Response:
    return requests.post(
        f"{base_url}/api/races/{slug}/splits",
        json={"bib": bib, "checkpoint": "5K", "elapsed_s": 850},
        headers={"Cookie": cookie, "X-CSRFToken": csrf},
        timeout=10,
    )


def test_a_console_cookie_copied_before_logout_is_refused_after_it(server, tokens):
    race = RemoteRace(server)
    cookie = login_cookie(server.base_url, tokens["official"])
    csrf, cookie = open_console(server.base_url, race.slug, cookie)
    assert post_split(server.base_url, race.slug, cookie, csrf, "1").status_code == 201

    logout = requests.post(
        f"{server.base_url}/logout",
        data={"csrf_token": csrf},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code == 302

    copied = post_split(server.base_url, race.slug, cookie, csrf, "P1")
    assert copied.status_code == 401, copied.text
    assert copied.json()["code"] == "auth_required"
    splits = requests.get(f"{server.base_url}/api/races/{race.slug}/athletes/P1").json()["splits"]
    assert splits == []

    # The login and the logout are in the audit log, signed by the official, from loopback.
    log = requests.get(f"{server.base_url}/api/audit", headers=server.headers, timeout=10).json()
    sessions = [
        (e["action"], e["actor"], e["role"], e["origin"])
        for e in log["entries"]
        if e["action"].startswith("session.")
    ]
    assert sessions[-2:] == [
        ("session.login", "ana", "official", "127.0.0.1"),
        ("session.logout", "ana", "official", "127.0.0.1"),
    ]


def test_a_revoked_tokens_socket_stops_receiving_timing_and_hears_why(server, database):
    token = flask_cli(database, "token", "create", "--role", "official", "--name", "bo").split()[-1]
    race = RemoteRace(server)
    official = Watcher(
        server.base_url, race.slug, timing=True, cookie=login_cookie(server.base_url, token)
    ).connect()
    try:
        assert official.wait_for(lambda w: w.timing_reports)
        flask_cli(database, "token", "revoke", "bo")
        assert official.wait_for(lambda w: w.errors, timeout=15)
        assert official.errors[0]["code"] == "session_ended"
        heard = len(official.timing_reports)
        # Other officials' mat health keeps flowing on the heartbeat; this socket hears none.
        assert not official.wait_for(lambda w: len(w.timing_reports) > heard, timeout=12)
        assert official.wait_for(lambda w: len(w.heartbeats) >= 2)  # still a spectator
    finally:
        official.close()


def test_logging_out_ends_the_mat_health_of_the_sockets_that_login_opened(server, tokens):
    race = RemoteRace(server)
    cookie = login_cookie(server.base_url, tokens["official"])
    csrf, cookie = open_console(server.base_url, race.slug, cookie)
    official = Watcher(server.base_url, race.slug, timing=True, cookie=cookie).connect()
    try:
        assert official.wait_for(lambda w: w.timing_reports)
        requests.post(
            f"{server.base_url}/logout",
            data={"csrf_token": csrf},
            headers={"Cookie": cookie},
            timeout=10,
        )
        assert official.wait_for(lambda w: w.errors, timeout=15)
        assert official.errors[0]["code"] == "session_ended"
    finally:
        official.close()


def test_a_restart_without_a_secret_key_keeps_the_officials_logged_in(database, tokens):
    environment = {"SECRET_KEY": ""}
    with Server(database, environment) as first:
        first.headers = {"Authorization": f"Bearer {tokens['admin']}"}
        race = RemoteRace(first)
        cookie = login_cookie(first.base_url, tokens["official"])
        csrf, cookie = open_console(first.base_url, race.slug, cookie)
    with Server(database, environment) as again:
        assert post_split(again.base_url, race.slug, cookie, csrf, "1").status_code == 201
    key = os.path.join(make_app(database).instance_path, "secret_key")
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
