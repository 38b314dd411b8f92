"""The one exception every layer raises for a request it will not carry out."""

from __future__ import annotations


class Problem(Exception):
    """A refusal: HTTP status, machine-readable code, human detail, optional field errors.

    Services raise it as a decision about the sport ("no athlete wears bib 999"); the API
    renders it as RFC 9457 problem details, the CLI prints its detail.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: list[dict] | None = None,
        headers: dict[str, str] | None = None,
        **extra,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra
