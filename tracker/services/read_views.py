"""The raw-read views for officials: every stored read of one athlete's chips with what
the scorer made of it, and one mat's reads, latest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import scoring
from ..domain.refusals import Refusal
from ..models import Athlete, Chip, Race, RawRead
from .rescoring import athlete_verdicts


def _read_view(read: RawRead, bib: str | None, verdict: scoring.Verdict | None = None) -> dict:
    view = {
        "key": read.idempotency_key,
        "chip": read.chip,
        "bib": bib,
        "checkpoint": read.checkpoint,
        "line": read.line,
        "source": read.source,
        "device": read.device,
        "device_time": read.device_time.isoformat(),
        "read_at": read.read_at.isoformat(),
        "received_at": read.received_at.isoformat(),
    }
    if verdict is not None:
        view["status"], view["reason"] = verdict.status, verdict.reason
    return view


def athlete_reads(session: Session, race: Race, athlete: Athlete) -> dict:
    """Every stored read of the athlete's chips in time order, each with its verdict (used,
    duplicate, implausible, ...) as the scorer judges it now."""
    chips = [chip.code for chip in athlete.chips]
    reads = list(
        session.scalars(
            select(RawRead)
            .where(RawRead.race_id == race.id, RawRead.chip.in_(chips))
            .order_by(RawRead.read_at, RawRead.id)
        )
    )
    verdicts = athlete_verdicts(session, race, athlete) if reads else {}
    return {
        "bib": athlete.bib,
        "chips": chips,
        "reads": [_read_view(r, athlete.bib, verdicts.get(r.idempotency_key)) for r in reads],
    }


def mat_codes(race: Race) -> list[str]:
    """The mats reads arrive from: the start, and each checkpoint's (shared on a loop)."""
    return list(dict.fromkeys([scoring.START, *(cp.mat or cp.code for cp in race.checkpoints)]))


def mat_reads(session: Session, race: Race, mat: str, *, offset: int, limit: int) -> dict:
    """A page of one mat's reads, latest first, each with the bib wearing its chip (none
    for an unknown chip). A checkpoint's code names its mat too (on a loop, the shared one)."""
    mat = next((cp.mat or cp.code for cp in race.checkpoints if cp.code == mat), mat)
    if mat not in mat_codes(race):
        raise Refusal("unknown_mat", f"The race has no mat {mat}.")
    where = (RawRead.race_id == race.id, RawRead.checkpoint == mat)
    total = session.scalar(select(func.count()).select_from(RawRead).where(*where))
    rows = session.execute(
        select(RawRead, Athlete.bib)
        .outerjoin(Chip, (Chip.race_id == RawRead.race_id) & (Chip.code == RawRead.chip))
        .outerjoin(Athlete, Athlete.id == Chip.athlete_id)
        .where(*where)
        .order_by(RawRead.read_at.desc(), RawRead.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return {
        "mat": mat,
        "total": total,
        "offset": offset,
        "limit": limit,
        "reads": [_read_view(read, bib) for read, bib in rows],
    }
