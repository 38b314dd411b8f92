"""How long work reports its progress: a `Steps` wraps the items a loop walks.

Modelling, replay and imports take one so the CLI can show a bar while tests and tools stay
quiet; the default, `quietly`, hands the items back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Steps = Callable[[Sequence[Item]], Iterable[Item]]


def quietly(items: Sequence[Item]) -> Iterable[Item]:
    """The items as they are: no progress shown."""
    return items
