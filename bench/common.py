"""Shared helpers for the benchmark scripts (not a product module).

Every script prints its figures as lines of one shape, so people and the smoke
tests can read them::

    FIGURE storage.register_per_s = 812.3 /s | baseline storage.raw_insert_tx_per_s = 2012.0 /s | ratio 0.404 | goal >= 0.40: met

and, with ``--json PATH``, writes the same figures (plus series for the plot)
as JSON. ``--src DIR`` measures another checkout of the product (a scratch copy
with a prototype fix, say) with the very same script.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CACHE_DIR = Path(os.environ.get("TANGOPASS_BENCH_CACHE", "/tmp/tangopass-bench"))


# --------------------------------------------------------------------- arguments


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", "--smoke", dest="quick", action="store_true",
                   help="tiny sizes: checks the script runs (figures mean nothing)")
    p.add_argument("--json", dest="json_path", default=None,
                   help="also write the figures as JSON to this file")
    p.add_argument("--src", default=str(REPO),
                   help="product source tree to measure (default: this checkout)")
    p.add_argument("--workdir", default=None,
                   help="scratch directory for databases (default: a fresh one under $TMPDIR)")
    p.add_argument("--profile", default=None, metavar="FILE",
                   help="profile the measured section with pyinstrument, text report to FILE")
    return p


def use_source(src: str) -> Path:
    """Import the product from ``src`` (this checkout unless told otherwise)."""
    path = Path(src).resolve()
    if not (path / "ledger" / "application.py").is_file():
        raise SystemExit(f"--src {src}: no ledger/application.py there")
    here = Path(__file__).resolve().parent.parent
    if path != here:
        # The product installs as ``tangopass`` (setup.cfg's package_dir): lay the other
        # checkout's folders out under that name in a scratch folder, first on the path.
        shim = Path(tempfile.mkdtemp(prefix="tangopass-src-"))
        package = shim / "tangopass"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for folder in ("ledger", "projections", "api", "web", "schema"):
            if (path / folder).is_dir():
                (package / folder).symlink_to(path / folder)
        sys.path.insert(0, str(shim))
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(shim)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        )
    return path


def workdir(args: argparse.Namespace, name: str) -> Path:
    if args.workdir:
        path = Path(args.workdir)
    else:
        base = Path(os.environ.get("TMPDIR", "/tmp"))
        path = base / f"tangopass-bench-{name}-{os.getpid()}"
        atexit.register(shutil.rmtree, path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    return path


# ----------------------------------------------------------------------- figures


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    goal: str | None = None  # e.g. ">= 0.40" (applies to the ratio, or to the value)
    goal_on: str = "ratio"
    met: bool | None = None
    note: str = ""

    def line(self) -> str:
        text = f"FIGURE {self.name} = {fmt(self.value)} {self.unit}"
        if self.baseline is not None:
            text += f" | baseline {self.baseline} = {fmt(self.baseline_value)} {self.unit_of_baseline}"
        if self.ratio is not None:
            text += f" | ratio {self.ratio:.3f}"
        if self.goal is not None:
            verdict = "met" if self.met else "MISSED"
            on = "" if self.goal_on == "ratio" else f" ({self.goal_on})"
            text += f" | goal{on} {self.goal}: {verdict}"
        if self.note:
            text += f" | {self.note}"
        return text

    unit_of_baseline: str = ""


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", "")
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def check(goal: str | None, value: float | None) -> bool | None:
    if goal is None or value is None:
        return None
    op, _, number = goal.partition(" ")
    target = float(number.rstrip("x×"))
    return {">=": value >= target, "<=": value <= target}[op]


@dataclass
class Report:
    script: str
    args: argparse.Namespace
    figures: list[Figure] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    started: float = field(default_factory=time.time)

    def figure(self, name: str, value: float, unit: str, *, baseline: str | None = None,
               baseline_value: float | None = None, baseline_unit: str | None = None,
               ratio: float | None = None, goal: str | None = None, goal_on: str = "ratio",
               note: str = "") -> Figure:
        if ratio is None and baseline_value:
            ratio = value / baseline_value
        judged = ratio if goal_on == "ratio" else value
        fig = Figure(name, value, unit, baseline, baseline_value, ratio, goal, goal_on,
                     check(goal, judged), note)
        fig.unit_of_baseline = baseline_unit or unit
        self.figures.append(fig)
        print(fig.line(), flush=True)
        return fig

    def say(self, text: str) -> None:
        print(f"# {text}", flush=True)

    def finish(self) -> None:
        elapsed = time.time() - self.started
        self.say(f"{self.script} done in {elapsed:.1f} s")
        if self.args.json_path:
            out = {
                "script": self.script,
                "command": command_line(self.script, self.args),
                "quick": self.args.quick,
                "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "elapsed_s": round(elapsed, 1),
                "machine": machine(),
                "figures": [
                    {k: v for k, v in fig.__dict__.items()} for fig in self.figures
                ],
                "series": self.series,
                "info": self.info,
            }
            path = Path(self.args.json_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(out, indent=2, default=str) + "\n")


def command_line(script: str, args: argparse.Namespace) -> str:
    parts = [f"python bench/{script}.py"]
    if args.quick:
        parts.append("--quick")
    return " ".join(parts)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


# -------------------------------------------------------------------- statistics


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@contextmanager
def profiled(path: str | None) -> Iterator[None]:
    """Profile the block with pyinstrument when ``path`` is given (pip install pyinstrument)."""
    if not path:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        Path(path).write_text(profiler.output_text(unicode=False, color=False))
        print(f"# profile written to {path}", flush=True)


# ---------------------------------------------------------------- the product


UTC_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class FakeClock:
    """``now`` for commands; moves forward by hand, one second per tick by default."""

    def __init__(self, start: datetime = UTC_START):
        self.now = start

    def tick(self, seconds: float = 1) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def remove_db(path: Path | str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def open_app(db_path: Path | str, *, synchronous: str | None = None):
    """Schema applied, then the real application (``open_ledger``) on the file.

    ``synchronous`` overrides the durability of the connections the application
    opens from now on in this process (fixture building only: ``OFF``).
    """
    from zoneinfo import ZoneInfo

    try:
        import tangopass.projections.storage.sqlite as store
    except ImportError:  # a checkout from before the storage port (--src)
        import tangopass.projections.sqlite_store as store
    from tangopass.api.wiring import open_ledger
    from tangopass.ledger.application import Terms
    from tangopass.projections.queries import Queries
    from tangopass.projections.schema import apply_schema

    if synchronous is not None:
        store.SYNCHRONOUS = synchronous
    if str(db_path).startswith("postgresql://"):
        from tangopass.projections.storage.stores import migrate

        migrate(str(db_path))
        return open_ledger(str(db_path), Terms(ZoneInfo("UTC")))
    apply_schema(str(db_path))
    app = open_ledger(str(db_path), Terms(ZoneInfo("UTC")), Queries(str(db_path)))
    return app


def close_app(app) -> None:
    app.close()
    app.queries.close()


def product_synchronous() -> str:
    try:
        import tangopass.projections.storage.sqlite as store
    except ImportError:  # a checkout from before the storage port (--src)
        import tangopass.projections.sqlite_store as store

    return store.SYNCHRONOUS


def checkpoint(db_path: Path | str) -> None:
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def copy_db(source: Path | str, target: Path | str) -> None:
    """A consistent copy through SQLite's backup API (WAL content included)."""
    remove_db(target)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    conn = sqlite3.connect(str(target), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def fast_copy(source: Path | str, target: Path | str) -> None:
    """Copy a checkpointed database file (cheaper than the backup API for big files)."""
    remove_db(target)
    checkpoint(source)
    shutil.copyfile(str(source), str(target))


def event_count(db_path: Path | str) -> int:
    conn = sqlite3.connect(str(db_path), timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
    finally:
        conn.close()


def source_fingerprint(src: Path, extra: str = "") -> str:
    """A short hash of what shapes a generated database: domain, projections, schema."""
    import hashlib

    digest = hashlib.sha256(extra.encode())
    for pattern in ("ledger/*.py", "projections/*.py", "schema/*.sql"):
        for path in sorted(src.glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update((BENCH_DIR / "fixtures.py").read_bytes())
    return digest.hexdigest()[:12]


# ---------------------------------------------------------------- processes


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds_of_tree(root: int) -> float:
    """User + system CPU seconds spent so far by ``root`` and its live descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in process_tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_of_tree(root: int) -> dict[str, float]:
    """Summed RSS (and PSS, which counts shared pages once) of a process tree, in MiB."""
    pids = process_tree(root)
    rss = sum(_status_kib(pid, "VmRSS") for pid in pids)
    pss = sum(_pss_kib(pid) for pid in pids)
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}
