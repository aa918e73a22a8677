"""Append a long, realistic history through the application, with a fake clock.

    python -m tests.audit.make_history --events 100000 --db /tmp/h.db

Students buy lots (some back-dated, 1 or 3 months), register for two lessons a
week, sometimes cancel, the teacher clears after class, now and then cancels a
lesson, adjusts a balance, extends every valid lot or rotates a token; lots
expire lazily. Every event goes through the application commands, the
recorder hook, the projections and the hash chain, exactly as in production;
only fsync is switched off (a scratch file), which makes it quick.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import Terms
from tangopass.ledger.errors import LedgerError
from tangopass.projections.storage import sqlite as sqlite_store
from tangopass.projections.queries import Queries
from tangopass.projections.schema import apply_schema

START = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Berlin")  # daylight saving changes inside the history


def event_count(db_path: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]
    finally:
        conn.close()


def make_history(
    db_path: str,
    events: int,
    *,
    students: int = 150,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append at least ``events`` events to a new database; return how many there are."""
    if Path(db_path).exists():
        raise FileExistsError(f"{db_path} exists; make_history writes a new database")
    rng = random.Random(seed)
    apply_schema(db_path)
    saved_sync = sqlite_store.SYNCHRONOUS
    sqlite_store.SYNCHRONOUS = "OFF"  # a scratch history: no fsync per commit
    queries = Queries(db_path)
    app = open_ledger(db_path, Terms(TZ, window_hours=2), queries)
    now = START

    def attempt(command: Callable[[], object]) -> object | None:
        try:
            return command()
        except LedgerError:
            return None

    def buy(student: int, at: datetime) -> None:
        back = timedelta(days=rng.choice([0, 0, 0, 1, 3, 10]))
        app.add_purchase(student, rng.choice([5, 10, 10, 20]), rng.choice([1, 3]), at - back,
                         rng.choice([None, "cash", "=1+1 transfer"]), at)

    try:
        for number in range(1, students + 1):
            app.add_student(f"Student {number}" if number % 17 else f"=HYPERLINK({number})", now)
            buy(number, now)
        count = event_count(db_path)
        week = 0
        while count < events:
            for day_offset in (1, 4):  # two lessons a week, 19:00 UTC
                starts = START + timedelta(weeks=week, days=day_offset, hours=9)
                now = starts - timedelta(hours=30)
                lesson = app.set_next_lesson(starts, now)["lesson"]["id"]
                regulars = [n for n in range(1, students + 1) if rng.random() < 0.45]
                for number in regulars:
                    now += timedelta(seconds=rng.randint(1, 120))
                    if attempt(lambda: app.register(number, lesson, now)) is None:
                        if rng.random() < 0.7:  # out of credit: most buy a new lot
                            buy(number, now)
                            attempt(lambda: app.register(number, lesson, now))
                for number in rng.sample(regulars, k=len(regulars) // 10):
                    now += timedelta(seconds=30)
                    attempt(lambda: app.cancel(number, lesson, now))
                if rng.random() < 0.05:
                    attempt(lambda: app.adjust(rng.randint(1, students), rng.choice([-1, 2]),
                                               "correction", None, now))
                if rng.random() < 0.01:
                    attempt(lambda: app.rotate_token(rng.randint(1, students), now))
                now = starts + timedelta(hours=2)
                if rng.random() < 0.04:
                    now = starts - timedelta(hours=5)
                    app.cancel_lesson(lesson, now)
                else:
                    app.clear_registrations(lesson, now)
            week += 1
            if week % 26 == 0:
                attempt(lambda: app.extend_validity(7, now))
            if week % 8 == 0:  # the teacher's list settles everyone's expired lots
                app.settle(queries.students_to_settle(now.strftime("%Y-%m-%dT%H:%M:%SZ")), now)
            previous, count = count, event_count(db_path)
            if progress:
                progress(count - previous)
        return count
    finally:
        app.close()
        queries.close()
        sqlite_store.SYNCHRONOUS = saved_sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", required=True)
    parser.add_argument("--students", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = make_history(args.db, args.events, students=args.students, seed=args.seed)
    print(f"{count} events in {args.db} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
