"""CSV export of every split with its whole history, for officials and results services."""

from __future__ import annotations

import csv
import io
import json

from flask import Response

from ..db import db
from ..services import races as race_service
from ..services import splits as split_service
from . import bp

COLUMNS = (
    "split_id",
    "bib",
    "athlete",
    "checkpoint",
    "distance_m",
    "elapsed_s",
    "voided",
    "source",
    "entered_by",
    "received_at",
    "version",
    "action",
    "elapsed_s_before",
    "elapsed_s_after",
    "actor",
    "reason",
    "at",
)

# Spreadsheets run a cell that starts like a formula; a leading quote keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A value as CSV text that a spreadsheet shows and never runs."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _seconds(ms: int | None) -> str:
    return "" if ms is None else f"{ms / 1000:.3f}"


@bp.get("/races/<slug>/splits.csv")
def export_splits(slug: str) -> Response:
    """One row per revision of every split (entered, corrected, voided), oldest first."""
    race = race_service.find_race(db.session, slug)
    splits = split_service.splits_with_history(db.session, race)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for split in splits:
        for revision in split.revisions:
            writer.writerow(
                spreadsheet_cell(value)
                for value in (
                    split.id,
                    split.athlete.bib,
                    split.athlete.name,
                    split.checkpoint.code,
                    split.checkpoint.distance_m,
                    _seconds(split.elapsed_ms),
                    "yes" if split.voided_at else "no",
                    split.source,
                    split.entered_by,
                    split.received_at.isoformat(),
                    revision.version,
                    revision.action,
                    _seconds(revision.elapsed_ms_before),
                    _seconds(revision.elapsed_ms_after),
                    revision.actor,
                    revision.reason,
                    revision.at.isoformat(),
                )
            )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{race.slug}-splits.csv"'},
    )
