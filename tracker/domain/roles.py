"""Roles: what a token's holder may do. One table for the API, the pages, the live layer
and the CLI.

>>> allowed_roles(SPLIT_ENTRY)
('admin', 'official', 'timing')
>>> role_may("timing", OFFICIALS)
False
"""

from __future__ import annotations

# Every role a token may carry; admin may do everything.
ROLES = ("admin", "official", "timing")
# Who may do each kind of thing (admin always may as well).
RACE_SETUP = ("admin",)
OFFICIALS = ("official",)  # the gun, corrections, voids, the console
SPLIT_ENTRY = ("official", "timing")
READ_FEED = ("timing",)
MAT_HEALTH = ("official", "timing")


def allowed_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    """The roles that may do what `roles` may: those, and admin."""
    return tuple(sorted(set(roles) | {"admin"}))


def role_may(role: str, roles: tuple[str, ...]) -> bool:
    """Whether a holder of `role` may do what `roles` may."""
    return role in allowed_roles(roles)
