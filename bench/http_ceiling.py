"""HTTP ceiling: throughput and latency of ``GET /status`` and of ``POST /register``
+ ``POST /cancel`` pairs under concurrent load on loopback, against the same
server's ``GET /health`` in the same run.

A fresh database gets one student per connection (100 credits each) and one
upcoming lesson; ``tangopass serve`` runs with its default 2 workers x 8
threads; wrk (one connection per wrk thread, each with its own student token,
bench/lua/load.lua) loads 127.0.0.1 for a few seconds per endpoint. The three
loads take turns for several rounds and each figure is the median over the
rounds. A short sweep over the number of connections feeds the plot.
Goals: status >= 60% of health's requests/s, register/cancel >= 40%.

Note: wrk and the server share the machine's cores, as they do for every
endpoint alike; the ratios, not the absolute figures, are what carry over.

    python bench/http_ceiling.py            # ~70 s (needs wrk: apt-get install wrk)
    python bench/http_ceiling.py --quick    # smoke run
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

LUA = common.BENCH_DIR / "lua" / "load.lua"
ADMIN_TOKEN = "bench-admin-token-0123456789"
MODES = ("health", "status", "register_cancel")
GOALS = {"status": ">= 0.60", "register_cancel": ">= 0.40"}
CPU_GOALS = {"register_cancel": "<= 2.5"}  # CPU per request, as a multiple of /health's


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(db: Path, students: int) -> list[str]:
    """Students with 100 credits each and one lesson a week ahead, through the application."""
    from tangopass.api.clock import system_now

    app = common.open_app(db)
    try:
        tokens = []
        for i in range(students):
            added = app.add_student(f"Student {i + 1}", system_now())
            app.add_purchase(added["id"], 100, 3, None, None, system_now())
            tokens.append(added["token"])
        app.set_next_lesson(system_now() + timedelta(days=7), system_now())
        return tokens
    finally:
        common.close_app(app)


@contextmanager
def serving(db: Path, log: Path, workers: int, threads: int):
    """``tangopass serve`` on a free loopback port; stopped with SIGTERM on exit."""
    port = free_port()
    exe = Path(sys.executable).with_name("tangopass")
    env = {**os.environ, "TANGOPASS_ADMIN_TOKEN": ADMIN_TOKEN}
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db),
             "--workers", str(workers), "--threads", str(threads)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited early:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"server not healthy after 30 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wrk(url: str, mode: str, connections: int, seconds: float, tokens_file: Path) -> dict:
    env = {**os.environ, "MODE": mode, "TOKENS": str(tokens_file)}
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", "10s", "-s", str(LUA), url]
    done = subprocess.run(command, env=env, capture_output=True, text=True,
                          timeout=seconds + 60)
    for line in done.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            result = json.loads(line[len("WRK_JSON "):])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["connections"] = connections
            return result
    raise SystemExit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--connections", type=int, default=None, help="main concurrency (default 16)")
    p.add_argument("--seconds", type=int, default=None, help="seconds per load (default 4)")
    p.add_argument("--rounds", type=int, default=None, help="rounds of the three loads (default 3)")
    p.add_argument("--db", default=None,
                   help="serve this postgresql:// URL (an empty database) instead of a fresh SQLite file")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--sweep", default=None, help="connection counts for the plot (default 1,4,32)")
    p.add_argument("--modes", default=",".join(MODES),
                   help="loads to run (health always runs: it is the baseline)")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    src = common.use_source(args.src)
    connections = args.connections or (4 if args.quick else 16)
    seconds = args.seconds or (1 if args.quick else 4)
    rounds = args.rounds or (1 if args.quick else 3)
    sweep = [int(c) for c in (args.sweep or ("" if args.quick else "1,4,32")).split(",") if c]
    work = common.workdir(args, "http")
    report = common.Report("http_ceiling", args)
    students = max([connections] + sweep)
    report.info.update(connections=connections, seconds=seconds, rounds=rounds, sweep=sweep,
                       workers=args.workers, threads=args.threads, students=students,
                       src=str(src))

    db = args.db or work / "http.db"
    if not args.db:
        common.remove_db(db)
    tokens = seed(db, students)
    tokens_file = work / "tokens.txt"
    tokens_file.write_text("\n".join(tokens) + "\n")
    report.say(f"tangopass serve --workers {args.workers} --threads {args.threads}; "
               f"wrk -t{connections} -c{connections} -d{seconds}s x {rounds} rounds; "
               f"{students} students, one token per connection")

    modes = ["health"] + [m for m in args.modes.split(",") if m in MODES and m != "health"]
    runs: dict[str, list[dict]] = {mode: [] for mode in modes}
    sweep_runs: dict[str, dict[str, dict]] = {mode: {} for mode in modes}
    with serving(db, work / "server.log", args.workers, args.threads) as (url, process):
        for mode in modes:  # warm up every path (imports, caches, connections)
            wrk(url, mode, connections, 1, tokens_file)
        for _ in range(rounds):
            for mode in modes:
                before = common.cpu_seconds_of_tree(process.pid)
                run = wrk(url, mode, connections, seconds, tokens_file)
                run["cpu_ms_per_request"] = (
                    (common.cpu_seconds_of_tree(process.pid) - before) * 1e3 / max(1, run["requests"]))
                runs[mode].append(run)
        for count in sweep:
            for mode in modes:
                sweep_runs[mode][str(count)] = wrk(url, mode, count, max(1, seconds // 2),
                                                   tokens_file)
    for mode in modes:
        sweep_runs[mode][str(connections)] = sorted(runs[mode], key=lambda r: r["rps"])[len(runs[mode]) // 2]

    def med(mode: str, key: str) -> float:
        return common.median([r[key] for r in runs[mode]])

    health = med("health", "rps")
    for mode in modes:
        rps = med(mode, "rps")
        failed = sum(r["requests"] - r["ok"] for r in runs[mode])
        errors = sum(r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
                     for r in runs[mode])
        if mode == "health":
            report.figure("http.health.rps", rps, "req/s", note=f"median of {rounds} runs")
        else:
            extra = f"; {rps / 2:.0f} pairs/s" if mode == "register_cancel" else ""
            report.figure(f"http.{mode}.rps", rps, "req/s", baseline="http.health.rps",
                          baseline_value=health, goal=GOALS[mode],
                          note=f"median of {rounds} runs{extra}")
        cpu = med(mode, "cpu_ms_per_request")
        if mode == "health":
            report.figure("http.health.cpu_ms_per_request", cpu, "ms CPU",
                          note="server process tree (master + workers), utime + stime")
        else:
            report.figure(f"http.{mode}.cpu_ms_per_request", cpu, "ms CPU",
                          baseline="http.health.cpu_ms_per_request",
                          baseline_value=med("health", "cpu_ms_per_request"),
                          goal=CPU_GOALS.get(mode), note="server process tree, same run")
        report.figure(f"http.{mode}.p50_ms", med(mode, "lat_p50_us") / 1e3, "ms")
        report.figure(f"http.{mode}.p99_ms", med(mode, "lat_p99_us") / 1e3, "ms")
        report.figure(f"http.{mode}.non_2xx", failed, "responses",
                      note=f"409: {sum(r['c409'] for r in runs[mode])}, "
                           f"503: {sum(r['c503'] for r in runs[mode])}, socket errors: {errors}")
    at32 = sweep_runs.get("register_cancel", {}).get("32")
    if at32 is not None:
        report.figure("http.register_cancel.p99_ms_at_32", at32["lat_p99_us"] / 1e3, "ms",
                      goal="<= 25", goal_on="value", note="sweep run at 32 connections")
    report.series["runs"] = runs
    report.series["sweep"] = {
        mode: {c: {"rps": r["rps"], "p50_ms": r["lat_p50_us"] / 1e3, "p99_ms": r["lat_p99_us"] / 1e3}
               for c, r in sorted(sweep_runs[mode].items(), key=lambda kv: int(kv[0]))}
        for mode in modes
    }
    report.finish()


if __name__ == "__main__":
    main()
