"""The benchmark scripts run end to end (``--quick``), so they cannot rot.

Each script runs as a subprocess with tiny sizes; the test checks the exit
code and that every figure the README documents is printed. It never looks at
a timing: on a shared 2-core machine those are noise, and a benchmark's goal
is reported, not enforced.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "bench"

SCRIPTS = {
    "storage_ceiling": [
        "storage.raw_insert_p50_ms", "storage.register_p50_ms", "storage.register_cpu_ms",
        "storage.register_per_s",
    ],
    "history": [
        "history.warm.register_ms.10 ", "history.warm.register_ms.1000 ",
        "history.cold.register_ms.10 ", "history.cold.register_ms.1000 ",
    ],
    "es_cost": [
        "es_cost.crud_register_p50_ms", "es_cost.es_register_p50_ms",
        "es_cost.es_register_per_s", "es_cost.slowdown",
    ],
    "replay": [
        "replay.scan_rows_per_s", "replay.decode_events_per_s", "replay.rebuild_seconds",
        "replay.rebuild_events_per_s",
    ],
    "http_ceiling": [
        f"http.{mode}.{figure}"
        for mode in ("health", "status", "register_cancel")
        for figure in ("rps", "p50_ms", "p99_ms", "non_2xx")
    ],
    "write_path_counts": [
        f"counts.{move}.{what}" for move in ("register", "cancel")
        for what in ("statements", "transactions", "commits")
    ],
    "serving_shape": ["shape.1x8.register_cancel.rps"],
    "postgres_ceiling": ["postgres.register_cancel.rps.1_processes"],
    "footprint": [
        "footprint.rss_idle_mib", "footprint.rss_after_load_mib",
        "footprint.db_mib_per_100k_events",
    ],
}
NEEDS_WRK = {"http_ceiling", "footprint", "serving_shape", "postgres_ceiling"}
PLOTTED = {"history", "http_ceiling"}


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_script_runs_quick(script: str, tmp_path: Path) -> None:
    if script in NEEDS_WRK:
        assert shutil.which("wrk"), "wrk is missing: make test installs it (.ci/system-deps.sh)"
    json_path = tmp_path / f"{script}.json"
    env = {**os.environ, "TANGOPASS_BENCH_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), "--quick",
         "--workdir", str(tmp_path / "work"), "--json", str(json_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    figures = [line for line in done.stdout.splitlines() if line.startswith("FIGURE ")]
    for name in SCRIPTS[script]:
        assert any(line.startswith(f"FIGURE {name}") for line in figures), (
            f"{name} missing from the output:\n{done.stdout}"
        )
    assert json_path.exists(), "--json wrote nothing"
    if script in PLOTTED:
        _plots(tmp_path)


def _plots(results: Path) -> None:
    """bench/plot.py draws from what the script wrote (matplotlib is a test dependency)."""
    out = results / "scaling.png"
    done = subprocess.run(
        [sys.executable, str(BENCH / "plot.py"), "--results", str(results), "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.stat().st_size > 0
