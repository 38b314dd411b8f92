"""Tables: races, checkpoints, athletes and their chips, splits with their history, tokens,
timing equipment, finish models and the audit log. Typed SQLAlchemy 2 models; the schema
changes only through migrations. Relationships name each other by string, so every module
is imported here before any is used.

May import: `tracker.db` and SQLAlchemy; only services (and migrations) use the models.
"""

from .access import ApiToken, LoginSession
from .audit import AuditEntry
from .pacing import PacerGroup, PacerRotation, PacerStint
from .projection import RaceFinishModel
from .race import Athlete, AthleteNameWord, Checkpoint, Chip, GhostPlan, Race, Wave
from .splits import Split, SplitRevision
from .timing import RawRead, ReadConflict, TimingDevice, TimingMat, UnknownChip

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Athlete",
    "AthleteNameWord",
    "Checkpoint",
    "Chip",
    "LoginSession",
    "PacerGroup",
    "PacerRotation",
    "PacerStint",
    "GhostPlan",
    "Race",
    "RaceFinishModel",
    "RawRead",
    "ReadConflict",
    "Split",
    "SplitRevision",
    "TimingDevice",
    "TimingMat",
    "UnknownChip",
    "Wave",
]
