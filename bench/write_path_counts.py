"""Write-path counts: SQL statements, transactions and fsyncs per register and per cancel.

Counted, not timed: every SQLite connection this process opens gets a trace
callback (``sqlite3.connect`` is wrapped before the application starts), so the
count covers the library's pool, the read connections and ours alike; fsync and
fdatasync calls are counted by re-running this script under ``strace -c -f``
when strace is installed. Warm cache: the students are registered once before
counting. SQLite traces each trigger program too: the append-only BEFORE INSERT guards
count as statements (the same in the before and after figures). ``--src DIR`` counts another checkout with the same script (how the
"before" figures were taken).

    python bench/write_path_counts.py            # 200 register+cancel pairs
    python bench/write_path_counts.py --quick
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

COUNTS = Counter()
_connect = sqlite3.connect


def _trace(statement: str) -> None:
    word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    if word in ("BEGIN", "COMMIT", "ROLLBACK", "END"):
        COUNTS[word] += 1
    else:
        COUNTS["statements"] += 1


def counting_connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.set_trace_callback(_trace)
    return conn


def count_moves(app, students: list[int], lesson: int, clock, move: str) -> Counter:
    COUNTS.clear()
    for sid in students:
        getattr(app, move)(sid, lesson, clock.tick())
    return Counter(COUNTS)


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=None, help="register+cancel pairs (default 200)")
    p.add_argument("--no-strace", action="store_true", help="do not count fsyncs")
    args = p.parse_args()
    pairs = args.pairs or (20 if args.quick else 200)
    if not args.no_strace and shutil.which("strace") and "TANGOPASS_COUNTING" not in os.environ:
        return under_strace(args, pairs)
    sqlite3.connect = counting_connect
    src = common.use_source(args.src)
    work = common.workdir(args, "counts")
    report = common.Report("write_path_counts", args)
    report.info.update(pairs=pairs, src=str(src))
    app = common.open_app(work / "app.db")
    clock = common.FakeClock()
    students = [app.add_student(f"S{i}", clock.tick())["id"] for i in range(pairs)]
    for sid in students:
        app.add_purchase(sid, 10, 3, None, None, clock.tick())
    from datetime import timedelta

    lesson = app.set_next_lesson(clock.now + timedelta(days=30), clock.tick())["lesson"]["id"]
    # Warm: every account once through a register and a cancel, then count.
    count_moves(app, students, lesson, clock, "register")
    count_moves(app, students, lesson, clock, "cancel")
    for move in ("register", "cancel"):
        print(f"PHASE {move}", flush=True)
        c = count_moves(app, students, lesson, clock, move)
        n = len(students)
        report.figure(f"counts.{move}.statements", c["statements"] / n, "per command")
        report.figure(f"counts.{move}.transactions", c["BEGIN"] / n, "per command")
        report.figure(f"counts.{move}.commits", c["COMMIT"] / n, "per command",
                      note="COMMIT statements (the rest end in ROLLBACK: reads)")
        mark = f"COUNTS {move} {n}"
        print(mark, flush=True)  # the strace parent splits its fsync count on these
    common.close_app(app)
    report.finish()


def under_strace(args, pairs: int) -> None:
    """Run the counting once under strace; fsyncs between the markers are per command."""
    out = Path(common.workdir(args, "strace")) / "trace.txt"
    cmd = [sys.executable, __file__, "--pairs", str(pairs)]
    if args.src:
        cmd += ["--src", args.src]
    if args.json_path:
        cmd += ["--json", args.json_path]
    env = {**os.environ, "TANGOPASS_COUNTING": "1"}
    strace = ["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync,write", "-o", str(out)]
    result = subprocess.run(strace + cmd, env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr[-2000:])
    if result.returncode:
        sys.exit(result.returncode)
    fsyncs = 0
    for line in out.read_text(errors="replace").splitlines():
        if re.search(r"\bf(data)?sync\(", line):
            fsyncs += 1
        if re.search(r'write\(1, "PHASE \w+', line):
            fsyncs = 0
        m = re.search(r'write\(1, "COUNTS (\w+) (\d+)', line)
        if m:
            move, n = m.group(1), int(m.group(2))
            print(f"FIGURE counts.{move}.fsyncs = {common.fmt(fsyncs / n)} per command"
                  " | strace -f: fsync + fdatasync calls", flush=True)


if __name__ == "__main__":
    main()
