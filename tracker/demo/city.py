"""A generated city marathon for the demo: a few thousand runners in three waves, with
genders, ages and so categories, some personal targets and a few DNFs.

The field is drawn from what the package ships: finish times spread like a big-city field,
and each runner's fade from the default finish model's baseline (ln of the finish over the
average-pace projection at each checkpoint, at the runner's own quantile), so the splits
slow the way 286,464 Berlin and Boston finishers did. Nothing from outside the package.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass

from ..domain.finish_model import LEVELS
from ..replay import ReplaySplit
from ..services import athlete_status, live_events, waves
from ..services import athletes as athlete_service
from ..services import races as race_service
from ..services.finish_models import default_model

SLUG = "city-marathon"
NAME = "City Marathon (generated demo)"
TIMEZONE = "Europe/Berlin"
DISTANCE_M = 42195.0
TARGET_S = 4 * 3600.0
CHECKPOINTS = [
    {"code": "10K", "name": "10 km", "distance_m": 10000.0},
    {"code": "HALF", "name": "Half", "distance_m": 21097.5},
    {"code": "30K", "name": "30 km", "distance_m": 30000.0},
]
WAVES = [("A", "Wave A", 0.0), ("B", "Wave B", 600.0), ("C", "Wave C", 1200.0)]
RUNNERS = 2000
DNF_SHARE = 0.01
FIRST = {
    "F": ["Anna", "Zoë", "Lea", "Sofía", "Ingrid", "Aiko", "Chloé", "Małgorzata", "Amara", "Jana"],
    "M": ["José", "Łukasz", "Jonas", "Kemal", "Sean", "Björn", "Mateo", "Hiroshi", "Thabo", "Luc"],
}
LAST = ["Núñez", "Müller", "Strøm", "Dubois", "Öztürk", "García", "Kowalski", "Tanaka", "Smith"]
COMMON_TARGETS = [3 * 3600, 3.5 * 3600, 4 * 3600, 4.5 * 3600, 5 * 3600]


@dataclass(frozen=True)
class Runner:
    """One generated entrant, their splits and, for a few, where they stop."""

    athlete: dict
    splits: list[ReplaySplit]
    stops_after: str | None


def _quantile(values: tuple[float, ...], level: float) -> float:
    """A fitted quantile at any level, straight between the model's."""
    index = min(max(bisect.bisect_left(LEVELS, level), 1), len(LEVELS) - 1)
    low, high = LEVELS[index - 1], LEVELS[index]
    share = (level - low) / (high - low)
    return values[index - 1] + (values[index] - values[index - 1]) * share


def field(runners: int = RUNNERS, seed: int = 2026) -> list[Runner]:
    """The whole field, the same for a given seed: fastest in wave A, slowest in C."""
    rng = random.Random(seed)
    baseline = {fit.distance_km: fit.quantiles[0] for fit in default_model().baseline}
    finishes = sorted(math.exp(rng.gauss(math.log(4.3 * 3600), 0.15)) for _ in range(runners))
    out = []
    for index, finish in enumerate(finishes):
        bib = str(index + 1)
        gender = "F" if rng.random() < 0.4 else "M"
        wave_code, _, wave_s = WAVES[min(index * len(WAVES) // runners, len(WAVES) - 1)]
        start = wave_s + rng.uniform(0, 300)  # crossing the start in the crowd
        level = rng.uniform(0.05, 0.95)  # how this runner fades, against the field
        splits, previous = [], start
        for mark in [*CHECKPOINTS, {"code": "FINISH", "distance_m": DISTANCE_M}]:
            km = mark["distance_m"] / 1000
            nearest = min(baseline, key=lambda d: abs(d - km))
            fade = _quantile(baseline[nearest], level) if km < DISTANCE_M / 1000 else 0.0
            at = max(previous + 60, start + finish * km / (DISTANCE_M / 1000) / math.exp(fade))
            splits.append(ReplaySplit(bib, mark["code"], round(at, 1)))
            previous = at
        stops_after = None
        if rng.random() < DNF_SHARE:
            kept = rng.randint(1, len(CHECKPOINTS))
            splits, stops_after = splits[:kept], splits[kept - 1].checkpoint
        # A third chose a round target just beyond what they can run.
        hoped = [t for t in COMMON_TARGETS if t >= finish * 0.97]
        target = hoped[0] if hoped and rng.random() < 0.3 else None
        athlete = {
            "bib": bib,
            "name": f"{rng.choice(FIRST[gender])} {rng.choice(LAST)}",
            "gender": gender,
            "birth_year": rng.randint(1950, 2005),
            "wave": wave_code,
            "target_s": float(target) if target else None,
            "featured": index < 3,
        }
        out.append(Runner(athlete, splits, stops_after))
    return out


ENTRY_CHUNK = 100  # athletes a transaction: the server's worker must not wait on one long


def clear_city_race(session, speed: float):
    """The city race emptied (or created with its waves), its guns not fired."""
    race = race_service.race_named(session, SLUG)
    if race is None:
        race = race_service.create_race(
            session,
            slug=SLUG,
            name=NAME,
            distance_m=DISTANCE_M,
            target_s=TARGET_S,
            timezone=TIMEZONE,
            clock_rate=speed,
            checkpoints=CHECKPOINTS,
        )
        for code, name, _ in WAVES:
            waves.add_wave(session, race, code=code, name=name)
    else:
        race_service.clear_field(session, race)
        race.gun_time = None
        race.clock_rate = speed
        for wave in race.waves:
            wave.gun_time = None
    live_events.race_changed(session, race, "reset")
    return race


def enter_runners(session, runners: list[Runner], now) -> None:
    """Enter some of the field (in chunks: see ENTRY_CHUNK)."""
    race = race_service.find_race(session, SLUG)
    for runner in runners:
        athlete_service.add_athlete(session, race, **runner.athlete, now=now)


def fire_first_gun(session, now):
    """The race's gun, which wave A shares; the later waves' guns are fired by the replay
    as its clock reaches them."""
    race = race_service.find_race(session, SLUG)
    race_service.start_race(session, race, at=now)
    first = waves.find_wave(race, WAVES[0][0])
    waves.fire_wave(session, race, first, at=now, now=now, tolerance_s=5)  # with the race's gun
    return race


def events(runners: list[Runner]) -> list[tuple[float, str, str]]:
    """What officials do during the race, on its clock: fire waves B and C, and set DNF
    a while after a runner's last split."""
    done = [(offset, "wave", code) for code, _, offset in WAVES[1:]]
    done += [
        (runner.splits[-1].elapsed_s + 900, "dnf", runner.athlete["bib"])
        for runner in runners
        if runner.stops_after
    ]
    return sorted(done)


def act(session, race, kind: str, subject: str, *, now, runners_by_bib: dict) -> None:
    """Carry out one of `events` as the officials would."""
    if kind == "wave":
        waves.fire_wave(
            session, race, waves.find_wave(race, subject), at=now, now=now, tolerance_s=5
        )
    else:
        stopped = runners_by_bib[subject].stops_after
        athlete_status.set_status(
            session,
            race,
            race_service.find_athlete(session, race, subject),
            status="dnf",
            reason=f"stopped after {stopped}",
        )
