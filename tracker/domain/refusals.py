"""Refusals: the tracker's "no", said in the language of the race.

A rule that turns a request down names why with a code (`unknown_bib`, `future_time`), a
sentence for a person, and where it helps the field it concerns. It carries no HTTP status:
each edge translates the code (the API's table in `tracker/api/problems.py`, the socket's
`error` event, the CLI's message), so one refusal reads the same wherever it is met.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request the tracker will not carry out: code, human detail, optional field.

    >>> refusal = Refusal("unknown_bib", "No athlete wears bib 999 in this race.", field="bib")
    >>> (refusal.code, refusal.field, str(refusal))
    ('unknown_bib', 'bib', 'No athlete wears bib 999 in this race.')

    `errors` lists field by field what a validator found (each a dict with `field`, `code`
    and `detail`); `extra` carries facts a client can act on, such as `existing_id`.
    """

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict] | None = None,
        **extra,
    ) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.field = field
        self.errors = errors
        self.extra = extra

    def __repr__(self) -> str:
        return f"Refusal({self.code!r}, {self.detail!r})"
