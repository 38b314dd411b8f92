"""Replaying a list of splits into a race on its own clock, through the normal split path."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask

from .db import db, utc_now
from .domain.audit import Actor
from .domain.race_clock import SplitTime, elapsed_at, not_started
from .domain.refusals import Refusal
from .progress import Steps, quietly
from .services.races import find_race
from .services.split_requests import record_split
from .transactions import write


@dataclass(frozen=True)
class ReplaySplit:
    """One split to replay: bib, checkpoint code, seconds from the gun."""

    bib: str
    checkpoint: str
    elapsed_s: float
    approximate: bool = False


def read_splits_csv(path: Path) -> list[ReplaySplit]:
    """Splits from a CSV with columns bib, checkpoint, elapsed_s (our own export works too).

    Voided rows of an export are skipped; repeated rows collapse into one.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"bib", "checkpoint", "elapsed_s"} <= set(rows[0]):
        raise ValueError("the CSV needs the columns bib, checkpoint and elapsed_s")
    unique = {
        ReplaySplit(row["bib"].strip(), row["checkpoint"].strip(), float(row["elapsed_s"]))
        for row in rows
        if row.get("voided", "no") != "yes"
    }
    return sorted(unique, key=lambda split: (split.elapsed_s, split.bib))


def replay(
    app: Flask,
    slug: str,
    splits: Iterable[ReplaySplit],
    *,
    entered_by: str = "replay",
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = utc_now,
    on_refusal: Callable[[ReplaySplit, Refusal], None] | None = None,
    steps: Steps = quietly,
) -> int:
    """Enter each split when the race clock reaches it; returns how many were new.

    The race must have started; its clock rate sets the replay speed.
    """
    created = 0
    for split in steps(sorted(splits, key=lambda s: s.elapsed_s)):
        with app.app_context():
            race = find_race(db.session, slug)
            gun, rate = race.gun_time, race.clock_rate
            db.session.rollback()
        refusal = not_started(gun)
        if refusal is not None:
            raise refusal
        wait_s = (split.elapsed_s - elapsed_at(gun, now(), rate)) / rate
        # Behind the clock, still yield: inside the server (the demo, a gevent greenlet) a
        # replay that never sleeps starves the worker's heartbeat and gets it killed.
        sleep(max(wait_s, 0.0))
        with app.app_context():
            try:
                outcome = write(
                    lambda s=split: _enter(app, slug, s, entered_by, now()),
                    actor=Actor(entered_by, None, "replay"),
                )
            except Refusal as refusal:
                if on_refusal is None:
                    raise
                on_refusal(split, refusal)
                continue
            created += outcome.changed
    return created


def _enter(app: Flask, slug: str, split: ReplaySplit, entered_by: str, now: datetime):
    race = find_race(db.session, slug)
    return record_split(
        db.session,
        race,
        bib=split.bib,
        checkpoint_code=split.checkpoint,
        given=SplitTime(elapsed_s=split.elapsed_s),
        source="import",
        entered_by=entered_by,
        now=now,
        idempotency_key=(
            f"replay:{race.id}:{split.bib}:{split.checkpoint}:{round(split.elapsed_s * 1000)}"
        ),
        future_tolerance_s=app.config["FUTURE_TOLERANCE_S"],
        approximate=split.approximate,
    )
