"""The built wheel is a complete product: installed in a fresh virtualenv outside the source
tree, ``tangopass serve`` (run from an unrelated folder) serves the pages and the commands.

The fresh virtualenv resolves the wheel's pinned requirements with the machine's ordinary pip
configuration; ``make test-deps`` has already fetched every one of them, so pip finds them in
its cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.api import ADMIN_TOKEN
from tests.support.server import Server, free_port, stop_gracefully, wait_healthy

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ROOT_NAMES = {"ledger", "projections", "auditor", "api", "web", "schema", "tests", "bench"}


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> Path:
    """A folder with nothing of the repository in it."""
    folder = tmp_path_factory.mktemp("outside")
    assert REPO not in folder.parents
    return folder


@pytest.fixture(scope="module")
def wheel(outside) -> Path:
    """``pip wheel --no-deps`` of a copy of the repository (setuptools writes a ``build/``
    folder beside the sources), built into a folder outside it."""
    source = outside / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__",
        "*.db", "*.db-*", ".hypothesis"))
    dist = outside / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, source,
         cwd=outside)
    (built,) = dist.glob("tangopass-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(outside, wheel) -> Path:
    """A fresh virtualenv with the wheel (and its pinned requirements) installed; its bin/."""
    env_dir = outside / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=outside)
    return bin_dir


def test_the_wheel_holds_the_schema_and_the_pwa_under_one_import_name(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"tangopass", f"{wheel.name.split('-py3')[0]}.dist-info"}
    assert not tops & ROOT_NAMES
    for folder in ("schema", "schema/postgres"):  # SQLite/D1, and the PostgreSQL twins
        sql = sorted(n for n in names if n.startswith(f"tangopass/{folder}/")
                     and n.count("/") == folder.count("/") + 2 and n.endswith(".sql"))
        assert [n.rsplit("/", 1)[1] for n in sql] == sorted(
            p.name for p in (REPO / folder).glob("*.sql"))
    web = {n.removeprefix("tangopass/web/") for n in names if n.startswith("tangopass/web/")}
    expected = {str(p.relative_to(REPO / "web")) for p in (REPO / "web").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    assert web == expected
    assert not any(n.startswith("tangopass/tests/") or "/bench/" in n for n in names)


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed, outside):
    probe = ("import importlib.resources as r, tangopass.api, tangopass.api.version as v;"
             "print(tangopass.api.__file__);"
             "print(r.files('tangopass.web').joinpath('index.html').is_file());"
             "print(sorted(p.name for p in r.files('tangopass.schema').iterdir()"
             " if p.name.endswith('.sql'))[0]);"
             "print(v.VERSION)")
    lines = _run(installed / "python", "-c", probe, cwd=outside).splitlines()
    assert Path(lines[0]).is_relative_to(installed.parent)
    assert lines[1:3] == ["True", "001_core.sql"]
    assert _run(installed / "tangopass", "--version", cwd=outside).strip().endswith(lines[3])


def test_the_installed_server_serves_pages_and_a_student_and_a_teacher_request(
        installed, outside):
    port = free_port()
    log_path = outside / "serve.log"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TANGOPASS_", "PYTHON", "VIRTUAL_ENV"))}
    env["TANGOPASS_ADMIN_TOKEN"] = ADMIN_TOKEN
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(installed / "tangopass"), "serve", "--port", str(port),
             "--db", str(outside / "studio.db"), "--workers", "1"],
            cwd=outside, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(port, process, log_path)
    try:
        wait_healthy(server)
        _drive_a_student_and_a_teacher(server)
    finally:
        stop_gracefully(process)


def _drive_a_student_and_a_teacher(server: Server) -> None:
    page = server.request("GET", "/")
    assert page.status == 200 and b"<html" in page.body.lower()
    assert server.request("GET", "/teacher").status == 200
    ana = server.admin("addStudent", {"name": "Ana"})
    assert ana.status == 201, ana.body
    bought = server.admin("addPurchase", {"student_id": ana.body["id"], "credits": 4,
                                          "validity_months": 1})
    assert bought.status == 201, bought.body
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    lesson = server.admin("setNextLesson", {"starts_at": starts.isoformat()})
    assert lesson.status == 201, lesson.body
    registered = server.request("POST", f"/register?t={ana.body['token']}")
    assert registered.status == 200, registered.body
    status = server.request("GET", f"/status?t={ana.body['token']}")
    assert status.body["credits_available"] == 3
