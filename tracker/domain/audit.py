"""The audit log's words: who did a write, from where, and what it changed.

>>> Actor("official-ana", "official", "203.0.113.7").label
'official-ana (official) from 203.0.113.7'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is behind a write: a token's name and role, or a process (the CLI, a timing
    listener, the demo), and where the request came from."""

    name: str
    role: str | None = None
    origin: str | None = None

    @property
    def label(self) -> str:
        """The actor as one line for people."""
        role = f" ({self.role})" if self.role else ""
        origin = f" from {self.origin}" if self.origin else ""
        return f"{self.name}{role}{origin}"


SYSTEM = Actor("system")
