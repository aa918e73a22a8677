"""PostgreSQL ceiling: register+cancel requests/s of ``tangopass serve --db postgresql://…``
from 4 concurrent clients, against ``pgbench -N -s 1 -c 4 -j 2 -T 8`` on the same
throwaway cluster in the same run; 1, 2 and 4 server processes.

A fresh cluster (Debian's PostgreSQL, initdb into a temporary folder, durable
defaults: fsync on, synchronous_commit on) on a free loopback port. pgbench's
simple-update transactions are the baseline: each is one durable commit of a
few statements, as a register is. The two loads take turns, ``--rounds`` times
per shape; each figure is the median. Goal: register/cancel >= 0.5 x pgbench tps.
wrk, pgbench, the server and PostgreSQL share the machine's cores.

    python bench/postgres_ceiling.py            # ~3 min (needs wrk and postgresql)
    python bench/postgres_ceiling.py --quick
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402
import http_ceiling  # noqa: E402

PG_CTL = common.BENCH_DIR.parent / "tests" / "support" / "pg_ctl_as_postgres"
GOAL = ">= 0.50"


def pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install -y postgresql)")
    return str(found[-1])


@contextmanager
def cluster(work: Path):
    """A throwaway cluster; yields its port. Stopped (fast) on exit."""
    data = work / "pg" / "data"
    port = http_ceiling.free_port()
    subprocess.run([str(PG_CTL), "initdb", "--pgdata", str(data), "-o",
                    "--username=postgres --auth=trust"], check=True, capture_output=True)
    subprocess.run([str(PG_CTL), "start", "-D", str(data), "-w", "-l", str(work / "pg" / "log"),
                    "-o", f"-p {port} -c unix_socket_directories='/tmp' -c max_connections=200"],
                   check=True, capture_output=True)
    try:
        yield port
    finally:
        subprocess.run([str(PG_CTL), "stop", "-D", str(data), "-m", "fast"], capture_output=True)


def psql(port: int, db: str, sql: str) -> str:
    done = subprocess.run([pg_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                           "-d", db, "-Atc", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def pgbench(port: int, seconds: int) -> float:
    done = subprocess.run([pg_bin("pgbench"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                           "-N", "-c", "4", "-j", "2", "-T", str(seconds), "pgbench"],
                          check=True, capture_output=True, text=True)
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    if match is None:
        raise SystemExit(f"pgbench gave no tps:\n{done.stdout}\n{done.stderr}")
    return float(match.group(1))


def main() -> None:
    p = common.parser(__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=None, help="seconds per load (default 8)")
    p.add_argument("--rounds", type=int, default=None, help="rounds per shape (default 2)")
    p.add_argument("--processes", default="1,2,4", help="server worker processes to try")
    args = p.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    common.use_source(args.src)
    seconds = args.seconds or (2 if args.quick else 8)
    rounds = args.rounds or (1 if args.quick else 2)
    shapes = [int(n) for n in args.processes.split(",")][: 1 if args.quick else None]
    work = common.workdir(args, "postgres")
    os.chmod(work, 0o755)
    report = common.Report("postgres_ceiling", args)
    report.info.update(seconds=seconds, rounds=rounds, processes=shapes)
    with cluster(work) as port:
        psql(port, "postgres", "CREATE DATABASE pgbench")
        subprocess.run([pg_bin("pgbench"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        "-i", "-s", "1", "-q", "pgbench"], check=True, capture_output=True)
        url = f"postgresql://postgres@127.0.0.1:{port}/tangopass"
        psql(port, "postgres", "CREATE DATABASE tangopass")
        tokens = http_ceiling.seed(url, 4)
        tokens_file = work / "tokens.txt"
        tokens_file.write_text("\n".join(tokens) + "\n")
        report.say(f"wrk -t4 -c4 register/cancel vs pgbench -N -s 1 -c 4 -j 2 -T {seconds};"
                   f" {rounds} rounds per shape; server processes {shapes}")
        for workers in shapes:
            bench_tps, app_rps = [], []
            with http_ceiling.serving(url, work / f"server-{workers}.log", workers, 8) as (base, _):
                http_ceiling.wrk(base, "register_cancel", 4, 1, tokens_file)  # warm up
                for _ in range(rounds):
                    bench_tps.append(pgbench(port, seconds))
                    app_rps.append(http_ceiling.wrk(base, "register_cancel", 4, seconds,
                                                    tokens_file)["rps"])
            report.series[f"processes_{workers}"] = {"pgbench_tps": bench_tps, "register_rps": app_rps}
            report.figure(f"postgres.register_cancel.rps.{workers}_processes",
                          common.median(app_rps), "req/s", baseline="postgres.pgbench_tps",
                          baseline_value=common.median(bench_tps), baseline_unit="tps",
                          goal=GOAL, note=f"median of {rounds}; 4 clients")
    report.finish()


if __name__ == "__main__":
    main()
