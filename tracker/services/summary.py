"""Who is in a race's summary, asked of the database: the rule is the domain's
(`tracker.domain.summary`); here are the queries that apply it to a stored race."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.summary import ALWAYS_SHOWN_ROLES, LEADERS, everyone_in_summary, in_summary
from ..models import Athlete, Checkpoint, Race, Split
from .transaction_notes import notes


def field_size(session: Session, race: Race) -> int:
    """How many athletes the race has (counted once per transaction: a mass ingest asks
    for every split it enters)."""
    sizes = notes(session).field_sizes
    if race.id not in sizes:
        sizes[race.id] = session.scalar(select(func.count()).where(Athlete.race_id == race.id))
    return sizes[race.id]


def forget_field_size(session: Session) -> None:
    """Drop the per-transaction count (an athlete was added)."""
    notes(session).field_sizes.clear()


def leaders_cutoff(session: Session, checkpoint_id: int) -> int | None:
    """The LEADERS-th fastest live time at a checkpoint (None while fewer have passed).

    A time at or under it is a leader's: at most LEADERS - 1 others passed before it.
    """
    return session.scalar(
        select(Split.elapsed_ms)
        .where(Split.checkpoint_id == checkpoint_id, Split.voided_at.is_(None))
        .order_by(Split.elapsed_ms)
        .offset(LEADERS - 1)
        .limit(1)
    )


class SummaryCheck:
    """Whether changes belong in a race's summary, asking the database once per checkpoint.

    Made after the transaction's changes are flushed, so a batch of splits is ranked
    against itself as well as against what was there.
    """

    def __init__(self, session: Session, race: Race) -> None:
        self.session = session
        self.race = race
        self.cutoffs: dict[int, int | None] = {}

    def _is_leader(self, split: Split, elapsed_ms: int) -> bool:
        if split.checkpoint_id not in self.cutoffs:
            self.cutoffs[split.checkpoint_id] = leaders_cutoff(self.session, split.checkpoint_id)
        cutoff = self.cutoffs[split.checkpoint_id]
        return cutoff is None or elapsed_ms <= cutoff

    def includes(self, athlete: Athlete, splits: list[Split]) -> bool:
        """Whether a change to this athlete (at these splits) belongs in the summary."""
        size = field_size(self.session, self.race)
        shown = in_summary(
            featured=athlete.featured, role=athlete.role, field_size=size, leader=False
        )
        # Only then ask the database whether a changed split is a leader's.
        return shown or any(
            self._is_leader(split, elapsed) for split, elapsed in _changed_times(splits)
        )


def _changed_times(splits: list[Split]):
    """Each changed split with the time that counts for ranking it (a voided split ranks
    by the time it had, so its withdrawal reaches those who saw it)."""
    for split in splits:
        elapsed = split.revisions[-1].elapsed_ms_before if split.voided_at else split.elapsed_ms
        if elapsed is not None:
            yield split, elapsed


def leader_bibs(session: Session, race: Race) -> list[str]:
    """The first LEADERS athletes at the furthest checkpoint anyone has reached, in order."""
    furthest = session.scalar(
        select(Checkpoint.id)
        .join(Split, Split.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.race_id == race.id, Split.voided_at.is_(None))
        .order_by(Checkpoint.distance_m.desc())
        .limit(1)
    )
    if furthest is None:
        return []
    return list(
        session.scalars(
            select(Athlete.bib)
            .join(Split, Split.athlete_id == Athlete.id)
            .where(
                Split.checkpoint_id == furthest,
                Split.voided_at.is_(None),
                Athlete.status.is_(None),  # out of the race, out of the leaders
            )
            .order_by(Split.elapsed_ms)
            .limit(LEADERS)
        )
    )


def summary_athletes(session: Session, race: Race, followed: list[str]) -> list[Athlete]:
    """The athletes a watcher's snapshot carries: the summary plus those they follow."""
    query = select(Athlete).where(Athlete.race_id == race.id).order_by(Athlete.bib)
    if not everyone_in_summary(field_size(session, race)):
        # The domain's always_shown, as SQL, plus the leaders and whom this watcher follows.
        wanted = set(followed) | set(leader_bibs(session, race))
        query = query.where(
            or_(Athlete.featured, Athlete.role.in_(ALWAYS_SHOWN_ROLES), Athlete.bib.in_(wanted))
        )
    return list(session.scalars(query))
