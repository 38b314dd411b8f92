"""The batch endpoint for timing bridges: raw chip reads in, per-read results out."""

from __future__ import annotations

import json

from flask import current_app, g, jsonify

from ..db import db, utc_now
from ..domain.mat_health import device_name
from ..domain.refusals import Refusal
from ..domain.roles import MAT_HEALTH, READ_FEED
from ..metrics import count_stored_reads
from ..schemas import MAX_READS_PER_BATCH, ReadBatchIn, parse_body
from ..services import races as race_service
from ..services.reads import ReadIn, ingest_reads
from ..services.timing_health import timing_health
from ..transactions import write
from . import bp
from .auth import require_role
from .json_body import instant_window, json_body


@bp.post("/races/<slug>/reads")
@require_role(*READ_FEED)
def post_reads(slug: str):
    """Store a batch of 1-500 reads; answered only after commit, with a result per read.

    A read already stored (same key) is reported as a duplicate and changes nothing; a
    schema error anywhere rejects the whole batch. (A few lines over 50: the per-read
    answer is spelled out field by field.)
    """
    data = json_body()
    reads = data.get("reads") if isinstance(data, dict) else None
    if isinstance(reads, list) and not reads:
        raise Refusal("batch_empty", "Send at least one read.")
    if isinstance(reads, list) and len(reads) > MAX_READS_PER_BATCH:
        raise Refusal("batch_too_large", f"Send at most {MAX_READS_PER_BATCH} reads a batch.")
    body = parse_body(ReadBatchIn, data, time_window=instant_window())
    items = [
        ReadIn(
            source=item.source,
            chip=item.chip,
            time=item.time,
            checkpoint=item.checkpoint,
            seq=item.seq,
            line=item.line,
            device=device_name(item.device, "api", g.caller.name),
            raw=json.dumps(raw, separators=(",", ":"), sort_keys=True),
        )
        for item, raw in zip(body.reads, reads, strict=True)
    ]

    def change():
        race = race_service.find_race(db.session, slug)
        return ingest_reads(
            db.session,
            race,
            items,
            now=utc_now(),
            future_tolerance_s=current_app.config["FUTURE_TOLERANCE_S"],
        )

    results = write(change, actor=g.actor)
    count_stored_reads(items, results)
    return jsonify(
        {
            "results": [
                {
                    "key": r.key,
                    "result": r.result,
                    "status": r.status,
                    "reason": r.reason,
                    "bib": r.bib,
                }
                for r in results
            ]
        }
    )


@bp.get("/races/<slug>/timing")
@require_role(*MAT_HEALTH)
def get_timing_health(slug: str):
    """Every timing device and mat: link, clock offset, last read, reads per minute, and
    warnings (a mat silent while athletes are due there, a clock off by more than 1 s)."""
    race = race_service.find_race(db.session, slug)
    return jsonify(timing_health(db.session, race, utc_now()))
