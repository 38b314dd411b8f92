"""The audit log for officials: every write, who, when, from where, before and after."""

from __future__ import annotations

import csv
import io

from flask import Response, jsonify, request

from ..db import db
from ..domain.refusals import Refusal
from ..domain.roles import OFFICIALS
from ..services import audit
from ..services import races as race_service
from . import bp
from .auth import require_role
from .exports import spreadsheet_cell

COLUMNS = ("id", "at", "actor", "role", "origin", "action", "race", "subject", "before", "after")


def _page() -> tuple[object, list, str | None]:
    """The race named by `?race=` (or all), and the entries after `?after=`."""
    slug = request.args.get("race")
    race = race_service.find_race(db.session, slug) if slug else None
    try:
        after_id = int(request.args.get("after", "0"))
        limit = int(request.args.get("limit", str(audit.PAGE_LIMIT)))
    except ValueError as error:
        raise Refusal("validation_error", "after and limit are whole numbers.") from error
    if not 0 <= after_id < 2**63 or not 1 <= limit <= audit.PAGE_LIMIT:
        raise Refusal(
            "validation_error", f"0 <= after < 2**63 and 1 <= limit <= {audit.PAGE_LIMIT}."
        )
    slugs = {r.id: r.slug for r in race_service.list_races(db.session)}
    entries = audit.entries(db.session, race=race, after_id=after_id, limit=limit)
    return [audit.entry_view(entry, slugs.get(entry.race_id)) for entry in entries], slug


@bp.get("/audit")
@require_role(*OFFICIALS)
def audit_log():
    """Entries in order, `limit` at a time after `after` (an id), of `race` or of all."""
    views, _ = _page()
    return jsonify({"entries": views, "next_after": views[-1]["id"] if views else None})


@bp.get("/audit.csv")
@require_role(*OFFICIALS)
def audit_csv() -> Response:
    """The same entries as CSV, for the race's records."""
    views, slug = _page()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for view in views:
        writer.writerow(spreadsheet_cell(view[column]) for column in COLUMNS)
    name = f"{slug or 'all'}-audit.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
