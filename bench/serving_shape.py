"""Serving shape: register+cancel throughput, CPU per request and p99 for several
``tangopass serve`` shapes on SQLite (worker processes x threads, with and without
the cross-worker command lock, with and without group commit:
``TANGOPASS_GROUP_COMMIT=1``), each against its own ``/health`` in the same run.

Runs ``bench/http_ceiling.py`` once per shape (16 connections) and prints one
line per shape; the default shape in ``tangopass serve`` is picked from these.

    python bench/serving_shape.py            # ~4 min
    python bench/serving_shape.py --quick
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

SHAPES = [  # (workers, threads, command lock, group commit)
    (1, 8, "1", "0"), (2, 8, "1", "0"), (2, 8, "0", "0"), (4, 4, "1", "0"), (1, 16, "1", "0"),
    (1, 8, "1", "1"), (2, 8, "1", "1"), (4, 4, "1", "1"),
]
FIGURE = re.compile(r"^FIGURE (\S+) = ([\d.]+) ")
RATIO = re.compile(r"\| ratio ([\d.]+)")


def run_shape(workers: int, threads: int, lock: str, group: str,
              args) -> dict[str, tuple[float, float | None]]:
    cmd = [sys.executable, str(common.BENCH_DIR / "http_ceiling.py"), "--workers", str(workers),
           "--threads", str(threads), "--modes", "register_cancel", "--sweep", "",
           "--rounds", "1" if args.quick else "2", "--seconds", "1" if args.quick else "3"]
    if args.quick:
        cmd.append("--quick")
    if args.src:
        cmd += ["--src", args.src]
    env = {**os.environ, "TANGOPASS_COMMAND_LOCK": lock, "TANGOPASS_GROUP_COMMIT": group}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"http_ceiling failed for {workers}x{threads} group={group}:\n{done.stdout}\n{done.stderr}")
    found = {}
    for line in done.stdout.splitlines():
        m = FIGURE.match(line)
        if m:
            r = RATIO.search(line)
            found[m.group(1)] = (float(m.group(2)), float(r.group(1)) if r else None)
    return found


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    args = p.parse_args()
    report = common.Report("serving_shape", args)
    for workers, threads, lock, group in SHAPES[:1] + SHAPES[-1:] if args.quick else SHAPES:
        found = run_shape(workers, threads, lock, group, args)
        name = (f"shape.{workers}x{threads}{'' if lock == '1' else '.no_lock'}"
                f"{'.group' if group == '1' else ''}")
        rps, ratio = found["http.register_cancel.rps"]
        cpu, cpu_ratio = found["http.register_cancel.cpu_ms_per_request"]
        p99, _ = found["http.register_cancel.p99_ms"]
        report.series[name] = {"rps": rps, "ratio_to_health": ratio, "cpu_ms": cpu,
                               "cpu_ratio_to_health": cpu_ratio, "p99_ms": p99}
        report.figure(f"{name}.register_cancel.rps", rps, "req/s", ratio=ratio,
                      note=f"ratio = of its own /health; CPU {cpu:.2f} ms/request"
                           f" ({cpu_ratio:.2f}x health); p99 {p99:.1f} ms")
    report.finish()


if __name__ == "__main__":
    main()
