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

# No body of ours nests deeper than three levels; past this it is refused, not walked.
MAX_DEPTH = 32
# Python's own limit on int() (sys.get_int_max_str_digits), said as a refusal of ours.
MAX_INTEGER_DIGITS = 4300


def _refuse_constant(name: str) -> Any:
    raise Refusal("invalid_number", f"{name} is not a number JSON allows.")


def _integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise Refusal("invalid_number", f"An integer has more than {MAX_INTEGER_DIGITS} digits.")
    return int(literal)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        # 1e400 is valid JSON, but Python would read it as inf.
        raise Refusal("invalid_number", f"{literal[:40]} is too large for a number.")
    return value


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise Refusal("duplicate_key", f"The key {key!r} appears twice in one object.")
        seen[key] = value
    return seen


def _is_lone_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def _check_shape(value: Any) -> None:
    """Refuse nesting past MAX_DEPTH and strings with lone surrogates.

    A loop, not recursion: a body nested hundreds deep that json.loads still manages
    must not run the walk out of stack (it answered 500).
    """
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise Refusal("invalid_json", f"The body nests deeper than {MAX_DEPTH} levels.")
        if isinstance(item, str):
            if any(_is_lone_surrogate(char) for char in item):
                raise Refusal("invalid_string", "A string holds a lone UTF-16 surrogate.")
        elif isinstance(item, dict):
            pending.extend((key, depth + 1) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)


def strict_json(raw: bytes) -> Any:
    """Parse UTF-8 JSON, raising a Refusal for anything ambiguous or malformed.

    Every way json.loads can fail is a refusal: a malformed document, nesting past the
    interpreter's stack, or a ValueError of its own (int() past its digit limit).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refusal("invalid_string", "The body is not valid UTF-8.") from error
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_integer,
            parse_float=_finite_float,
            object_pairs_hook=_refuse_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise Refusal(
            "invalid_json", f"The body is not valid JSON: {error.msg} at {error.pos}."
        ) from error
    except RecursionError as error:
        raise Refusal("invalid_json", "The body nests too deeply.") from error
    except ValueError as error:
        raise Refusal("invalid_json", f"The body cannot be read as JSON: {error}.") from error
    _check_shape(value)
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
