"""Who is in a race's summary: what every watcher of the race hears about.

In a record attempt that is everyone; in a 40,000-runner marathon it is the featured
athletes (elites, targets), the pacers and the leaders at each checkpoint; the rest reach
only the spectators who follow them.

>>> in_summary(featured=False, role="athlete", field_size=30_000, leader=False)
False
>>> in_summary(featured=False, role="pacer", field_size=30_000, leader=False)
True
>>> in_summary(featured=False, role="athlete", field_size=5, leader=False)
True
"""

from __future__ import annotations

# A field this small (a record attempt with its pacers) is its own summary.
SMALL_FIELD = 50
# The first this-many at a checkpoint are its leaders.
LEADERS = 10
# Roles that are always in the summary: the pacers set the race.
ALWAYS_SHOWN_ROLES = ("pacer",)


def everyone_in_summary(field_size: int) -> bool:
    """Whether the field is small enough to be its own summary."""
    return field_size <= SMALL_FIELD


def always_shown(featured: bool, role: str) -> bool:
    """Featured athletes and pacers are in the summary whatever their place."""
    return featured or role in ALWAYS_SHOWN_ROLES


def in_summary(*, featured: bool, role: str, field_size: int, leader: bool) -> bool:
    """Whether a change to this athlete belongs in the race's summary (`leader`: one of
    their changed splits is among the first LEADERS at its checkpoint)."""
    return everyone_in_summary(field_size) or always_shown(featured, role) or leader
