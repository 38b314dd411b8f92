"""Paging and filters read from a query string, refused as the rest of the API refuses."""

from __future__ import annotations

from flask import request

from ..domain.refusals import Refusal


def paging(default_limit: int, most: int) -> tuple[int, int]:
    """`?offset=&limit=` as whole numbers in range, or a Refusal naming the field."""
    values = {}
    for name, default, low, high in (
        ("offset", 0, 0, 2**31 - 1),
        ("limit", default_limit, 1, most),
    ):
        raw = request.args.get(name, str(default))
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise Refusal(
                "validation_error",
                f"{name} is a whole number from {low} to {high}.",
                errors=[{"field": name, "code": "out_of_range", "detail": f"{low} to {high}"}],
            )
        values[name] = int(raw)
    return values["offset"], values["limit"]


def text_arg(name: str, most: int = 100) -> str | None:
    """An optional query-string text of at most `most` characters."""
    value = request.args.get(name)
    if value is not None and (len(value) > most or not value.isprintable()):
        raise Refusal(
            "validation_error",
            f"{name} is at most {most} printable characters.",
            errors=[{"field": name, "code": "invalid", "detail": f"at most {most} characters"}],
        )
    return value or None
