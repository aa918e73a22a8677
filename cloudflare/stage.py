"""Stage what the Worker ships (wrangler.toml's ``[build] command`` runs this).

    python3 cloudflare/stage.py

Writes, from the repository (nothing else is uploaded):
- ``.worker/``: ``entry.py`` (the Worker's fetch entry) and the ``tangopass``
  package the server runs, without the command-line and server-only modules;
- ``.worker/assets/``: the PWA from ``web/`` plus a ``_headers`` file carrying
  the same security and cache headers as ``tangopass serve`` (api/headers.py);
- ``python_modules/``: the pinned wheels of cloudflare/requirements.txt,
  unpacked. wrangler wants this folder beside wrangler.toml. The wheels are
  fetched once by pip into ``.cache/worker-wheels/`` (the runtime's platform:
  Pyodide, Python 3.14) and reused offline afterwards.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGE = ROOT / ".worker"
VENDOR = ROOT / "python_modules"
WHEELS = ROOT / ".cache" / "worker-wheels"
REQUIREMENTS = ROOT / "cloudflare" / "requirements.txt"
PLATFORM = ["--platform", "pyemscripten_2026_0_wasm32", "--python-version", "3.14"]

# Folder in the repository -> sub-package of tangopass (as setup.cfg maps them).
PACKAGES = {"ledger": "ledger", "projections": "projections", "api": "api", "worker": "worker"}
# The Worker serves HTTP only: no CLI, no gunicorn, no SQLite file tools.
# The storage adapters of the server (SQLite, PostgreSQL, the dump between them, the
# opener choosing one) stay out too: the Worker's store is worker/d1_store.py.
LEFT_OUT = {
    "api/cli.py", "api/server.py", "api/logs.py", "api/wiring.py", "api/audit",
    "projections/schema.py", "projections/storage/sqlite.py", "projections/storage/postgres.py",
    "projections/storage/postgres_schema.py", "projections/storage/dump.py",
    "projections/storage/stores.py", "projections/export.py", "worker/entry.py",
}
WEB_SUFFIXES = {".html", ".json", ".js", ".css", ".png", ".svg"}
# Parts of the wheels the Worker never imports: their test suites, benchmarks,
# type stubs, the pydantic v1 shim and mypy plugin, pycountry's translations
# (21 MB) and its two largest tables (the API checks currency codes only; the
# Worker tests run this very bundle, so a new use shows). The free plan limits
# the compressed upload to 3 MB.
VENDOR_LEFT_OUT = (
    "pycountry/locales/", "pycountry/tests/", "pycountry/databases/iso639-3.json",
    "pycountry/databases/iso3166-2.json",
    "icalendar/tests/", "eventsourcing/tests/", "falcon/bench/", "falcon/cmd/",
    "falcon/testing/", "pydantic/v1/", "pydantic/mypy.py", "pydantic/_hypothesis_plugin.py",
)
VENDOR_LEFT_OUT_SUFFIXES = (".pyi", "/RECORD", "/WHEEL", "/INSTALLER", "py.typed")


def pinned() -> list[str]:
    lines = (line.split("#")[0].strip() for line in REQUIREMENTS.read_text().splitlines())
    return [line for line in lines if line]


def wheel_name(requirement: str) -> str:
    name, _, version = requirement.partition("==")
    return f"{name.replace('-', '_').lower()}-{version}-"


def fetch_wheels() -> list[Path]:
    """The pinned wheels, downloaded by pip only when one is missing."""
    WHEELS.mkdir(parents=True, exist_ok=True)
    wanted = [wheel_name(req) for req in pinned()]

    def found() -> dict[str, Path]:
        return {w: p for w in wanted for p in WHEELS.glob("*.whl") if p.name.lower().startswith(w)}

    if len(found()) < len(wanted):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
             "--only-binary=:all:", *PLATFORM, "-d", str(WHEELS), "-r", str(REQUIREMENTS)],
            check=True,
        )
    have = found()
    missing = sorted(set(wanted) - set(have))
    if missing:
        raise SystemExit(f"wheels missing after pip download: {missing}")
    return sorted(have.values())


def vendor(wheels: list[Path]) -> None:
    shutil.rmtree(VENDOR, ignore_errors=True)
    VENDOR.mkdir()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(VENDOR_LEFT_OUT) or member.endswith(VENDOR_LEFT_OUT_SUFFIXES):
                    continue
                if ".dist-info/licenses/" in member:
                    continue
                archive.extract(member, VENDOR)


def stage_code() -> None:
    target = STAGE / "tangopass"
    for folder, package in PACKAGES.items():
        for source in sorted((ROOT / folder).rglob("*.py")):
            relative = source.relative_to(ROOT).as_posix()
            if "__pycache__" in relative or any(
                relative == out or relative.startswith(out + "/") for out in LEFT_OUT
            ):
                continue
            destination = target / package / source.relative_to(ROOT / folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    for package in ("web", "schema"):  # imported for their location only
        (target / package).mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / package / "__init__.py", target / package / "__init__.py")
    # The per-student manifest (api/manifest.py) is the shared one with the student's link.
    shutil.copy2(ROOT / "web" / "manifest.json", target / "web" / "manifest.json")
    (target / "__init__.py").write_text("")
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    (target / "build_info.py").write_text(
        f'"""Written by cloudflare/stage.py."""\nVERSION = {setup["metadata"]["version"]!r}\n'
    )
    shutil.copy2(ROOT / "worker" / "entry.py", STAGE / "entry.py")


def headers_module():
    spec = importlib.util.spec_from_file_location("tangopass_headers", ROOT / "api" / "headers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stage_assets() -> None:
    headers = headers_module()
    assets = STAGE / "assets"
    rules = {}
    for source in sorted((ROOT / "web").rglob("*")):
        if not source.is_file() or source.suffix not in WEB_SUFFIXES:
            continue
        relative = source.relative_to(ROOT / "web").as_posix()
        destination = assets / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
        rules[f"/{relative}"] = headers.cache_control(source.name)
    # The pages as the student and the teacher open them (html_handling drops .html).
    rules["/"] = rules["/teacher"] = headers.PAGE_CACHE
    lines = ["/*"] + [f"  {name}: {value}" for name, value in headers.SECURITY_HEADERS.items()]
    for path in sorted(rules):
        lines += [path, f"  Cache-Control: {rules[path]}"]
    (assets / "_headers").write_text("\n".join(lines) + "\n")


def main() -> None:
    wheels = fetch_wheels()
    shutil.rmtree(STAGE, ignore_errors=True)
    STAGE.mkdir()
    stage_code()
    stage_assets()
    vendor(wheels)
    print(f"staged .worker/ and python_modules/ ({len(wheels)} wheels)")


if __name__ == "__main__":
    main()
