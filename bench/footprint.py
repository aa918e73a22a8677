"""Footprint: resident memory of ``tangopass serve`` (master + workers, summed
from /proc) idle and after load, and the database size per 100,000 events.

Memory: a fresh database, the default 2 workers x 8 threads, RSS summed over
the process tree right after start (idle, baseline) and after a few seconds of
``GET /status`` and register/cancel load with wrk. PSS (shared pages counted
once) is printed beside it: the workers are forked from the master and share
much of their memory, which RSS counts twice.

Database size: the simulated studio of bench/replay.py (cached under /tmp;
1,000,000 events by default, ``--events N`` to scale down), checkpointed; the
baseline is the bytes of the events themselves (state + topic + ids). The
per-table split comes from SQLite's dbstat.

    python bench/footprint.py           # ~20 s once the studio history is cached
    python bench/footprint.py --quick   # smoke run
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import fixtures  # noqa: E402
import http_ceiling  # noqa: E402


def db_sizes(db: Path) -> dict:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        events, payload = conn.execute(
            "SELECT COUNT(*), SUM(LENGTH(state) + LENGTH(topic) + LENGTH(originator_id) + 8)"
            " FROM stored_events"
        ).fetchone()
        by_object: dict[str, int] = {}
        try:
            rows = conn.execute(
                "SELECT d.name, COALESCE(m.tbl_name, d.name), SUM(d.pgsize) FROM dbstat d"
                " LEFT JOIN sqlite_master m ON m.name = d.name GROUP BY d.name"
            ).fetchall()
            for _, table, size in rows:  # indexes counted with their table
                by_object[table] = by_object.get(table, 0) + size
        except sqlite3.OperationalError:  # SQLite built without dbstat
            pass
        return {"bytes": pages * page_size, "free_bytes": free * page_size, "events": events,
                "payload_bytes": payload, "by_table": dict(sorted(by_object.items(), key=lambda kv: -kv[1]))}
    finally:
        conn.close()


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=None, help="studio history size (default 1000000)")
    p.add_argument("--seconds", type=int, default=None, help="seconds per load (default 4)")
    args = p.parse_args()
    src = common.use_source(args.src)
    events = args.events or (3_000 if args.quick else 1_000_000)
    seconds = args.seconds or (1 if args.quick else 4)
    connections = 4 if args.quick else 16
    work = common.workdir(args, "footprint")
    report = common.Report("footprint", args)
    report.info.update(events_wanted=events, seconds=seconds, src=str(src))

    # ---------------------------------------------------------------- memory
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    db = work / "serve.db"
    common.remove_db(db)
    tokens = http_ceiling.seed(db, connections)
    tokens_file = work / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    with http_ceiling.serving(db, work / "server.log", 2, 8) as (url, process):
        time.sleep(1)
        idle = common.memory_of_tree(process.pid)
        served = 0
        for mode in ("status", "register_cancel", "status", "register_cancel"):
            served += http_ceiling.wrk(url, mode, connections, seconds, tokens_file)["requests"]
        loaded = common.memory_of_tree(process.pid)
    report.figure("footprint.rss_idle_mib", idle["rss_mib"], "MiB",
                  note=f"{idle['processes']} processes; PSS {idle['pss_mib']:.1f} MiB")
    report.figure("footprint.rss_after_load_mib", loaded["rss_mib"], "MiB",
                  baseline="footprint.rss_idle_mib", baseline_value=idle["rss_mib"],
                  note=f"after {served} requests; PSS {loaded['pss_mib']:.1f} MiB")
    report.series["memory"] = {"idle": idle, "after_load": loaded, "requests": served}

    # -------------------------------------------------------------- database
    studio, meta = fixtures.studio_db(src, events, say=report.say)
    common.checkpoint(studio)
    sizes = db_sizes(studio)
    per = 100_000 / sizes["events"]
    report.figure("footprint.db_mib_per_100k_events", sizes["bytes"] * per / 2**20, "MiB",
                  baseline="footprint.event_payload_mib_per_100k_events",
                  baseline_value=sizes["payload_bytes"] * per / 2**20,
                  note=f"{sizes['events']} events in {sizes['bytes'] / 2**20:.0f} MiB")
    for table, size in list(sizes["by_table"].items())[:8]:
        report.say(f"  {table:<20} {size * per / 2**20:8.1f} MiB per 100k events (with its indexes)")
    report.series["db"] = sizes
    report.finish()


if __name__ == "__main__":
    main()
