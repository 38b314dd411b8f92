"""A refusal as the CLI says it: the human detail, the fields, and the code in brackets."""

from __future__ import annotations

import click

from ..domain.refusals import Refusal


def describe(refusal: Refusal) -> str:
    """One line: what was refused, each bad field, and the code scripts can match.

    >>> describe(Refusal("unknown_race", "No race has the slug 'x'."))
    "No race has the slug 'x'. [unknown_race]"
    """
    fields = "; ".join(f"{e['field']}: {e['detail']}" for e in refusal.errors or [])
    return refusal.detail + (f" ({fields})" if fields else "") + f" [{refusal.code}]"


def refused(refusal: Refusal, where: str = "") -> click.ClickException:
    """The click error that ends a command after a refusal (`where`: file, line)."""
    return click.ClickException(f"{where}{describe(refusal)}")
