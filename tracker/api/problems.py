"""RFC 9457 problem details: the one shape of every API error."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import Problem

# A URN rather than a URL: the codes are documented in the README, not served.
PROBLEM_TYPE_BASE = "urn:race-tracker:problem:"


def problem_response(problem: Problem) -> Response:
    """Render a Problem as application/problem+json."""
    body = {
        "type": PROBLEM_TYPE_BASE + problem.code,
        "title": HTTPStatus(problem.status).phrase,
        "status": problem.status,
        "detail": problem.detail,
        "code": problem.code,
        "instance": request.path,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = jsonify(body)
    response.status_code = problem.status
    response.mimetype = "application/problem+json"
    response.headers.update(problem.headers)
    return response


# Werkzeug's own errors (unknown URL, wrong method, body too large) under our codes.
HTTP_ERROR_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
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
    }.get(status, error.description or HTTPStatus(status).description)
    headers = (
        {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
    )
    return problem_response(Problem(status, code, detail, headers=headers))


def _csrf_failed(error: CSRFError) -> Response:
    if not request.path.startswith("/api/"):
        return error
    return problem_response(Problem(400, "csrf_failed", f"CSRF check failed: {error.description}"))


def _internal_error(error: Exception) -> Response:
    if not request.path.startswith("/api/"):
        raise error
    return problem_response(
        Problem(500, "internal_error", "The server failed; nothing was stored.")
    )


def init_app(app: Flask) -> None:
    """Route every error under /api/ through the problem-details shape."""
    app.register_error_handler(Problem, problem_response)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _internal_error)
