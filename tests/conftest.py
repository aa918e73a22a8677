"""Fixtures: a real database per test (SQLite, and PostgreSQL where a module runs on both),
the real app, a clock moved by hand.

``db_path`` is a SQLite file path or a ``postgresql://`` URL: every test that
takes it runs on the store ``store_kind`` names. Modules under ``tests/e2e/`` and
modules that set ``BOTH_STORES = True`` run once per store; the rest on SQLite.
The PostgreSQL cluster is pytest-postgresql's throwaway ``postgresql_proc``
(Debian's package; as root, pg_ctl runs as the postgres user), started once per
session on a free port; each test gets a fresh database cloned from a template
that already holds the schema.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from falcon import testing
from pytest_postgresql import factories

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.cloudflare.harness import WorkerClient
from tests.support.db import pg_url
from tests.support.clock import ManualClock
from tests.support.db import D1Path


STORES = ("sqlite", "postgres")
PG_CTL = str(Path(__file__).parent / "support" / "pg_ctl_as_postgres")


def load_schema(host: str, port: int, user: str, dbname: str, password: str | None = None,
                **_) -> None:
    from tangopass.projections.storage.stores import migrate

    migrate(pg_url(host, port, user, dbname, password))


postgresql_proc = factories.postgresql_proc(executable=PG_CTL, load=[load_schema])
postgresql = factories.postgresql("postgresql_proc")


def pytest_configure(config) -> None:
    # A private temporary folder: pytest's shared /tmp/pytest-of-USER keeps only
    # the newest few runs, and a concurrent run on this machine could remove
    # the folder of the PostgreSQL cluster this run is still using.
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        config.option.basetemp = tempfile.mkdtemp(prefix="tangopass-tests-")
        config.add_cleanup(lambda: shutil.rmtree(config.option.basetemp, ignore_errors=True))


def pytest_generate_tests(metafunc) -> None:
    """The stores a test runs on, and ``@pytest.mark.backends("server", "worker")``.

    The server runs on each store of ``STORES`` (e2e modules and ``BOTH_STORES``
    modules) or on SQLite alone; the Cloudflare Worker always on its own D1.
    """
    names = metafunc.fixturenames
    stores: tuple[str, ...] = ()
    if "store_kind" in names:
        both = getattr(metafunc.module, "BOTH_STORES", False) or "/tests/e2e/" in str(metafunc.module.__file__)
        stores = STORES if both else STORES[:1]
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None and "backend" in names:
        combos = [(b, s) for b in marker.args for s in (stores if b == "server" else ("d1",))]
        metafunc.parametrize(("backend", "store_kind"), combos, indirect=True,
                             ids=[b if b == "worker" else f"{b}-{s}" for b, s in combos])
    elif stores:
        metafunc.parametrize("store_kind", stores, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """``server``: the app in-process on a SQLite file or PostgreSQL; ``worker``: the Cloudflare Worker."""
    return getattr(request, "param", "server")


@pytest.fixture(scope="session")
def worker_harness(tmp_path_factory):
    """The Worker under Pyodide on miniflare's local D1, migrated by wrangler (tests/cloudflare)."""
    from tests.cloudflare.harness import WorkerHarness, local_state, migrate, stage_worker

    persist = local_state()
    stage_worker()
    migrate(persist)
    harness = WorkerHarness(persist)
    yield harness
    harness.close()


@pytest.fixture
def store_kind(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(request, tmp_path, backend, store_kind) -> str:
    if backend == "worker":
        return D1Path(request.getfixturevalue("worker_harness"))
    if store_kind == "postgres":
        conn = request.getfixturevalue("postgresql")
        proc = request.getfixturevalue("postgresql_proc")
        return pg_url(proc.host, proc.port, proc.user, conn.info.dbname, proc.password)
    return str(tmp_path / "tangopass.db")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(db_path) -> Settings:
    return Settings(
        db_path=db_path, admin_token=ADMIN_TOKEN, public_url="https://studio.test",
        tz=ZoneInfo("UTC"), window_hours=2,
    )


@pytest.fixture
def ctx(settings, clock):
    context = open_context(settings, clock=clock)
    yield context
    context.ledger.close()
    context.queries.close()


@pytest.fixture
def api(backend, settings, clock, request) -> Api:
    if backend == "worker":
        harness = request.getfixturevalue("worker_harness")
        harness.reset({
            "TANGOPASS_ADMIN_TOKEN": settings.admin_token, "TANGOPASS_PUBLIC_URL": settings.public_url,
            "TANGOPASS_TZ": settings.tz.key, "TANGOPASS_WINDOW_HOURS": str(settings.window_hours),
        })
        return Api(WorkerClient(harness, clock))
    return Api(testing.TestClient(create_app(request.getfixturevalue("ctx"))))


@pytest.fixture
def ana(api) -> dict:
    """Ana, with 3 credits, and a lesson on 2026-11-30 19:00 UTC to register for."""
    student = api.add_student("Ana")
    api.buy(student["id"], credits=3)
    api.lesson("2026-11-30T19:00:00Z")
    return student
