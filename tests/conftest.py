"""Fixtures: a real SQLite file per test, the real app, a clock moved by hand."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from falcon import testing

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.cloudflare.harness import WorkerClient
from tests.support.clock import ManualClock
from tests.support.db import D1Path


def pytest_generate_tests(metafunc):
    """``@pytest.mark.backends("server", "worker")`` runs a contract test against each."""
    marker = metafunc.definition.get_closest_marker("backends")
    if marker is not None and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", marker.args, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """``server``: the app in-process on a SQLite file; ``worker``: the Cloudflare Worker."""
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
def db_path(tmp_path, backend, request) -> str:
    if backend == "worker":
        return D1Path(request.getfixturevalue("worker_harness"))
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
