"""Finish models fitted per race."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, db, utc_now


class RaceFinishModel(db.Model):
    """A finish model fitted for one race from its course's history (`flask projection fit`)."""

    __tablename__ = "race_finish_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    race_id: Mapped[int] = mapped_column(ForeignKey("races.id", ondelete="CASCADE"), unique=True)
    model: Mapped[str] = mapped_column(Text)  # FinishModel.to_json() as JSON
    source: Mapped[str] = mapped_column(String(500))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
