"""The write path of every API view: one write transaction, committed before the reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from .db import begin_write, db

T = TypeVar("T")


def write(change: Callable[[], T]) -> T:
    """Run `change` in a write transaction and commit it; nothing is acknowledged before that.

    A unique-constraint race (two requests with one key at the same moment on PostgreSQL)
    is rolled back and decided again, when the other request's row is visible.
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unflushed changes before a write transaction would be lost")
    for attempt in (1, 2):
        # End the read transaction that authentication opened, so the write begins afresh.
        session.rollback()
        begin_write(session)
        try:
            result = change()
            session.commit()
            return result
        except IntegrityError:
            session.rollback()
            if attempt == 2:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")
