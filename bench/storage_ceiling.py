"""Storage ceiling: register commands per second through the application (no HTTP),
against the raw rate of single-row INSERT transactions into a SQLite file with
the same durability (WAL, the product's ``synchronous`` setting, FULL).

Both run in the same process, in alternating blocks (raw, app, raw, app, ...),
so a disk that is slower for a while slows both; the ratio is the median of
the per-block ratios. Goal: register >= 40% of raw.

    python bench/storage_ceiling.py            # ~20 s
    python bench/storage_ceiling.py --quick    # smoke run
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

GOAL = ">= 0.40"


def raw_db(path: Path, synchronous: str) -> sqlite3.Connection:
    common.remove_db(path)
    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    # The event store's own shape: one row is one stored event.
    conn.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER,"
        " topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )
    return conn


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=None, help="students registering (default 50)")
    p.add_argument("--blocks", type=int, default=None, help="measured blocks (default 24)")
    args = p.parse_args()
    src = common.use_source(args.src)
    students = args.students or (5 if args.quick else 50)
    blocks = args.blocks or (2 if args.quick else 24)
    work = common.workdir(args, "storage")
    report = common.Report("storage_ceiling", args)
    synchronous = common.product_synchronous()
    report.info.update(students=students, blocks=blocks, synchronous=synchronous, src=str(src))
    report.say(f"{students} students, {blocks} blocks of {students} registers; "
               f"WAL, synchronous={synchronous}; databases in {work}")

    app = common.open_app(work / "app.db")
    clock = common.FakeClock()
    ids = []
    for i in range(students):
        sid = app.add_student(f"Student {i}", clock.tick())["id"]
        app.add_purchase(sid, 100, 3, None, None, clock.tick())
        ids.append(sid)
    app.set_next_lesson(clock.now + timedelta(days=30), clock.tick())

    # A state blob the size of a real Registered event, for the raw rows.
    state = b'{"lesson_id":1,"lot_id":1,"seq":3,"balance_after":99,"at":{"_type_":"datetime_iso","_data_":"2026-01-05T09:00:03+00:00"},"by":"student","originator_topic":"tangopass:Student","originator_id":{"_type_":"uuid_hex","_data_":"0f6a2f1c8e4b5d7a9c3e1f2a4b6c8d0e"},"originator_version":3,"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-05T09:00:03.123456+00:00"}}'
    raw = raw_db(work / "raw.db", synchronous)
    raw_counter = [0]

    def raw_block() -> list[float]:
        times = []
        for _ in range(students):
            raw_counter[0] += 1
            start = time.perf_counter()
            raw.execute("BEGIN")
            raw.execute(
                "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                (os.urandom(16).hex(), raw_counter[0], "tangopass:Student.Registered", state),
            )
            raw.execute("COMMIT")
            times.append(time.perf_counter() - start)
        return times

    def app_block() -> tuple[list[float], float]:
        times = []
        cpu = time.process_time()
        for sid in ids:
            now = clock.tick()
            start = time.perf_counter()
            app.register(sid, None, now)
            times.append(time.perf_counter() - start)
        cpu = time.process_time() - cpu
        for sid in ids:
            app.cancel(sid, None, clock.tick())
        return times, cpu

    raw_block(), app_block()  # warm up both
    raw_times: list[float] = []
    app_times: list[float] = []
    ratios: list[float] = []
    app_cpu = 0.0
    with common.profiled(args.profile):
        for _ in range(blocks):
            r = raw_block()
            a, cpu = app_block()
            raw_times += r
            app_times += a
            app_cpu += cpu
            ratios.append(sum(r) / sum(a))  # (n / app time) / (n / raw time)
    common.close_app(app)
    raw.close()

    raw_rate = len(raw_times) / sum(raw_times)
    app_rate = len(app_times) / sum(app_times)
    report.series["block_ratios"] = ratios
    report.figure("storage.raw_insert_p50_ms", common.median(raw_times) * 1e3, "ms")
    report.figure("storage.register_p50_ms", common.median(app_times) * 1e3, "ms",
                  baseline="storage.raw_insert_p50_ms",
                  baseline_value=common.median(raw_times) * 1e3)
    report.figure("storage.register_cpu_ms", app_cpu / len(app_times) * 1e3, "ms",
                  note="process CPU time per register command")
    report.figure("storage.register_per_s", app_rate, "/s",
                  baseline="storage.raw_insert_tx_per_s", baseline_value=raw_rate,
                  ratio=common.median(ratios), goal=GOAL,
                  note=f"ratio = median of {len(ratios)} per-block ratios")
    report.finish()


if __name__ == "__main__":
    main()
