"""The OpenAPI 3.1 description of the API, built from the same models that validate it."""

from __future__ import annotations

from functools import cache

from flask import jsonify
from pydantic.json_schema import models_json_schema

from ..domain.roles import (
    MAT_HEALTH,
    OFFICIALS,
    RACE_SETUP,
    READ_FEED,
    SPLIT_ENTRY,
    allowed_roles,
)
from ..schemas import (
    AthleteIn,
    AthletePatchIn,
    CheckpointIn,
    ChipIn,
    ConfirmIn,
    CorrectionIn,
    GunIn,
    PacerGroupIn,
    PlanIn,
    PublishIn,
    RaceIn,
    ReadBatchIn,
    RevertIn,
    RotationIn,
    SplitIn,
    StartIn,
    VoidIn,
    WaveIn,
)
from . import bp

REQUEST_MODELS = (
    RaceIn,
    CheckpointIn,
    AthleteIn,
    AthletePatchIn,
    StartIn,
    GunIn,
    SplitIn,
    CorrectionIn,
    VoidIn,
    RevertIn,
    ConfirmIn,
    ChipIn,
    ReadBatchIn,
    WaveIn,
    PublishIn,
    PacerGroupIn,
    RotationIn,
    PlanIn,
)

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details with a machine-readable code.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}

SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
SPLIT_ID = {"name": "split_id", "in": "path", "required": True, "schema": {"type": "string"}}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
CONFLICT_ID = {"name": "conflict_id", "in": "path", "required": True, "schema": {"type": "string"}}
KEY = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
BIB = {"name": "bib", "in": "path", "required": True, "schema": {"type": "string"}}
MAT = {"name": "mat", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


PAGE = [
    _query("offset", {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
]
RESULT_FILTERS = [
    _query("checkpoint", {"type": "string", "maxLength": 32}),
    _query("gender", {"type": "string", "enum": ["M", "F", "X"]}),
    _query("category", {"type": "string", "maxLength": 16}),
]


def _body(model) -> dict:
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _op(
    summary: str,
    *,
    roles: tuple[str, ...] = (),
    body=None,
    params=(),
    ok: str | tuple[str, ...] = "200",
    media="application/json",
) -> dict:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    schema = {"type": "object"} if media == "application/json" else {"type": "string"}
    success = {"description": "Success", "content": {media: {"schema": schema}}}
    statuses = (ok,) if isinstance(ok, str) else ok
    operation = {
        "summary": summary,
        "parameters": list(params),
        "responses": {
            **{status: success for status in statuses},
            "default": {"description": "A problem", "content": problem},
        },
    }
    if roles:
        operation["security"] = [{"bearer": []}]
        operation["description"] = "Roles: " + ", ".join(allowed_roles(roles)) + "."
    if body is not None:
        operation["requestBody"] = _body(body)
    return operation


def _with_csv(operation: dict) -> dict:
    """An operation whose body may also be a CSV file."""
    operation["requestBody"]["content"]["text/csv"] = {"schema": {"type": "string"}}
    return operation


def _paths() -> dict:
    """Every route with its summary, roles, body and parameters (one table, so its length
    is the API's)."""
    return {
        "/api/races": {
            "get": _op("List races"),
            "post": _op("Create a race", roles=RACE_SETUP, body=RaceIn, ok="201"),
        },
        "/api/races/{slug}": {"get": _op("Race snapshot", params=[SLUG])},
        "/api/races/{slug}/checkpoints": {
            "post": _op(
                "Add a checkpoint", roles=RACE_SETUP, body=CheckpointIn, params=[SLUG], ok="201"
            )
        },
        "/api/races/{slug}/athletes": {
            "get": _op(
                "Search athletes by bib or name (?q=), paged",
                params=[
                    SLUG,
                    _query("q", {"type": "string", "maxLength": 100}),
                    *PAGE[:1],
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
                ],
            ),
            "post": _op(
                "Add an athlete", roles=RACE_SETUP, body=AthleteIn, params=[SLUG], ok="201"
            ),
        },
        "/api/races/{slug}/athletes/{bib}": {
            "get": _op("One athlete", params=[SLUG, BIB]),
            "patch": _op(
                "An official's status (dns, dnf, dq; audited) or the athlete's own target",
                roles=OFFICIALS,
                body=AthletePatchIn,
                params=[SLUG, BIB],
            ),
        },
        "/api/races/{slug}/results": {
            "get": _op(
                "Results by chip time at a checkpoint, paged", params=[SLUG, *RESULT_FILTERS, *PAGE]
            )
        },
        "/api/races/{slug}/standings": {
            "get": _op(
                "The board's field view: places, gaps to the leader and the athlete ahead, and"
                " moves at every checkpoint, by chip time, for the race's summary athletes",
                params=[SLUG],
            )
        },
        "/api/races/{slug}/results.csv": {
            "get": _op(
                "Results by chip time at a checkpoint as CSV",
                params=[SLUG, *RESULT_FILTERS],
                media="text/csv",
            )
        },
        "/api/races/{slug}/waves": {
            "post": _op("Add a start wave", roles=RACE_SETUP, body=WaveIn, params=[SLUG], ok="201")
        },
        "/api/races/{slug}/waves/{code}/start": {
            "post": _op("Fire a wave's gun", roles=OFFICIALS, body=StartIn, params=[SLUG, CODE])
        },
        "/api/races/{slug}/waves/{code}/gun": {
            "post": _op(
                "Correct a wave's gun (its athletes' gun times move; audited)",
                roles=OFFICIALS,
                body=GunIn,
                params=[SLUG, CODE],
            )
        },
        "/api/races/{slug}/results/publish": {
            "post": _op(
                "Publish the results: official from now on",
                roles=OFFICIALS,
                body=PublishIn,
                params=[SLUG],
            )
        },
        "/api/races/{slug}/athletes/{bib}/chips": {
            "post": _op(
                "Give an athlete another chip (kept reads scored at once; 201 new, 200 repeat)",
                roles=OFFICIALS,
                body=ChipIn,
                params=[SLUG, BIB],
                ok=("201", "200"),
            )
        },
        "/api/races/{slug}/start": {
            "post": _op("Fire the gun", roles=OFFICIALS, body=StartIn, params=[SLUG])
        },
        "/api/races/{slug}/gun": {
            "post": _op(
                "Correct the gun time (every elapsed time shifts; audited)",
                roles=OFFICIALS,
                body=GunIn,
                params=[SLUG],
            )
        },
        "/api/races/{slug}/ghosts": {
            "get": _op(
                "The race's ghosts: published reference runs and uploaded plans", params=[SLUG]
            )
        },
        "/api/races/{slug}/ghosts/{key}": {
            "put": _with_csv(
                _op(
                    "Upload a plan as a ghost (JSON, or text/csv of distance,elapsed with ?name=);"
                    " 201 new, 200 replaced or unchanged; audited",
                    roles=OFFICIALS,
                    body=PlanIn,
                    params=[SLUG, KEY, _query("name", {"type": "string", "maxLength": 100})],
                    ok=("201", "200"),
                )
            ),
            "delete": _op(
                "Remove an uploaded ghost (audited)", roles=OFFICIALS, params=[SLUG, KEY]
            ),
        },
        "/api/audit": {"get": _op("The audit log (?race=&after=&limit=)", roles=OFFICIALS)},
        "/api/audit.csv": {"get": _op("The audit log as CSV", roles=OFFICIALS, media="text/csv")},
        "/api/races/{slug}/splits": {
            "post": _op(
                "Enter a split (201 new, 200 repeat)",
                roles=SPLIT_ENTRY,
                body=SplitIn,
                params=[SLUG],
                ok=("201", "200"),
            )
        },
        "/api/races/{slug}/splits/{split_id}": {
            "get": _op("A split with its history", params=[SLUG, SPLIT_ID]),
            "patch": _op(
                "Correct a split",
                roles=OFFICIALS,
                body=CorrectionIn,
                params=[SLUG, SPLIT_ID],
            ),
            "delete": _op(
                "Void a split",
                roles=OFFICIALS,
                body=VoidIn,
                params=[SLUG, SPLIT_ID],
            ),
        },
        "/api/races/{slug}/splits/{split_id}/revert": {
            "post": _op(
                "Withdraw an official's correction or void (the mats govern again)",
                roles=OFFICIALS,
                body=RevertIn,
                params=[SLUG, SPLIT_ID],
            )
        },
        "/api/races/{slug}/pacer-groups/{code}": {
            "put": _op(
                "Set a pacer group: its pacers and rotation plan (audited)",
                roles=RACE_SETUP,
                body=PacerGroupIn,
                params=[SLUG, CODE],
            )
        },
        "/api/races/{slug}/pacer-rotations": {
            "post": _op(
                "Record a pacer group going in or out (201 new, 200 repeat; audited)",
                roles=OFFICIALS,
                body=RotationIn,
                params=[SLUG],
                ok=("201", "200"),
            )
        },
        "/api/races/{slug}/splits/{split_id}/confirm": {
            "post": _op(
                "Confirm a flagged split as run: it counts from now on (audited)",
                roles=OFFICIALS,
                body=ConfirmIn,
                params=[SLUG, SPLIT_ID],
            )
        },
        **{
            f"/api/races/{{slug}}/read-conflicts/{{conflict_id}}/{resolution}": {
                "post": _op(
                    f"{summary} (audited; the same again: 200, changed false)",
                    roles=OFFICIALS,
                    body=ConfirmIn,
                    params=[SLUG, CONFLICT_ID],
                )
            }
            for resolution, summary in (
                ("accept", "Score a read-key conflict's read under a key of its own"),
                ("dismiss", "Dismiss a read-key conflict: its read is never scored"),
            )
        },
        "/api/races/{slug}/review": {
            "get": _op(
                "The officials' review queue: overdue athletes, flagged splits, conflicting"
                " entries, read-key conflicts, unknown chips (paged across kinds)",
                roles=OFFICIALS,
                params=[
                    SLUG,
                    _query("kind", {"type": "string", "maxLength": 100}),
                    _query("overdue_after_s", {"type": "integer", "minimum": 0, "maximum": 86400}),
                    *PAGE,
                ],
            )
        },
        "/api/races/{slug}/athletes/{bib}/reads": {
            "get": _op(
                "Every stored read of an athlete's chips, with the scorer's verdict on each",
                roles=OFFICIALS,
                params=[SLUG, BIB],
            )
        },
        "/api/races/{slug}/mats/{mat}/reads": {
            "get": _op(
                "One mat's reads, latest first, with the bib wearing each chip (paged)",
                roles=OFFICIALS,
                params=[
                    SLUG,
                    MAT,
                    *PAGE[:1],
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                ],
            )
        },
        "/api/races/{slug}/reads": {
            "post": _op(
                "Store a batch of raw chip reads (per-read results)",
                roles=READ_FEED,
                body=ReadBatchIn,
                params=[SLUG],
            )
        },
        "/api/races/{slug}/timing": {
            "get": _op(
                "Timing devices and mats: links, clock offsets, read rates, warnings",
                roles=MAT_HEALTH,
                params=[SLUG],
            )
        },
        "/api/races/{slug}/splits.csv": {
            "get": _op("Every split and its history as CSV", params=[SLUG], media="text/csv")
        },
        "/healthz": {"get": _op("Health: the database answers")},
    }


@cache
def openapi_document() -> dict:
    """The whole document (built once per process)."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in REQUEST_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    schemas = definitions.get("$defs", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": "Race-day live split tracker", "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": _paths(),
    }


@bp.get("/openapi.json")
def openapi_json():
    """Serve the OpenAPI description."""
    return jsonify(openapi_document())
