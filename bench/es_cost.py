"""Cost of event sourcing: the real register command against the same register
written as a plain CRUD transaction.

The CRUD version (below, in this file) works on a copy of the same database,
with the same durability, and does what a non-event-sourced ledger would do in
one transaction: find the next lesson and the FIFO lot, UPDATE the lot, upsert
the registration, INSERT the journal row (``ledger_events``) and UPDATE the
student's balance - the same read-model rows the real command writes, minus
the events, the aggregates, the snapshots and the hash chain.

Blocks alternate (real, CRUD, real, CRUD, ...); each block registers every
student once (timed) then cancels (not timed). The ratio is the median of the
per-block time ratios. Goal: real <= 2x CRUD.

    python bench/es_cost.py            # ~15 s
    python bench/es_cost.py --quick    # smoke run
"""

from __future__ import annotations

import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

GOAL = "<= 2.0"


class CrudLedger:
    """Register/cancel as direct UPDATE + INSERT on the read-model tables."""

    def __init__(self, db_path: Path, synchronous: str):
        self.conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={synchronous}")

    def _lesson(self, c: sqlite3.Cursor, now: str) -> tuple[int, str]:
        row = c.execute(
            "SELECT id, registration_closes_at FROM lesson_events WHERE status = 'scheduled'"
            " AND starts_at > ? ORDER BY starts_at, id LIMIT 1", (now,),
        ).fetchone()
        if row is None:
            raise LookupError("NO_UPCOMING_LESSON")
        if now >= row[1]:
            raise LookupError("REGISTRATION_CLOSED")
        return row

    def _journal(self, c: sqlite3.Cursor, student_id: int, now: str, kind: str, delta: int,
                 lot_id: int, lesson_id: int) -> int:
        balance, seq = c.execute(
            "SELECT credits_available, (SELECT COALESCE(MAX(seq), 0) FROM ledger_events"
            " WHERE student_id = ?) FROM students WHERE id = ?", (student_id, student_id),
        ).fetchone()
        balance += delta
        c.execute(
            "INSERT INTO ledger_events (student_id, seq, ts, type, delta_credits, balance_after,"
            " ref_lot_id, ref_lesson_id, actor, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'student', ?)",
            (student_id, seq + 1, now, kind, delta, balance, lot_id, lesson_id, now),
        )
        c.execute("UPDATE students SET credits_available = ? WHERE id = ?", (balance, student_id))
        return balance

    def register(self, student_id: int, now: str) -> dict:
        c = self.conn.cursor()
        c.execute("BEGIN IMMEDIATE")
        try:
            lesson_id, _ = self._lesson(c, now)
            row = c.execute(
                "SELECT lot_id FROM registrations WHERE lesson_id = ? AND student_id = ?"
                " AND status = 'open'", (lesson_id, student_id),
            ).fetchone()
            if row is not None:  # idempotent
                c.execute("COMMIT")
                return {"registered": True, "lesson_id": lesson_id, "consumed_lot_id": row[0]}
            lot = c.execute(
                "SELECT id FROM lots WHERE student_id = ? AND credits_remaining > 0"
                " AND expires_at > ? ORDER BY purchased_at, id LIMIT 1", (student_id, now),
            ).fetchone()
            if lot is None:
                raise LookupError("NO_CREDITS")
            c.execute("UPDATE lots SET credits_remaining = credits_remaining - 1 WHERE id = ?",
                      (lot[0],))
            c.execute(
                "INSERT INTO registrations (lesson_id, student_id, lot_id, registered_at, status)"
                " VALUES (?, ?, ?, ?, 'open') ON CONFLICT (lesson_id, student_id) DO UPDATE"
                " SET lot_id = excluded.lot_id, registered_at = excluded.registered_at,"
                " status = 'open', closed_at = NULL", (lesson_id, student_id, lot[0], now),
            )
            balance = self._journal(c, student_id, now, "REGISTER", -1, lot[0], lesson_id)
            c.execute("COMMIT")
            return {"registered": True, "lesson_id": lesson_id, "consumed_lot_id": lot[0],
                    "credits_available": balance}
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def cancel(self, student_id: int, now: str) -> dict:
        c = self.conn.cursor()
        c.execute("BEGIN IMMEDIATE")
        try:
            lesson_id, _ = self._lesson(c, now)
            row = c.execute(
                "SELECT lot_id FROM registrations WHERE lesson_id = ? AND student_id = ?"
                " AND status = 'open'", (lesson_id, student_id),
            ).fetchone()
            if row is not None:
                c.execute("UPDATE lots SET credits_remaining = credits_remaining + 1"
                          " WHERE id = ?", (row[0],))
                c.execute("UPDATE registrations SET status = 'cancelled', closed_at = ?"
                          " WHERE lesson_id = ? AND student_id = ?", (now, lesson_id, student_id))
                self._journal(c, student_id, now, "CANCEL", +1, row[0], lesson_id)
            c.execute("COMMIT")
            return {"registered": False, "lesson_id": lesson_id}
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=None, help="students (default 50)")
    p.add_argument("--blocks", type=int, default=None, help="measured blocks (default 24)")
    args = p.parse_args()
    src = common.use_source(args.src)
    students = args.students or (5 if args.quick else 50)
    blocks = args.blocks or (2 if args.quick else 24)
    work = common.workdir(args, "es-cost")
    report = common.Report("es_cost", args)
    synchronous = common.product_synchronous()
    report.info.update(students=students, blocks=blocks, synchronous=synchronous, src=str(src))
    report.say(f"{students} students, {blocks} blocks per side; WAL, synchronous={synchronous}")

    from tangopass.ledger.instants import iso

    app = common.open_app(work / "es.db")
    clock = common.FakeClock()
    ids = []
    for i in range(students):
        sid = app.add_student(f"Student {i}", clock.tick())["id"]
        app.add_purchase(sid, 100, 3, None, None, clock.tick())
        ids.append(sid)
    app.set_next_lesson(clock.now + timedelta(days=30), clock.tick())
    common.copy_db(work / "es.db", work / "crud.db")
    crud = CrudLedger(work / "crud.db", synchronous)

    # Same answers from both (the CRUD version is a faithful stand-in).
    first_app = app.register(ids[0], None, clock.tick())
    first_crud = crud.register(ids[0], iso(clock.now))
    assert first_app["consumed_lot_id"] == first_crud["consumed_lot_id"], (first_app, first_crud)
    assert first_app["credits_available"] == first_crud["credits_available"], (first_app, first_crud)
    app.cancel(ids[0], None, clock.tick())
    crud.cancel(ids[0], iso(clock.now))

    def app_block() -> list[float]:
        times = []
        for sid in ids:
            now = clock.tick()
            start = time.perf_counter()
            app.register(sid, None, now)
            times.append(time.perf_counter() - start)
        for sid in ids:
            app.cancel(sid, None, clock.tick())
        return times

    def crud_block() -> list[float]:
        times = []
        for sid in ids:
            now = iso(clock.tick())
            start = time.perf_counter()
            crud.register(sid, now)
            times.append(time.perf_counter() - start)
        for sid in ids:
            crud.cancel(sid, iso(clock.tick()))
        return times

    app_block(), crud_block()  # warm up
    es_times: list[float] = []
    crud_times: list[float] = []
    ratios = []
    with common.profiled(args.profile):
        for _ in range(blocks):
            a = app_block()
            c = crud_block()
            es_times += a
            crud_times += c
            ratios.append(sum(a) / sum(c))
    common.close_app(app)
    crud.close()

    report.series["block_ratios"] = ratios
    report.figure("es_cost.crud_register_p50_ms", common.median(crud_times) * 1e3, "ms")
    report.figure("es_cost.es_register_p50_ms", common.median(es_times) * 1e3, "ms",
                  baseline="es_cost.crud_register_p50_ms",
                  baseline_value=common.median(crud_times) * 1e3)
    report.figure("es_cost.es_register_per_s", len(es_times) / sum(es_times), "/s",
                  baseline="es_cost.crud_register_per_s",
                  baseline_value=len(crud_times) / sum(crud_times))
    report.figure("es_cost.slowdown", common.median(ratios), "x",
                  goal=GOAL, goal_on="value",
                  note=f"time of the real command / time of CRUD, median of {len(ratios)} blocks")
    report.finish()


if __name__ == "__main__":
    main()
