"""A spectator's client in Python: real Socket.IO, and the same merge rules as the pages."""

from __future__ import annotations

import itertools
import re
import threading
import time
from copy import deepcopy

import requests
import socketio

from racekit import CHECKPOINTS, GUN

_slugs = itertools.count()
# Errors that answer a watch or resync instead of its snapshot.
REFUSED_REQUESTS = {"rate_limited", "invalid_event", "unknown_race", "not_watching"}
FIELD_CHANGES = {"reset", "gun_corrected", "ghosts_changed"}


def merge(state: dict, delta: dict) -> str:
    """Apply one delta to a snapshot state, as the browser does. Returns what happened.

    'applied', 'stale' (already in the state) or 'gap' (a delta was missed: resync).
    Race-stream deltas (seq set) must follow the state's seq exactly; athlete-only deltas
    (seq null, for followed athletes outside the summary) follow that athlete's own seq.
    """
    athletes = {a["bib"]: a for a in state["athletes"]}
    if delta["kind"] == "batch":
        # A mass passage's changes first_seq..seq at once, each athlete in its latest state.
        if delta["seq"] <= state["seq"]:
            return "stale"
        if delta["first_seq"] > state["seq"] + 1:
            return "gap"
        athletes.update({a["bib"]: a for a in delta["athletes"]})
        state["athletes"] = sorted(athletes.values(), key=lambda a: a["bib"])
        state["seq"] = delta["seq"]
        return "applied"
    if delta["seq"] is not None:
        if delta["seq"] <= state["seq"]:
            return "stale"
        if delta["seq"] != state["seq"] + 1:
            return "gap"
        state["seq"] = delta["seq"]
    else:
        known = athletes.get(delta["athlete"]["bib"])
        known_seq = known["seq"] if known else 0
        if delta["athlete"]["seq"] <= known_seq:
            return "stale"
        if known and delta["athlete"]["seq"] != known_seq + 1:
            return "gap"
    if delta["kind"] == "race":
        # The whole field changed (a new demo lap, a corrected gun, every athlete's gaps to
        # the ghosts when one is uploaded or removed): take a fresh snapshot.
        if delta["change"]["type"] in FIELD_CHANGES:
            return "gap"
        state["race"] = delta["race_state"]
    else:
        athletes[delta["athlete"]["bib"]] = delta["athlete"]
        state["athletes"] = sorted(athletes.values(), key=lambda a: a["bib"])
    return "applied"


