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
from tests.support.db import pg_url
from tests.support.clock import ManualClock


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
    if "store_kind" not in metafunc.fixturenames:
        return
    both = getattr(metafunc.module, "BOTH_STORES", False) or "/tests/e2e/" in str(metafunc.module.__file__)
    metafunc.parametrize("store_kind", STORES if both else STORES[:1], indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def db_path(request, tmp_path, store_kind) -> str:
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
def api(ctx) -> Api:
    return Api(testing.TestClient(create_app(ctx)))
