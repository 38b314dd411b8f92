"""The write path of every API view: one write transaction, committed before the reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from .db import begin_write, db, unavailable, utc_now
from .domain.audit import SYSTEM, Actor
from .domain.refusals import Refusal
from .live.publish import publish
from .metrics import COMMIT_SECONDS
from .services.live_events import describe_changes, take_pending
from .services.transaction_notes import forget, notes

T = TypeVar("T")

# Decisions of one write before a unique-key collision is refused (see `write`).
WRITE_ATTEMPTS = 4


def write(change: Callable[[], T], *, actor: Actor = SYSTEM) -> T:
    """Run `change` in a write transaction, commit it, then publish its live events.

    Nothing is acknowledged, and nothing is announced, before the commit. `actor` (who is
    writing, from where) signs the audit log's entries for this change.

    A unique-constraint race (two requests with one key at the same moment on PostgreSQL)
    is rolled back and decided again, when the other request's row is visible; overlapping
    retried batches can collide on one key after another, so it is decided up to
    WRITE_ATTEMPTS times, and then refused as `write_conflict` (503: send it again).
    """
    session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("unflushed changes before a write transaction would be lost")
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        # End the read transaction that authentication opened, so the write begins afresh.
        session.rollback()
        forget(session)
        notes(session).actor, notes(session).now = actor, utc_now()
        begin_write(session)
        try:
            result = change()
            describe_changes(session)
            with COMMIT_SECONDS.time():
                session.commit()
        except IntegrityError:
            session.rollback()
            take_pending(session)
            if attempt == WRITE_ATTEMPTS:
                raise Refusal(
                    "write_conflict",
                    "Other requests kept storing the same keys at the same moment; nothing"
                    " was stored. Send it again.",
                ) from None
            continue
        except DBAPIError as error:
            # A lost connection (the database stopped mid-transaction) is no bug: refuse
            # with a retry hint. Nothing is acknowledged, so a re-send stores it once.
            session.rollback()
            take_pending(session)
            refusal = unavailable(error)
            if refusal is None:
                raise
            raise refusal from error
        except BaseException:
            session.rollback()
            take_pending(session)
            raise
        # Only now, with the change durable, do the watchers hear of it.
        publish(take_pending(session))
        return result
    raise AssertionError("unreachable")
