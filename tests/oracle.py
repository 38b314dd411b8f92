"""After a fault run: is every acknowledged write stored exactly once, is every mat split
what its reads say, and does the database pass its own integrity checks?"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from contextlib import closing

import psycopg

from ingestkit import Journal, Plan

SPLITS = """
SELECT s.id, a.bib, c.code, s.elapsed_ms, s.source FROM splits s
JOIN athletes a ON a.id = s.athlete_id JOIN checkpoints c ON c.id = s.checkpoint_id
JOIN races r ON r.id = s.race_id WHERE r.slug = {p} AND s.voided_at IS NULL
"""
READ_KEYS = """
SELECT rr.idempotency_key FROM raw_reads rr JOIN races r ON r.id = rr.race_id WHERE r.slug = {p}
"""


def _rows(database_url: str, query: str, *params) -> list[tuple]:
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as connection:
            return connection.execute(query.format(p="?"), params).fetchall()
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        return connection.execute(query.format(p="%s"), params).fetchall()


def check_storage(database_url: str, plan: Plan, journal: Journal) -> dict:
    """Lost, duplicated and wrong writes, counted from the database itself."""
    splits = _rows(database_url, SPLITS, plan.slug)
    ids = Counter(str(uuid.UUID(str(row[0]))) for row in splits)
    per_checkpoint = Counter((row[1], row[2]) for row in splits)
    keys = Counter(row[0] for row in _rows(database_url, READ_KEYS, plan.slug))
    acked_reads = [
        k for index in journal.acked_batches for k in plan.read_keys(plan.batches[index])
    ]
    mats = {(row[1], row[2]): row[3] / 1000 for row in splits if row[4] == "mat"}
    complete = {  # mats whose every read was acknowledged: their split must be exact
        (read["chip"].removeprefix("chip-"), read["checkpoint"])
        for index in journal.acked_batches
        for read in plan.batches[index]
    } - {
        (read["chip"].removeprefix("chip-"), read["checkpoint"])
        for index in set(range(len(plan.batches))) - journal.acked_batches
        for read in plan.batches[index]
    }
    return {
        "splits_acked": len(journal.acked_splits),
        "splits_lost": sum(1 for key in journal.acked_splits if ids[key] == 0),
        "splits_duplicated": sum(count - 1 for count in ids.values() if count > 1),
        "two_live_splits_at_one_checkpoint": sum(1 for n in per_checkpoint.values() if n > 1),
        "reads_acked": len(acked_reads),
        "reads_lost": sum(1 for key in acked_reads if keys[key] == 0),
        "reads_duplicated": sum(count - 1 for count in keys.values() if count > 1),
        "mat_splits_checked": len(complete),
        "mat_splits_wrong": sum(
            1 for mat in complete if abs(mats.get(mat, -1) - plan.mat_splits[mat]) > 0.0005
        ),
    }


def integrity_problems(database_url: str) -> list[str]:
    """What the database's own checks report; an empty list is a healthy database.

    SQLite: `PRAGMA integrity_check` and `foreign_key_check`. PostgreSQL: amcheck's
    `bt_index_check` on every B-tree index of the schema (heap and index agree), and a
    query that no live split breaks the one-per-checkpoint rule the unique index enforces.
    """
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        with closing(sqlite3.connect(path)) as connection:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
        return ([] if verdict == ["ok"] else verdict) + [f"foreign key: {row}" for row in orphans]
    problems = []
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        for index in _btree_indexes(connection):
            try:
                connection.execute("SELECT bt_index_check(%s::regclass, true)", (index,))
            except psycopg.Error as error:
                problems.append(f"{index}: {error}")
        doubled = connection.execute(
            "SELECT count(*) FROM (SELECT 1 FROM splits WHERE voided_at IS NULL"
            " GROUP BY athlete_id, checkpoint_id HAVING count(*) > 1) AS d"
        ).fetchone()[0]
        if doubled:
            problems.append(f"{doubled} checkpoints with two live splits")
    return problems


def _btree_indexes(connection) -> list[str]:
    """The schema's B-tree indexes, or none where amcheck cannot be had (not a superuser)."""
    try:
        connection.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
    except psycopg.Error:
        return []
    rows = connection.execute(
        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_am am ON am.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE am.amname = 'btree' AND n.nspname = 'public'"
    ).fetchall()
    return [row[0] for row in rows]
