"""Strict JSON request bodies: the edge refuses what Python's json module lets through.

Flask's get_json() accepts NaN and Infinity, keeps the last of duplicate keys and lets
lone surrogates in (../shared/docs/RELIABILITY.md §2); each of those is refused here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request

from ..config import time_window
from ..db import utc_now
from ..domain.refusals import Refusal


def _refuse_constant(name: str) -> Any:
    raise Refusal("invalid_number", f"{name} is not a number JSON allows.")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise Refusal("duplicate_key", f"The key {key!r} appears twice in one object.")
        seen[key] = value
    return seen


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def strict_json(raw: bytes) -> Any:
    """Parse UTF-8 JSON, raising a Refusal for anything ambiguous or malformed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refusal("invalid_string", "The body is not valid UTF-8.") from error
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicate_keys
        )
    except json.JSONDecodeError as error:
        raise Refusal(
            "invalid_json", f"The body is not valid JSON: {error.msg} at {error.pos}."
        ) from error
    except RecursionError as error:
        raise Refusal("invalid_json", "The body nests too deeply.") from error
    if _has_lone_surrogate(value):
        raise Refusal("invalid_string", "A string holds a lone UTF-16 surrogate.")
    return value


def json_body(*, optional: bool = False) -> Any:
    """The request's JSON body, or a Refusal (415 for another media type).

    With `optional`, an empty body stands for an empty object.
    """
    if optional and not request.get_data(cache=True):
        return {}
    if request.mimetype != "application/json":
        raise Refusal(
            "unsupported_media_type",
            "Send the body as application/json.",
        )
    return strict_json(request.get_data(cache=True))


def instant_window() -> dict:
    """The window around now that instants in this request's body must fall in."""
    return time_window(current_app.config, utc_now())
