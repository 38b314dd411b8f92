"""From raw chip reads to one passing per athlete and checkpoint (../shared/docs/TIMING.md §9).

Pure and recomputed from the full stored set of an athlete's reads, so late, repeated and
out-of-order reads give the same result whatever order they arrived in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .course import FASTEST_PLAUSIBLE_PACE_S_PER_KM, Course

MERGE_WINDOW_S = 5.0  # RACE RESULT's default dead time: one crossing, many reads
MIN_SEGMENT_S = 30.0  # never accept two mats closer together in time than this
PRESTART_S = 6.0  # reads this long before the gun still count as the start ("round up")
START_WINDOW_S = 600.0  # an athlete's own start is the last start-mat read this soon after
MAIN, BACKUP = "main", "backup"
START = "START"  # the start mat's code: it is not a checkpoint, it gives chip (net) time

USED = "used"
DUPLICATE = "duplicate"
IMPLAUSIBLE = "implausible"
PRESTART = "prestart"
WRONG_MAT = "wrong_mat"
MANUAL_OVERRIDE = "manual_override"
UNUSED_START = "unused_start"
# Corrections the scorer makes are signed so; any other correction is an official's.
SCORER = "scorer"


@dataclass(frozen=True)
class Read:
    """One stored chip read of one athlete: where, on which line, seconds from the gun."""

    key: str
    checkpoint: str
    elapsed_s: float
    line: str = MAIN


@dataclass(frozen=True)
class Verdict:
    """What became of a read, and why."""

    status: str
    reason: str = ""


@dataclass(frozen=True)
class Scored:
    """One athlete's accepted passings (checkpoint to the governing read), their own start
    (seconds from the gun; None without a start read, so chip time is gun time) and every
    verdict."""

    passings: dict[str, Read]
    verdicts: dict[str, Verdict]
    start_s: float | None = None


def score_athlete(
    course: Course,
    reads: Iterable[Read],
    *,
    manual: Mapping[str, float] | None = None,
    voided: Collection[str] = (),
    fastest_pace: float = FASTEST_PLAUSIBLE_PACE_S_PER_KM,
    window_s: float = MERGE_WINDOW_S,
    gun_s: float = 0.0,
) -> Scored:
    """Pick the governing read at each checkpoint.

    At each checkpoint in distance order: reads earlier than the previous accepted passing
    plus the minimum segment time are implausible; the first read after that opens the
    crossing; reads within `window_s` of it belong to it, where the main line governs and
    the backup fills in; every other read there is a duplicate (first crossing wins). A
    checkpoint with an official's split (`manual`: code to elapsed) keeps it, and one where
    an official voided the mat's split (`voided`) keeps none; their reads are overridden.

    Start-mat reads (`START`) give the athlete's own start: the last one within
    START_WINDOW_S of their gun, a read just before the gun counting as the gun itself.
    `gun_s` is that gun: their start wave's, in seconds after the race's (0 without waves).
    """
    manual = manual or {}
    verdicts: dict[str, Verdict] = {}
    by_checkpoint = _by_checkpoint(course, reads, verdicts)
    start_s = _own_start(by_checkpoint.pop(START, []), verdicts, gun_s)
    own_start = start_s if start_s is not None else gun_s
    passings: dict[str, Read] = {}
    last_distance, last_elapsed = 0.0, own_start
    laps = _laps(course)
    for mark in course.checkpoints:
        candidates = by_checkpoint.get(mark.mat_code, [])
        if mark.code in laps:
            earliest = last_elapsed + max(
                MIN_SEGMENT_S, (mark.distance_m - last_distance) / 1000 * fastest_pace
            )
            pace_so_far = (last_elapsed - own_start) / last_distance if last_distance > 0 else None
            governing = _lap_pass(
                mark, laps[mark.code], candidates, earliest, pace_so_far,
                (last_distance, last_elapsed), manual, voided, window_s, verdicts,
            )  # fmt: skip
            if mark.code in manual:
                last_distance, last_elapsed = mark.distance_m, manual[mark.code]
            elif governing is not None:
                passings[mark.code] = governing
                last_distance, last_elapsed = mark.distance_m, governing.elapsed_s
            continue
        if mark.code in manual:
            for read in candidates:
                verdicts[read.key] = Verdict(MANUAL_OVERRIDE, "an official entered this split")
            last_distance, last_elapsed = mark.distance_m, manual[mark.code]
            continue
        if mark.code in voided:
            for read in candidates:
                verdicts[read.key] = Verdict(MANUAL_OVERRIDE, "an official voided this split")
            continue
        earliest = last_elapsed + max(
            MIN_SEGMENT_S, (mark.distance_m - last_distance) / 1000 * fastest_pace
        )
        governing = _crossing(candidates, earliest, fastest_pace, window_s, verdicts)
        if governing is not None:
            passings[mark.code] = governing
            last_distance, last_elapsed = mark.distance_m, governing.elapsed_s
    for mat in {course.checkpoint(code).mat_code for code in laps}:
        for read in by_checkpoint.get(mat, []):
            verdicts.setdefault(read.key, Verdict(DUPLICATE, "no lap's pass"))
    return Scored(passings, verdicts, start_s)


def _by_checkpoint(
    course: Course, reads: Iterable[Read], verdicts: dict[str, Verdict]
) -> dict[str, list[Read]]:
    """The reads at each checkpoint (and the start mat) in time order, main line first;
    reads before the gun or at mats off the course get their verdict here."""
    codes = {mark.mat_code for mark in course.checkpoints}
    by_checkpoint: dict[str, list[Read]] = {}
    for read in sorted(reads, key=lambda r: (r.elapsed_s, r.line != MAIN, r.key)):
        if read.elapsed_s < -PRESTART_S:
            verdicts[read.key] = Verdict(PRESTART, "before the gun")
        elif read.checkpoint == START or read.checkpoint in codes:
            by_checkpoint.setdefault(read.checkpoint, []).append(read)
        else:
            verdicts[read.key] = Verdict(WRONG_MAT, f"{read.checkpoint} is not on this course")
    return by_checkpoint


def _crossing(
    candidates: list[Read],
    earliest: float,
    fastest_pace: float,
    window_s: float,
    verdicts: dict[str, Verdict],
) -> Read | None:
    """The governing read of the first plausible crossing at one checkpoint, if any."""
    valid = []
    for read in candidates:
        if read.elapsed_s < earliest:
            verdicts[read.key] = Verdict(
                IMPLAUSIBLE, f"faster than {fastest_pace / 60:.1f} min/km since the last mat"
            )
        else:
            valid.append(read)
    if not valid:
        return None
    opened = valid[0].elapsed_s
    crossing = [read for read in valid if read.elapsed_s <= opened + window_s]
    governing = next((r for r in crossing if r.line == MAIN), crossing[0])
    verdicts[governing.key] = Verdict(
        USED, "" if governing.line == MAIN else "the backup line filled in for main"
    )
    for read in valid:
        if read is not governing:
            verdicts[read.key] = Verdict(
                DUPLICATE,
                "another read of the same crossing"
                if read in crossing
                else "after the first crossing",
            )
    return governing


def _laps(course: Course) -> dict[str, list]:
    """Checkpoints on a mat shared with others (a loop's laps), each with the marks after it
    on the same mat."""
    shared = Counter(mark.mat_code for mark in course.checkpoints)
    return {
        mark.code: [
            later for later in course.checkpoints[index + 1 :] if later.mat_code == mark.mat_code
        ]
        for index, mark in enumerate(course.checkpoints)
        if shared[mark.mat_code] > 1
    }


def _lap_pass(
    mark,
    later_marks: list,
    pool: list[Read],
    earliest: float,
    pace_so_far: float | None,
    last: tuple[float, float],
    manual: Mapping[str, float],
    voided: Collection[str],
    window_s: float,
    verdicts: dict[str, Verdict],
) -> Read | None:
    """The pass of a shared mat that belongs to this checkpoint, taken out of the mat's pool.

    Reads before `earliest` (the minimum segment time since the last passing) are not this
    pass. The first crossing after it is this checkpoint's, unless the athlete's pace so far
    fits a later lap on the same mat better: then this pass was missed, and the crossing is
    left for that lap (a loop of 9.6 km at 3:00/km: a read 57:36 after the last lap is lap+2).
    """
    for read in [read for read in pool if read.elapsed_s < earliest]:
        verdicts.setdefault(read.key, Verdict(DUPLICATE, "a read of a pass already scored"))
        pool.remove(read)
    if not pool:
        return None
    opened = pool[0].elapsed_s
    if mark.code in manual:
        opened = manual[mark.code]
    elif (
        pace_so_far
        and later_marks
        and _fits_later_lap(mark, later_marks[0], opened, pace_so_far, last)
    ):
        return None
    crossing = [read for read in pool if abs(read.elapsed_s - opened) <= window_s]
    for read in crossing:
        pool.remove(read)
    if mark.code in manual or mark.code in voided:
        for read in crossing:
            verdicts[read.key] = Verdict(MANUAL_OVERRIDE, "an official's word stands on this lap")
        return None
    governing = next((r for r in crossing if r.line == MAIN), crossing[0])
    for read in crossing:
        verdicts[read.key] = (
            Verdict(USED, "" if read.line == MAIN else "the backup line filled in for main")
            if read is governing
            else Verdict(DUPLICATE, "another read of the same crossing")
        )
    return governing


def _fits_later_lap(mark, later, elapsed_s: float, pace_so_far: float, last) -> bool:
    """Whether a crossing at `elapsed_s` is closer to the athlete's pace so far as the next
    lap's pass than as this checkpoint's (a pass of this checkpoint was missed)."""
    last_distance, last_elapsed = last
    here = (elapsed_s - last_elapsed) / (mark.distance_m - last_distance)
    there = (elapsed_s - last_elapsed) / (later.distance_m - last_distance)
    return abs(math.log(there / pace_so_far)) < abs(math.log(here / pace_so_far))


def _own_start(reads: list[Read], verdicts: dict[str, Verdict], gun_s: float) -> float | None:
    """The last start-mat read in the start window after the athlete's own gun (their
    wave's; TIMING.md §9.6), never before that gun.

    >>> wave_b = [Read("k1", START, 1500.0)]  # 25 min after the race's gun, 5 after wave B's
    >>> _own_start(wave_b, {}, gun_s=1200.0), _own_start(wave_b, {}, gun_s=0.0)
    (1500.0, None)
    """
    in_window = []
    for read in reads:
        if read.elapsed_s < gun_s - PRESTART_S:
            verdicts[read.key] = Verdict(PRESTART, "before the athlete's wave's gun")
        elif read.elapsed_s > gun_s + START_WINDOW_S:
            verdicts[read.key] = Verdict(UNUSED_START, "after the start window")
        else:
            in_window.append(read)
    if not in_window:
        return None
    last = in_window[-1]
    verdicts[last.key] = Verdict(USED, "the athlete's own start")
    for read in in_window[:-1]:
        verdicts[read.key] = Verdict(UNUSED_START, "replaced by a later start read")
    return max(gun_s, last.elapsed_s)


OFFICIAL_TIME, OFFICIAL_VOID = "time", "void"


def officials_word(source: str, revisions: Iterable[tuple[str, str]]) -> str | None:
    """What an official's word says at a split's checkpoint, which overrides the mats until
    an official reverts it: OFFICIAL_TIME (entered by hand or imported, or corrected by an
    official), OFFICIAL_VOID (an official voided a mat split: no split there), or None (the
    mats govern). `revisions` are the split's (action, actor) pairs, oldest first.

    >>> officials_word("mat", [("enter", SCORER), ("correct", SCORER)]) is None
    True
    >>> officials_word("mat", [("enter", SCORER), ("correct", "official-ana")])
    'time'
    >>> officials_word("mat", [("enter", SCORER), ("void", "official-ana")])
    'void'
    >>> officials_word("mat", [("enter", SCORER), ("void", "ana"), ("revert", "ana")]) is None
    True
    >>> officials_word("manual", [("enter", "official-ana")])
    'time'
    >>> officials_word("manual", [("enter", "ana"), ("void", "ana")]) is None  # withdrawn
    True
    >>> officials_word("mat", [("enter", "km5-bridge")]) is None  # a bridge's split: the mats'
    True
    """
    # Entering is the source's word: by hand it is an official's, from a mat (the scorer,
    # or a timing bridge posting splits) it is the mats'. Only later changes overrule.
    word = None if source == "mat" else OFFICIAL_TIME
    for action, actor in revisions:
        if actor == SCORER or action == "enter":
            continue
        if action == "correct":
            word = OFFICIAL_TIME
        elif action == "void":
            # Voiding a mat split overrules the mats there; voiding one's own hand-entered
            # time only withdraws it.
            word = OFFICIAL_VOID if source == "mat" else None
        elif action == "revert":
            word = None
    return word
