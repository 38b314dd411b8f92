"""Who runs an operator command: the shell's user, signing the audit log from the CLI."""

from __future__ import annotations

import getpass

from ..domain.audit import Actor


def operator() -> Actor:
    """The person at the server's console, as the audit log names them."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (some containers)
        name = "unknown"
    return Actor(name, None, "cli")
