"""A 40,000-runner field at a city marathon: how long a place, a category's results page
and a search take, on SQLite and PostgreSQL, with the field loaded in bulk.

Every runner has a gender, a birth year and so a category, a name with accents, and a
split at each of the first checkpoints; some hundreds are DNF. Then, timed (median and
worst of `--repeat` runs, in ms):

- place: a new split entered through the split path and committed, then the athlete's
  places (overall, gender, category) read, as the live layer does;
- category page: the first page (50) of one category's results at the furthest checkpoint;
- search: a name prefix with an accent folded away, first page.

    .venv/bin/python bench/city_field.py --runners 40000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("TIME_WINDOW_DAYS", str(100 * 365))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.db import db  # noqa: E402
from tracker.domain.categories import category_for  # noqa: E402
from tracker.domain.names import name_words  # noqa: E402
from tracker.domain.race_clock import SplitTime  # noqa: E402
from tracker.models import Athlete, AthleteNameWord, Split  # noqa: E402
from tracker.services import races  # noqa: E402
from tracker.services.places import places_of  # noqa: E402
from tracker.services.results import results  # noqa: E402
from tracker.services.search import search_athletes  # noqa: E402
from tracker.services.split_requests import record_split  # noqa: E402
from tracker.transactions import write  # noqa: E402

GUN = datetime(2026, 4, 26, 8, 0, tzinfo=UTC)
CHECKPOINTS = [("5K", 5000.0), ("10K", 10000.0), ("15K", 15000.0), ("20K", 20000.0)]
FIRST = ["José", "Anna", "Łukasz", "Zoë", "Müller", "Sean", "Aiko", "Ingrid", "Kemal", "Léa"]
LAST = ["Núñez", "Kipchoge", "Strøm", "Dubois", "Smith", "García", "Öztürk", "Tanaka", "Ng"]


def load_field(race, runners: int, seed: int = 7) -> None:
    """Athletes, their name words and splits, inserted in bulk (place keys as the services
    would set them)."""
    rng = random.Random(seed)
    session = db.session
    athletes, words = [], []
    for bib in range(1, runners + 1):
        gender = rng.choice("MF")
        born = rng.randint(1945, 2006)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {bib}"
        out = rng.random() < 0.01
        athletes.append(
            {
                "race_id": race.id,
                "bib": str(bib),
                "name": name,
                "role": "athlete",
                "featured": False,
                "seq": 0,
                "gender": gender,
                "birth_year": born,
                "category": category_for(gender, GUN.year - born),
                "status": "dnf" if out else None,
                "status_reason": "bench" if out else None,
                "chip_start_ms": rng.randint(0, 1_800_000),
                "created_at": GUN,
            }
        )
    session.execute(insert(Athlete), athletes)
    ids = dict(
        session.execute(select(Athlete.bib, Athlete.id).where(Athlete.race_id == race.id)).all()
    )
    for row in athletes:
        for word in dict.fromkeys(name_words(row["name"])):
            words.append({"race_id": race.id, "athlete_id": ids[row["bib"]], "word": word})
    session.execute(insert(AthleteNameWord), words)
    by_code = {cp.code: cp for cp in race.checkpoints}
    splits = []
    for row in athletes:
        pace = rng.uniform(170, 420)  # s/km
        for code, distance in CHECKPOINTS:
            elapsed = round(row["chip_start_ms"] + pace * distance)
            splits.append(
                {
                    "id": uuid.uuid4(),
                    "race_id": race.id,
                    "athlete_id": ids[row["bib"]],
                    "checkpoint_id": by_code[code].id,
                    "elapsed_ms": elapsed,
                    "source": "mat",
                    "entered_by": "bench",
                    "received_at": GUN,
                    "idempotency_key": f"bench:{row['bib']}:{code}",
                    "version": 1,
                    "place_ms": None if row["status"] else elapsed - row["chip_start_ms"],
                    "gender": row["gender"],
                    "category": row["category"],
                }
            )
    for start in range(0, len(splits), 20000):
        session.execute(insert(Split), splits[start : start + 20000])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # As autovacuum does after a bulk insert: statistics, and the visibility map that lets
        # a count on an index skip the table (without it every place count read the heap).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def rescanned_places(race, split: Split) -> tuple[int, int, int]:
    """The reference: the split's three places by ranking its whole checkpoint with window
    functions, as the first version did (a scan of the field per split)."""
    ranked = (
        select(
            Split.id,
            func.rank().over(order_by=Split.place_ms).label("overall"),
            func.rank().over(partition_by=Split.gender, order_by=Split.place_ms).label("g"),
            func.rank().over(partition_by=Split.category, order_by=Split.place_ms).label("c"),
        )
        .where(Split.checkpoint_id == split.checkpoint_id, Split.place_ms.is_not(None))
        .subquery()
    )
    row = db.session.execute(
        select(ranked.c.overall, ranked.c.g, ranked.c.c).where(ranked.c.id == split.id)
    ).one()
    return tuple(row)


def name_scan(race, pattern: str) -> tuple[int, list[int]]:
    """The reference for search: every name read (LIKE), for the total and the first page
    by bib, as search answers (without its folding of accents)."""
    where = (Athlete.race_id == race.id, Athlete.name.like(pattern))
    total = db.session.scalar(select(func.count()).select_from(Athlete).where(*where))
    page = db.session.scalars(select(Athlete.id).where(*where).order_by(Athlete.bib).limit(20))
    return total, page.all()


def timed(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
        db.session.rollback()
    return statistics.median(times), max(times)


def run(url: str, runners: int, repeat: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        race = write(
            lambda: races.create_race(
                db.session,
                slug="city",
                name="City",
                checkpoints=[{"code": c, "distance_m": d} for c, d in CHECKPOINTS],
            )
        )
        write(lambda: races.start_race(db.session, race, at=GUN))
        began = time.perf_counter()
        load_field(race, runners)
        print(
            f"  loaded {runners:,} runners x {len(CHECKPOINTS)} splits in "
            f"{time.perf_counter() - began:.1f} s"
        )
        race = races.find_race(db.session, "city")
        finish_cp = next(cp for cp in race.checkpoints if cp.code == "FINISH")
        bibs = iter(range(1, runners + 1))

        def place_update():
            bib = str(next(bibs))
            outcome = write(
                lambda: record_split(
                    db.session,
                    race,
                    bib=bib,
                    checkpoint_code="FINISH",
                    given=SplitTime(elapsed_s=3 * 3600 + int(bib) % 7200),
                    source="manual",
                    entered_by="bench",
                    now=GUN + timedelta(hours=8),
                )
            )
            return places_of(db.session, [outcome.split])

        # The finish fills as it is timed: places counted among those already there.
        for _ in range(200):
            place_update()
        middle = db.session.scalars(
            select(Split).where(Split.idempotency_key == f"bench:{runners // 2}:20K")
        ).one()
        indexed = places_of(db.session, [middle])[middle.id]
        # The reference must agree with the index count before its time means anything.
        assert rescanned_places(race, middle) == (
            indexed["overall"],
            indexed["gender"],
            indexed["category"],
        ), indexed
        figures = {
            "place update (split + places)": timed(place_update, repeat),
            "places of one split at 20K (3 groups)": timed(
                lambda: places_of(db.session, [middle]), repeat
            ),
            "reference: the same by ranking the checkpoint": timed(
                lambda: rescanned_places(race, middle), repeat
            ),
            "category results, first page (50)": timed(
                lambda: results(db.session, race, checkpoint="20K", category="M40", limit=50),
                repeat,
            ),
            "category results, page 10": timed(
                lambda: results(
                    db.session, race, checkpoint="20K", category="M40", offset=450, limit=50
                ),
                repeat,
            ),
            "search 'lukasz str' (first 20)": timed(
                lambda: search_athletes(db.session, race, "lukasz str", limit=20), repeat
            ),
            "reference: a name scan, total and first 20": timed(
                lambda: name_scan(race, "%kasz%Str%"), repeat
            ),
            "search by bib": timed(
                lambda: search_athletes(db.session, race, str(runners // 3), limit=20), repeat
            ),
        }
        del finish_cp
        for what, (median, worst) in figures.items():
            print(f"  {what:<46} median {median:7.2f} ms   worst {worst:7.2f} ms")
        index, rescan = (
            figures["places of one split at 20K (3 groups)"][0],
            figures["reference: the same by ranking the checkpoint"][0],
        )
        print(f"  ratio: ranking the checkpoint / the index count = {rescan / index:.1f}")
        search, scan = (
            figures["search 'lukasz str' (first 20)"][0],
            figures["reference: a name scan, total and first 20"][0],
        )
        print(f"  ratio: the name scan / search = {scan / search:.1f}")
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runners", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="an admin URL: a scratch database is made and dropped ('' to skip)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print(f"SQLite ({args.runners:,} runners)")
        run(f"sqlite:///{workdir}/city.sqlite3", args.runners, args.repeat)
    if args.postgres:
        name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(args.postgres, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            print(f"PostgreSQL ({args.runners:,} runners)")
            run(args.postgres.rsplit("/", 1)[0] + "/" + name, args.runners, args.repeat)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


if __name__ == "__main__":
    main()
