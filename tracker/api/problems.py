"""RFC 9457 problem details: the one shape of every API error, and the one table that
turns a refusal's code into an HTTP status."""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ..db import unavailable
from ..domain.refusals import Refusal
from ..limits import retry_after

# A URN rather than a URL: the codes are documented in the README, not served.
PROBLEM_TYPE_BASE = "urn:race-tracker:problem:"

STATUS_BY_CODE = {
    # The request cannot be read at all.
    "invalid_json": 400,
    "invalid_number": 400,
    "invalid_string": 400,
    "duplicate_key": 400,
    "csrf_failed": 400,
    "auth_required": 401,
    "auth_invalid": 401,
    "forbidden_role": 403,
    # What the request names does not exist.
    "not_found": 404,
    "unknown_race": 404,
    "unknown_bib": 404,
    "unknown_checkpoint": 404,
    "unknown_split": 404,
    "unknown_read_conflict": 404,
    "unknown_wave": 404,
    "unknown_token": 404,
    "unknown_pacer_group": 404,
    "unknown_mat": 404,
    "unknown_ghost": 404,
    "method_not_allowed": 405,
    # It clashes with what is stored.
    "race_exists": 409,
    "race_started": 409,
    "race_not_started": 409,
    "checkpoint_exists": 409,
    "athlete_exists": 409,
    "wave_exists": 409,
    "chip_taken": 409,
    "token_exists": 409,
    "split_conflict": 409,
    "split_voided": 409,
    "idempotency_conflict": 409,
    "nothing_to_revert": 409,
    "split_not_flagged": 409,
    "read_conflict_resolved": 409,
    "gun_after_splits": 409,
    "gun_after_wave": 409,
    # A pacer rotation that contradicts the log: the group is (not) in front already, or
    # a rotation is recorded further on.
    "group_already_pacing": 409,
    "group_not_pacing": 409,
    "rotation_out_of_order": 409,
    # A published reference run cannot be replaced or removed by an upload.
    "ghost_is_published": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    # Too many wrong tokens or writes from one address (tracker.limits); Retry-After says when.
    "rate_limited": 429,
    # It is well-formed but breaks a rule of the race.
    "validation_error": 422,
    # Setting an athlete dns, dnf or dq needs the reason, for the record.
    "reason_required": 422,
    # An athlete's pacing plan that cannot stand: no target, out of order, implausible.
    "invalid_plan": 422,
    # A pacer group may only hold pacers.
    "not_a_pacer": 422,
    "invalid_time": 422,
    "before_start": 422,
    "future_time": 422,
    "elapsed_too_long": 422,
    "time_out_of_range": 422,
    "batch_empty": 422,
    "batch_too_large": 422,
    # A pacing plan uploaded as a ghost (domain.ghost_plans).
    "invalid_csv": 422,
    "plan_without_finish": 422,
    "plan_beyond_course": 422,
    "non_monotonic": 422,
    "implausible_pace": 422,
    "internal_error": 500,
    # The database cannot be reached now: send it again after Retry-After.
    "database_unavailable": 503,
    # One write collided on unique keys with concurrent ones every time it was decided.
    "write_conflict": 503,
}
RETRY_AFTER_S = 2
HEADERS_BY_CODE = {
    "auth_required": {"WWW-Authenticate": 'Bearer realm="tracker"'},
    "auth_invalid": {"WWW-Authenticate": 'Bearer realm="tracker", error="invalid_token"'},
    "database_unavailable": {"Retry-After": str(RETRY_AFTER_S)},
    "write_conflict": {"Retry-After": "1"},
}

log = logging.getLogger(__name__)


def status_of(refusal: Refusal) -> int:
    """The HTTP status for a refusal: its code's, except that a refusal about a field of the
    request body is 422 (an unknown bib in a posted split is a bad field, not a missing page).
    """
    status = STATUS_BY_CODE.get(refusal.code)
    if status is None:
        log.error("refusal code %r has no HTTP status; answering 422", refusal.code)
        return 422
    if refusal.field is not None or refusal.errors:
        return 422
    return status


def _errors(refusal: Refusal) -> list[dict] | None:
    """Field errors with their JSON pointers (the edge knows the body's shape)."""
    errors = refusal.errors
    if errors is None and refusal.field is not None:
        errors = [{"field": refusal.field, "code": refusal.code, "detail": refusal.detail}]
    if errors is None:
        return None
    return [
        {"pointer": "/" + item["field"].replace(".", "/") if item.get("field") else "", **item}
        for item in errors
    ]


def problem_response(
    refusal: Refusal, *, status: int | None = None, headers: dict | None = None
) -> Response:
    """Render a refusal as application/problem+json."""
    status = status or status_of(refusal)
    body = {
        "type": PROBLEM_TYPE_BASE + refusal.code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": refusal.detail,
        "code": refusal.code,
        "instance": request.path,
    }
    errors = _errors(refusal)
    if errors is not None:
        body["errors"] = errors
    body.update(refusal.extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(HEADERS_BY_CODE.get(refusal.code, {}))
    response.headers.update(headers or {})
    return response


# Werkzeug's own errors (unknown URL, wrong method, body too large) under our codes.
HTTP_ERROR_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _http_error(error: HTTPException) -> Response:
    if not request.path.startswith("/api/"):
        return error
    status = error.code or 500
    code = HTTP_ERROR_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
    detail = {
        413: "The request body is larger than the limit of 256 KiB.",
        404: f"Nothing is at {request.path}.",
        405: f"{request.method} is not allowed on {request.path}.",
        429: f"Too many requests from your address ({error.description}); retry later.",
    }.get(status, error.description or HTTPStatus(status).description)
    headers = (
        {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    )
    if status == 429:
        headers = {"Retry-After": retry_after(error)}
    return problem_response(Refusal(code, detail), status=status, headers=headers)


def _csrf_failed(error: CSRFError) -> Response:
    if not request.path.startswith("/api/"):
        return error
    return problem_response(Refusal("csrf_failed", f"CSRF check failed: {error.description}"))


def _database_error(error: DBAPIError) -> Response:
    """A database that cannot be reached answers 503 (reads and authentication query it
    before any write begins); any other database error is a bug, and a 500."""
    refusal = unavailable(error)
    if refusal is None:
        raise error
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    if request.path.startswith("/api/"):
        return problem_response(refusal)
    return Response(refusal.detail, 503, {"Retry-After": str(RETRY_AFTER_S)}, mimetype="text/plain")


def _internal_error(error: Exception) -> Response:
    if not request.path.startswith("/api/"):
        raise error
    return problem_response(Refusal("internal_error", "The server failed; nothing was stored."))


def init_app(app: Flask) -> None:
    """Route every error under /api/ through the problem-details shape."""
    app.register_error_handler(Refusal, problem_response)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _internal_error)
