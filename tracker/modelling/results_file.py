"""Past results files (../shared/data/README.md): one finisher per row, net elapsed seconds."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..domain.course import FASTEST_PLAUSIBLE_PACE_S_PER_KM, SLOWEST_PLAUSIBLE_PACE_S_PER_KM

# Column, code and distance of every timing point of the schema.
CHECKPOINTS = (
    ("k5", "5K", 5.0),
    ("k10", "10K", 10.0),
    ("k15", "15K", 15.0),
    ("k20", "20K", 20.0),
    ("half", "HALF", 21.0975),
    ("k25", "25K", 25.0),
    ("k30", "30K", 30.0),
    ("k35", "35K", 35.0),
    ("k40", "40K", 40.0),
)
FINISH_KM = 42.195


@dataclass(frozen=True)
class Finisher:
    """One finisher: where the row came from, splits as (code, km, seconds), finish."""

    race: str
    year: str
    splits: tuple[tuple[str, float, float], ...]
    finish_s: float

    @property
    def group(self) -> tuple[str, str]:
        return (self.race, self.year)


def _open(path: Path):
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return path.open(newline="", encoding="utf-8")


def read_finishers(path: Path, *, complete: bool = True) -> Iterator[Finisher]:
    """Finishers of a plain or gzip CSV in the shared schema.

    With `complete`, only the rows the models are fitted and judged on: every split
    present and increasing, each segment between 2:30 and 20:00 min/km, no wheelchair
    bibs. Otherwise every row with a finish, its readable splits kept.
    """
    with _open(path) as handle:
        for row in csv.DictReader(handle):
            if (row.get("bib") or "").startswith("W"):
                continue
            try:
                finish = float(row["finish"])
            except (KeyError, ValueError):
                continue
            splits = []
            for column, code, km in CHECKPOINTS:
                try:
                    splits.append((code, km, float(row[column])))
                except (KeyError, ValueError):
                    continue
            finisher = Finisher(row.get("race", ""), row.get("year", ""), tuple(splits), finish)
            if not complete or _is_clean(finisher):
                yield finisher


def _is_clean(finisher: Finisher) -> bool:
    if len(finisher.splits) != len(CHECKPOINTS):
        return False
    before_km, before_s = 0.0, 0.0
    for _, km, elapsed in (*finisher.splits, ("FINISH", FINISH_KM, finisher.finish_s)):
        if elapsed <= before_s:
            return False
        pace = (elapsed - before_s) / (km - before_km)
        # The 1.1 km after half-way is too short to judge a pace on.
        if km - before_km >= 4 and not (
            FASTEST_PLAUSIBLE_PACE_S_PER_KM <= pace <= SLOWEST_PLAUSIBLE_PACE_S_PER_KM
        ):
            return False
        before_km, before_s = km, elapsed
    return True


def read_record_races(path: Path) -> dict[str, dict[float, float]]:
    """`elite_splits.csv`: each race's elapsed seconds by checkpoint km (finish at 42.195)."""
    races: dict[str, dict[float, float]] = {}
    with _open(path) as handle:
        for row in csv.DictReader(handle):
            km = float(row["checkpoint_km"])
            races.setdefault(row["race"], {})[FINISH_KM if abs(km - FINISH_KM) < 1e-3 else km] = (
                float(row["elapsed_s"])
            )
    return races


def is_record_races(path: Path) -> bool:
    """A record-races file (`elite_splits.csv`), told apart by its `checkpoint_km` column."""
    with _open(path) as handle:
        return "checkpoint_km" in handle.readline()


def read_results(path: Path) -> list[Finisher]:
    """Complete finishers of a results file, or of a record-races file, whose races become
    one finisher each."""
    if not is_record_races(path):
        return list(read_finishers(path))
    finishers = []
    for race, splits in read_record_races(path).items():
        if FINISH_KM in splits:
            timed = tuple((code, km, splits[km]) for _, code, km in CHECKPOINTS if km in splits)
            finishers.append(Finisher(race, "", timed, splits[FINISH_KM]))
    return finishers
