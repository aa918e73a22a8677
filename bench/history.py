"""History independence: one register for a student with 10, 1,000, 10,000 and
100,000 past events, with 10,000 other students in the database.

The database is built once (bench/fixtures.py, cached under /tmp) and copied
for each run. The subjects take turns: for each repetition, every history size
gets one register (timed) and one cancel (timed apart), so a slow moment of the
disk hits all sizes alike. Each history therefore grows by 2 events per
repetition (the "10" subject ends near 10 + 2 x repetitions).

Two cases:
* warm - the application as configured (its aggregate cache holds the student);
* cold - the student and the lesson are evicted from the cache before each
  register, so the account is rebuilt from its latest snapshot and the events
  after it: what a freshly started worker, or a student not seen for a while,
  costs.

Goal: the 100,000 case within 1.3x of the 10 case (median register latency).

    python bench/history.py             # first run builds ~230k events (~1 min), then ~30 s
    python bench/history.py --quick     # smoke run
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import fixtures  # noqa: E402

GOAL = "<= 1.30"


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=None, help="repetitions per size (default 200)")
    p.add_argument("--students", type=int, default=None, help="other students (default 10000)")
    args = p.parse_args()
    src = common.use_source(args.src)
    sizes = [10, 100, 1000] if args.quick else [10, 1_000, 10_000, 100_000]
    students = args.students or (200 if args.quick else 10_000)
    reps = args.reps or (5 if args.quick else 200)
    work = common.workdir(args, "history")
    report = common.Report("history", args)
    report.info.update(sizes=sizes, students=students, reps=reps, src=str(src))

    cached, meta = fixtures.history_db(src, sizes, students, say=report.say)
    db = work / "history.db"
    common.fast_copy(cached, db)
    report.say(f"{meta['events']} events, {meta['students']} students, lesson with "
               f"{meta['lesson_events']} events; {reps} repetitions per size")

    from tangopass.ledger.lesson import Lesson
    from tangopass.ledger.student import Student

    app = common.open_app(db)
    clock = common.FakeClock(datetime.fromisoformat(meta["now"]))
    subjects = {int(size): info["id"] for size, info in meta["subjects"].items()}
    lesson_id = meta["lesson_id"]
    cache = app.events.cache

    def evict(*ids) -> None:
        for aggregate_id in ids:
            cache.evict(aggregate_id)

    # The first append on a copied file may have one-off work (a migration, the
    # first hash link); do it outside the measurement, for every subject.
    for sid in subjects.values():
        app.register(sid, lesson_id, clock.tick())
        app.cancel(sid, lesson_id, clock.tick())

    results: dict[str, dict[int, dict[str, list[float]]]] = {}
    with common.profiled(args.profile):
        for case in ("warm", "cold"):
            runs = {size: {"register": [], "cancel": []} for size in sizes}
            for _ in range(reps):
                for size, sid in subjects.items():
                    if case == "cold":
                        evict(Student.create_id(sid), Lesson.create_id(lesson_id))
                    now = clock.tick()
                    start = time.perf_counter()
                    app.register(sid, None, now)
                    runs[size]["register"].append(time.perf_counter() - start)
                    now = clock.tick()
                    start = time.perf_counter()
                    app.cancel(sid, None, now)
                    runs[size]["cancel"].append(time.perf_counter() - start)
            results[case] = runs
    common.close_app(app)

    smallest, largest = sizes[0], sizes[-1]
    for case, runs in results.items():
        medians = {size: common.median(r["register"]) * 1e3 for size, r in runs.items()}
        report.series[f"{case}_register_ms"] = {str(k): v for k, v in medians.items()}
        report.series[f"{case}_register_p90_ms"] = {
            str(k): common.percentile(r["register"], 90) * 1e3 for k, r in runs.items()
        }
        report.series[f"{case}_cancel_ms"] = {
            str(k): common.median(r["cancel"]) * 1e3 for k, r in runs.items()
        }
        for size in sizes:
            name = f"history.{case}.register_ms.{size}"
            if size == smallest:
                report.figure(name, medians[size], "ms", note=f"median of {reps}")
            elif size == largest:
                report.figure(name, medians[size], "ms",
                              baseline=f"history.{case}.register_ms.{smallest}",
                              baseline_value=medians[smallest], goal=GOAL,
                              note=f"median of {reps}; ratio = {size} events vs {smallest}")
            else:
                report.figure(name, medians[size], "ms",
                              baseline=f"history.{case}.register_ms.{smallest}",
                              baseline_value=medians[smallest], note=f"median of {reps}")
    report.info["fixture"] = meta
    report.finish()


if __name__ == "__main__":
    main()
