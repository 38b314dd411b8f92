"""Results by chip time at a checkpoint, overall or by gender or category, paged or as
CSV; unofficial until an official publishes them."""

from __future__ import annotations

import csv
import io

from flask import Response, jsonify

from ..db import db
from ..domain.categories import GENDERS
from ..domain.refusals import Refusal
from ..services import races as race_service
from ..services import results as result_service
from ..services import standings as standing_service
from . import bp
from .exports import spreadsheet_cell
from .paging import paging, text_arg

COLUMNS = (
    "place",
    "overall",
    "gender_place",
    "category_place",
    "bib",
    "name",
    "country",
    "gender",
    "category",
    "net_elapsed_s",
    "elapsed_s",
)


def _filters() -> dict:
    gender = text_arg("gender", 1)
    if gender is not None and gender not in GENDERS:
        raise Refusal(
            "validation_error",
            "gender is M, F or X.",
            errors=[{"field": "gender", "code": "invalid", "detail": "M, F or X"}],
        )
    return {
        "checkpoint": text_arg("checkpoint", 32),
        "gender": gender,
        "category": text_arg("category", 16),
    }


@bp.get("/races/<slug>/results")
def results(slug: str):
    """One page of results at a checkpoint (the finish unless named)."""
    race = race_service.find_race(db.session, slug)
    offset, limit = paging(50, result_service.PAGE_LIMIT)
    found = result_service.results(db.session, race, **_filters(), offset=offset, limit=limit)
    return jsonify(
        {
            "checkpoint": found.checkpoint.code,
            "official": found.official,
            "total": found.total,
            "offset": offset,
            "limit": limit,
            "results": found.rows,
        }
    )


@bp.get("/races/<slug>/standings")
def standings(slug: str):
    """The board's field view: each summary athlete's places, gaps and moves by checkpoint."""
    race = race_service.find_race(db.session, slug)
    return jsonify(standing_service.standings(db.session, race))


@bp.get("/races/<slug>/results.csv")
def results_csv(slug: str) -> Response:
    """Every result at a checkpoint as CSV (its file name says whether it is official)."""
    race = race_service.find_race(db.session, slug)
    found = result_service.results(db.session, race, **_filters(), limit=None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in found.rows:
        places = row["places"]
        flat = {
            **row,
            "overall": places["overall"],
            "gender_place": places["gender"],
            "category_place": places["category"],
        }
        writer.writerow(spreadsheet_cell("" if flat[c] is None else flat[c]) for c in COLUMNS)
    state = "official" if found.official else "unofficial"
    name = f"{race.slug}-{found.checkpoint.code}-{state}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
