"""Fixtures: a real SQLite file per test, the real app, a clock moved by hand."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from falcon import testing

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.clock import ManualClock


@pytest.fixture
def db_path(tmp_path) -> str:
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
