"""Progress bars for long commands: click's bar on stderr, so `--json` output stays clean.

On a terminal the bar shows count, percentage and time left; in a log (not a terminal)
click prints only the label, once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence

import click

from ..progress import Item, Steps


def shown(label: str) -> Steps:
    """A `Steps` that draws a bar labelled `label` while the loop walks the items."""

    def steps(items: Sequence[Item]) -> Iterator[Item]:
        with click.progressbar(
            items, label=label, file=sys.stderr, show_pos=True, show_eta=True, width=30
        ) as bar:
            yield from bar

    return steps


def each(items: Iterable[Item], label: str) -> Iterator[Item]:
    """`shown(label)` applied at once, for a loop in the command itself."""
    return shown(label)(list(items))
