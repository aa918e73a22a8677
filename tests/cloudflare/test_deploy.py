"""What `wrangler deploy` would upload, and the migrations, checked offline."""

from __future__ import annotations

import re

from tangopass.api.headers import SECURITY_HEADERS, cache_control
from tests.cloudflare.harness import ROOT, migrate, stage_worker, wrangler

FREE_PLAN_GZIP_KIB = 3072  # the free plan's limit on a Worker's compressed upload
SERVER_ONLY_MODULES = tuple(f"tangopass/{name}" for name in (
    "api/cli.py", "api/server.py", "api/wiring.py", "api/logs.py", "api/audit/",
    "projections/schema.py", "projections/export.py", "projections/storage/sqlite.py",
    "projections/storage/postgres", "projections/storage/dump.py", "projections/storage/stores.py",
))
SERVER_ONLY_WHEELS = {"psycopg", "psycopg_binary", "gunicorn", "click", "sqlite_utils", "pytest"}


def test_the_dry_run_deploy_fits_the_free_plan(tmp_path):
    stage_worker()  # fetches the pinned wheels with this venv's pip; wrangler's build reuses them
    done = wrangler("deploy", "--dry-run", "--outdir", str(tmp_path / "dist"))
    assert done.returncode == 0, done.stdout + done.stderr
    size = re.search(r"Total Upload: ([\d.]+) KiB / gzip: ([\d.]+) KiB", done.stdout)
    assert size, done.stdout
    gzip_kib = float(size.group(2))
    print(f"\nWorker bundle: {size.group(1)} KiB, gzip {gzip_kib} KiB "
          f"of the free plan's {FREE_PLAN_GZIP_KIB} KiB ({gzip_kib / FREE_PLAN_GZIP_KIB:.0%})")
    assert gzip_kib < FREE_PLAN_GZIP_KIB
    assert "env.DB (tangopass)" in done.stdout and "D1 Database" in done.stdout
    # Only what ships: no tests, benchmarks, CLI, server or server-store modules in the
    # upload (wrangler lists every module of ours), and no server-only wheel vendored.
    uploaded = set(re.findall(r"(tangopass/[\w/]+\.py)", done.stdout))
    assert "tangopass/api/app.py" in uploaded and "tangopass/worker/d1_store.py" in uploaded
    assert "tests/" not in done.stdout and "bench/" not in done.stdout
    assert not {path for path in uploaded if path.startswith(SERVER_ONLY_MODULES)}
    vendored = {path.name.split("-")[0].lower() for path in (ROOT / "python_modules").iterdir()}
    assert not vendored & SERVER_ONLY_WHEELS, vendored


def test_migrations_apply_the_schema_files_once(tmp_path):
    first = migrate(tmp_path)
    for path in sorted((ROOT / "schema").glob("*.sql")):
        assert path.name in first
    assert "No migrations to apply" in migrate(tmp_path)


def test_static_assets_carry_the_servers_security_and_cache_headers(api):
    """The _headers written by the build give every static file what `tangopass serve` sends."""
    rules = _header_rules((ROOT / ".worker" / "assets" / "_headers").read_text())

    assert rules["/*"] == SECURITY_HEADERS
    for page in ("/", "/teacher", "/index.html"):
        assert rules[page] == {"Cache-Control": "no-store"}  # opened with ?t=TOKEN
    assert rules["/service-worker.js"] == {"Cache-Control": "no-cache"}
    assert rules["/js/api.js"] == {"Cache-Control": cache_control("api.js")}
    health = api.client.simulate_get("/health")
    for name, value in SECURITY_HEADERS.items():
        assert health.headers[name] == value


def _header_rules(text: str) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = rules.setdefault(line.strip(), {})
        elif line.strip():
            name, _, value = line.strip().partition(": ")
            current[name] = value
    return rules