class Watcher:
    """Connects to /live, watches a race, keeps a merged state and resyncs on gaps."""

    def __init__(
        self,
        base_url: str,
        race: str,
        athletes: tuple[str, ...] = (),
        timing: bool = False,
        cookie: str | None = None,
    ) -> None:
        self.base_url, self.race, self.athletes = base_url, race, list(athletes)
        self.timing, self.cookie = timing, cookie
        self.timing_reports: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.state: dict | None = None
        self.deltas: list[dict] = []
        self.errors: list[dict] = []
        self.heartbeats: list[dict] = []
        self.snapshots = 0
        self.built_at: list[float] = []
        # One snapshot request at a time, as the server allows: deltas wait meanwhile.
        self._asking = False
        self._watch_next = False
        self._early: list[dict] = []
        self._changed = threading.Condition()
        self.client.on("snapshot", self._on_snapshot, namespace="/live")
        self.client.on("delta", self._on_delta, namespace="/live")
        self.client.on("heartbeat", self._on_heartbeat, namespace="/live")
        self.client.on("error", self._on_error, namespace="/live")
        self.client.on("timing", self._on_timing, namespace="/live")

    def connect(self) -> Watcher:
        self.client.connect(
            self.base_url,
            namespaces=["/live"],
            transports=["websocket"],
            wait_timeout=10,
            headers={"Cookie": self.cookie} if self.cookie else {},
        )
        self.watch()
        return self

    def watch(self) -> None:
        if self._asking:
            self._watch_next = True
            return
        self.state, self._asking = None, True
        watch = {"race": self.race, "athletes": self.athletes}
        if self.timing:
            watch["timing"] = True
        self.client.emit("watch", watch, namespace="/live")

    def resync(self) -> None:
        """Ask for a fresh snapshot, unless one is already on its way."""
        if not self._asking:
            self._asking = True
            self.client.emit("resync", {"race": self.race}, namespace="/live")

    def close(self) -> None:
        self.client.disconnect()
        # python-engineio's client leaves its websocket open when the server closed first.
        socket = getattr(self.client.eio, "ws", None)
        if socket is not None:
            socket.shutdown()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def _on_timing(self, report: dict) -> None:
        self.timing_reports.append(report)
        self._notify()

    def _on_snapshot(self, snapshot: dict) -> None:
        self.snapshots += 1
        self.built_at.append(snapshot["built_at"])
        self.state = {k: v for k, v in snapshot.items() if k not in ("server_time", "built_at")}
        self._answered()
        self._notify()

    def _answered(self) -> None:
        """The snapshot request was answered (or refused): apply what waited, ask again."""
        self._asking = False
        early, self._early = self._early, []
        for delta in early:
            if self.state is not None:
                self._apply(delta)
        if self._watch_next:
            self._watch_next = False
            self.watch()

    def _apply(self, delta: dict) -> None:
        if merge(self.state, delta) == "gap":
            self.resync()

    def _on_delta(self, delta: dict) -> None:
        self.deltas.append(delta)
        if self.state is None or self._asking:
            self._early.append(delta)
        else:
            self._apply(delta)
        self._notify()

    def _on_heartbeat(self, beat: dict) -> None:
        self.heartbeats.append(beat)
        if self.state is not None and beat["seq"] > self.state["seq"]:
            self.resync()
        self._notify()

    def _on_error(self, error: dict) -> None:
        self.errors.append(error)
        if self._asking and error["code"] in REFUSED_REQUESTS:
            self._answered()
        self._notify()

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Wait (bounded) until predicate(self) holds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.2))
        return True

    def view(self) -> dict:
        """The merged state, comparable with a fresh snapshot."""
        return deepcopy(self.state)


class RemoteRace:
    """A race set up over HTTP on a running server, as an admin would."""

    def __init__(
        self,
        server,
        athletes=(("1", "Eliud Kipchoge"), ("P1", "Pacer One")),
        featured=(),
        gun=GUN,
    ):
        self.server, self.base = server, server.base_url
        self.slug = f"live-{next(_slugs)}"
        self.post("/api/races", {"slug": self.slug, "name": "Live", "checkpoints": CHECKPOINTS})
        for bib, name in athletes:
            self.post(
                f"/api/races/{self.slug}/athletes",
                {"bib": bib, "name": name, "featured": bib in featured},
            )
        self.post(f"/api/races/{self.slug}/start", {"at": gun})

    def post(self, path, body, expect=(200, 201)):
        response = requests.post(
            self.base + path, json=body, headers=self.server.headers, timeout=10
        )
        assert response.status_code in expect, response.text
        return response.json()

    def split(self, bib, checkpoint, elapsed_s):
        return self.post(
            f"/api/races/{self.slug}/splits",
            {"bib": bib, "checkpoint": checkpoint, "elapsed_s": elapsed_s},
        )["split"]

    def correct(self, split_id, elapsed_s):
        response = requests.patch(
            f"{self.base}/api/races/{self.slug}/splits/{split_id}",
            json={"elapsed_s": elapsed_s, "reason": "review"},
            headers=self.server.headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text

    def void(self, split_id):
        response = requests.delete(
            f"{self.base}/api/races/{self.slug}/splits/{split_id}",
            json={"reason": "wrong"},
            headers=self.server.headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text

    def snapshot(self, athletes=()):
        """A fresh snapshot through a new client, as a page that has just loaded gets it."""
        watcher = Watcher(self.base, self.slug, tuple(athletes)).connect()
        try:
            assert watcher.wait_for(lambda w: w.state is not None)
            return watcher.view()
        finally:
            watcher.close()


def login_cookie(base_url: str, token: str) -> str:
    """Log in at /login as the officials' console does; the session cookie as a header."""
    browser = requests.Session()
    form = browser.get(f"{base_url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    answer = browser.post(
        f"{base_url}/login", data={"token": token, "csrf_token": csrf}, timeout=10
    )
    assert answer.ok, answer.text
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
