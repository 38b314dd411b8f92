"""The demo through timing equipment: Vienna's passings come from a fake RACE RESULT
decoder on loopback, read by the real decoder client exactly as at a race (`flask demo
--via raceresult`): pulls and pushes, the clock offset, and mat health all live."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from ..timing.raceresult import run_client
from ..timing.simulators import FakeDecoder
from ..timing.sink import ReadSink
from . import vienna

DEVICE = "demo-decoder"
BOX = "D-1959"


class DecoderFeed:
    """A fake decoder and the client reading it into the demo race, for the process's life."""

    def __init__(self, app: Flask) -> None:
        self.decoder = FakeDecoder(box=BOX, zone=vienna.TIMEZONE)
        self.chips = {
            athlete["bib"]: athlete.get("chips", [None])[0] for athlete in vienna.ATHLETES
        }
        self.stop = threading.Event()
        sink = ReadSink(app, vienna.SLUG, device=DEVICE)
        threading.Thread(
            target=run_client,
            args=(sink, "127.0.0.1", self.decoder.port, self.stop),
            kwargs={"poll_s": 2.0},
            name="demo-decoder-client",
            daemon=True,
        ).start()

    def new_lap(self) -> None:
        """Each lap is a new timing session on the decoder: a new passing file."""
        self.decoder.new_file()

    def passed(self, bib: str, checkpoint: str, at: datetime) -> None:
        """The decoder at `checkpoint` detects the athlete's chip at `at` and pushes it."""
        chip = self.chips.get(bib)
        if chip is None:
            return
        # A real decoder writes milliseconds, but the demo's race clock runs up to 600 times
        # faster than the wall clock: 1 ms of the decoder's clock would be 0.6 s of race time.
        # The fake decoder writes the instant to the microsecond (the parser reads any
        # fraction), so the stored elapsed time is the replayed one to the millisecond.
        local = at.astimezone(ZoneInfo(vienna.TIMEZONE))
        self.decoder.passings.append(
            f"{chip};{local:%Y-%m-%d};{local:%H:%M:%S.%f};0;5;30;;0;;;;;;;;{checkpoint}"
        )
        self.decoder.release(1)
