"""`flask demo --via raceresult`: the replayed splits arrive through the decoder exactly."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from tracker.db import db
from tracker.demo import decoder as demo_decoder
from tracker.demo import runner, vienna
from tracker.models import Athlete, Checkpoint, Split

# The first splits of the lap (5 km in 14:10, 10 km in 28:20, 15 km in 42:34): 4 s at 600x.
EARLY = [split for split in vienna.SPLITS if split[2] <= 2600]
SPEED = 600.0  # the fastest the demo runs: 1 ms of wall clock is 0.6 s of race clock


def stored_elapsed_ms() -> dict[tuple[str, str], int]:
    db.session.remove()
    rows = db.session.execute(
        select(Athlete.bib, Checkpoint.code, Split.elapsed_ms)
        .join(Athlete, Split.athlete_id == Athlete.id)
        .join(Checkpoint, Split.checkpoint_id == Checkpoint.id)
        .where(Split.voided_at.is_(None))
    )
    return {(bib, code): elapsed for bib, code, elapsed in rows}


def test_the_raceresult_demo_stores_the_replayed_times_exactly(app, monkeypatch):
    feeds = []

    class Feed(demo_decoder.DecoderFeed):
        def __init__(self, app):
            super().__init__(app)
            feeds.append(self)

    monkeypatch.setattr(vienna, "SPLITS", EARLY)
    monkeypatch.setattr(runner, "DecoderFeed", Feed)
    expected = {(bib, code): round(elapsed * 1000) for bib, code, elapsed in EARLY}
    try:
        runner.run_demo(app, SPEED, laps=1, pause_s=0, via="raceresult")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(stored_elapsed_ms()) < len(expected):
            time.sleep(0.1)
        # Kipchoge's 5 km split was 14:10 (850 s): stored as 850000 ms, not 849972.
        assert stored_elapsed_ms() == expected
    finally:
        # The decoder client writes its link state as it stops: let it, before the app goes.
        for feed in feeds:
            feed.stop.set()
        for thread in threading.enumerate():
            if thread.name == "demo-decoder-client":
                thread.join(timeout=15)
        for feed in feeds:
            feed.decoder.close()
