"""An athlete's status in the race: what the timing says, unless an official said otherwise.

`registered`, `started` and `finished` follow from the splits (a start read or any split
means started; a split at the finish means finished). `dns`, `dnf` and `dq` are an
official's word: such an athlete is no longer projected, no longer due at any mat and out
of the places, until the official withdraws it.
"""

from __future__ import annotations

REGISTERED, STARTED, FINISHED = "registered", "started", "finished"
DNS, DNF, DQ = "dns", "dnf", "dq"
DERIVED = (REGISTERED, STARTED, FINISHED)
OFFICIAL = (DNS, DNF, DQ)
STATUSES = DERIVED + OFFICIAL


def status_of(officials: str | None, *, started: bool, finished: bool) -> str:
    """The status shown for an athlete: the official's word first, else the timing's.

    >>> status_of(None, started=True, finished=False)
    'started'
    >>> status_of("dnf", started=True, finished=False)
    'dnf'
    """
    if officials in OFFICIAL:
        return officials
    if finished:
        return FINISHED
    return STARTED if started else REGISTERED


def officials_word(requested: str) -> str | None:
    """What an official's request stores: dns/dnf/dq themselves; asking for a status the
    timing decides withdraws the official's word (None), so the splits speak again.

    >>> officials_word("dq"), officials_word("started")
    ('dq', None)
    """
    return requested if requested in OFFICIAL else None


def in_the_race(officials: str | None) -> bool:
    """Whether the athlete is projected, due at mats and placed (no dns/dnf/dq stands).

    >>> in_the_race(None), in_the_race("dns")
    (True, False)
    """
    return officials not in OFFICIAL


def due_at_mats(officials: str | None, *, in_pacer_group: bool) -> bool:
    """Whether officials and mat health expect the athlete at every mat: in the race, and
    not a pacer running in a group (they run their stints and step off; a resting group is
    not a missing runner, nor a mat gone silent).

    >>> due_at_mats(None, in_pacer_group=False), due_at_mats(None, in_pacer_group=True)
    (True, False)
    """
    return in_the_race(officials) and not in_pacer_group


def placed(officials: str | None, *, in_pacer_group: bool) -> bool:
    """Whether an athlete's splits count for places: in the race, and not a pacer running
    in a group (they set a record attempt's pace; the V crossing a mat a second before
    Kipchoge does not make him sixth).

    >>> placed(None, in_pacer_group=False), placed(None, in_pacer_group=True)
    (True, False)
    """
    return in_the_race(officials) and not in_pacer_group
