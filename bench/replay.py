"""Replay speed: events per second rebuilding every projection from the event
store (``auditor.rebuild.rebuild(source_db, target_db, decode)`` with
``decode = app.mapper.to_domain_event``), over 1,000,000 events of a simulated
studio (bench/fixtures.py: purchases, registrations, cancellations, clears,
expiries, OLDEST markers, a called-off lesson now and then).

The history is generated once and cached under /tmp (first run: ~2-3 minutes
for 1M events); ``--events N`` scales it down. Baselines measured in the same
run: reading the same rows with the same query and nothing else (scan), and
reading + decoding them into domain events without projecting (decode).
Goal: >= 50,000 events/s.

    python bench/replay.py                   # 1M events
    python bench/replay.py --events 200000   # scaled down
    python bench/replay.py --quick           # smoke run
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import fixtures  # noqa: E402

GOAL = ">= 50000"


def scan(db: Path, limit: int | None = None) -> tuple[int, float]:
    """Read the stored rows in order (the rebuild's own query), doing nothing with them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sql = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
        if limit:
            sql += f" LIMIT {int(limit)}"
        start = time.perf_counter()
        count = 0
        for _ in conn.execute(sql):
            count += 1
        return count, time.perf_counter() - start
    finally:
        conn.close()


def decode_only(db: Path, decode, limit: int) -> tuple[int, float]:
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events"
            f" ORDER BY rowid LIMIT {int(limit)}"
        )
        start = time.perf_counter()
        count = 0
        for originator_id, version, topic, state in rows:
            decode(StoredEvent(UUID(originator_id), version, topic, state))
            count += 1
        return count, time.perf_counter() - start
    finally:
        conn.close()


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=None, help="events to replay (default 1000000)")
    p.add_argument("--source-db", default=None,
                   help="replay this database instead of the generated one (A/B runs)")
    args = p.parse_args()
    src = common.use_source(args.src)
    events = args.events or (3_000 if args.quick else 1_000_000)
    work = common.workdir(args, "replay")
    report = common.Report("replay", args)
    report.info.update(events_wanted=events, src=str(src))

    from tangopass.auditor.rebuild import rebuild

    if args.source_db:
        source, meta = Path(args.source_db), {"source_db": args.source_db}
    else:
        source, meta = fixtures.studio_db(src, events, say=report.say)
    total = common.event_count(source)
    report.say(f"{total} events ({meta.get('students')} students, {meta.get('lessons')} lessons)")
    app = common.open_app(work / "mapper.db")  # only for its mapper (decoding needs no data)
    decode = app.mapper.to_domain_event

    scanned, scan_s = scan(source)
    decode_n, decode_s = decode_only(source, decode, min(total, 200_000))
    target = work / "rebuilt.db"
    common.remove_db(target)
    with common.profiled(args.profile):
        start = time.perf_counter()
        replayed = rebuild(str(source), str(target), decode)
        elapsed = time.perf_counter() - start
    common.close_app(app)
    if replayed != total:
        raise SystemExit(f"rebuild replayed {replayed} events, the store holds {total}")
    conn = sqlite3.connect(str(target))
    try:
        entries = conn.execute("SELECT COUNT(*) FROM ledger_events").fetchone()[0]
    finally:
        conn.close()
    common.remove_db(target)

    rate = replayed / elapsed
    report.figure("replay.scan_rows_per_s", scanned / scan_s, "/s",
                  note="SELECT of the stored rows alone")
    report.figure("replay.decode_events_per_s", decode_n / decode_s, "/s",
                  baseline="replay.scan_rows_per_s", baseline_value=scanned / scan_s,
                  note=f"mapper.to_domain_event over {decode_n} events, no projection")
    report.figure("replay.rebuild_seconds", elapsed, "s", note=f"{replayed} events")
    report.figure("replay.rebuild_events_per_s", rate, "/s",
                  baseline="replay.scan_rows_per_s", baseline_value=scanned / scan_s,
                  goal=GOAL, goal_on="value",
                  note=f"{replayed} events -> {entries} ledger entries")
    report.info["fixture"] = meta
    report.finish()


if __name__ == "__main__":
    main()
