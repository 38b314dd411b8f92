"""Which finish model projects a race: its own, fitted from its course's history, else the
default shipped with the tracker (fitted on Boston and Berlin; see the README)."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.finish_model import FinishModel
from ..models import Race, RaceFinishModel
from . import audit

DEFAULT_MODEL_FILE = "default_finish_model.json"

# Parsed models by (row id, fitted at): parsing costs milliseconds, a projection microseconds.
_parsed: dict[tuple[int, datetime], FinishModel] = {}


@cache
def default_model() -> FinishModel:
    """The model every race uses until one is fitted for it."""
    text = resources.files("tracker.data").joinpath(DEFAULT_MODEL_FILE).read_text()
    return FinishModel.from_json(json.loads(text))


def model_for(session: Session, race: Race) -> FinishModel:
    """The race's own model if one was fitted for it, else the default."""
    row = session.execute(
        select(RaceFinishModel.id, RaceFinishModel.fitted_at, RaceFinishModel.model).where(
            RaceFinishModel.race_id == race.id
        )
    ).first()
    if row is None:
        return default_model()
    key = (row.id, row.fitted_at)
    if key not in _parsed:
        _parsed[key] = FinishModel.from_json(json.loads(row.model))
    return _parsed[key]


def store_model(session: Session, race: Race, model: FinishModel, now: datetime) -> None:
    """Make `model` the race's own (replacing an earlier fit)."""
    row = session.scalar(select(RaceFinishModel).where(RaceFinishModel.race_id == race.id))
    if row is None:
        row = RaceFinishModel(race_id=race.id)
        session.add(row)
    row.model = json.dumps(model.to_json(), separators=(",", ":"))
    row.source = model.source[:500]
    row.fitted_at = now
    audit.record(
        session, "projection.fit", race=race, subject=race.slug, after={"source": row.source}
    )
