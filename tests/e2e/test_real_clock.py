"""The server's own clock moved with freezegun: expiry, the registration window, and an expiry
across a daylight-saving change, through falcon.testing with the production clock
(``system_now``), not an injected one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from falcon import testing
from freezegun import freeze_time

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.frozen_time import accept_fake_datetimes


@pytest.fixture
def studio(tmp_path):
    """An app on a real SQLite file whose clock is the real one (frozen per test)."""
    opened = []

    def open_studio(tz: str = "UTC") -> Api:
        settings = Settings(db_path=str(tmp_path / "studio.db"), admin_token=ADMIN_TOKEN,
                            public_url="https://studio.test", tz=ZoneInfo(tz), window_hours=2)
        ctx = open_context(settings)  # the production clock: tangopass.api.clock.system_now
        accept_fake_datetimes(ctx.ledger)
        opened.append(ctx)
        return Api(testing.TestClient(create_app(ctx)))

    yield open_studio
    for ctx in opened:
        ctx.ledger.close()
        ctx.queries.close()


def test_a_lot_expires_at_its_instant_and_the_expiry_is_dated_there(studio):
    with freeze_time("2026-11-23T10:00:00Z") as clock:
        api = studio()
        ana = api.add_student()
        lot = api.buy(ana["id"], credits=4, months=1)["lot"]
        assert lot["expires_at"] == "2026-12-23T10:00:00Z"
        clock.move_to("2026-12-23T09:59:59Z")
        assert api.status(ana["token"]).json["credits_available"] == 4
        clock.move_to("2026-12-25T08:00:00Z")
        status = api.status(ana["token"], "&ledger=all").json
    assert status["now"] == "2026-12-25T08:00:00Z"
    assert status["credits_available"] == 0
    (expire,) = [e for e in status["ledger"] if e["type"] == "EXPIRE"]
    assert (expire["delta_credits"], expire["ts"]) == (-4, "2026-12-23T10:00:00Z")


def test_the_window_is_open_one_second_before_it_closes_and_closed_at_that_instant(studio):
    with freeze_time("2026-11-23T10:00:00Z") as clock:
        api = studio()
        ana = api.add_student()
        api.buy(ana["id"], credits=2)
        lesson = api.lesson("2026-11-24T19:00:00Z")
        assert lesson["registration_closes_at"] == "2026-11-24T17:00:00Z"
        clock.move_to("2026-11-24T16:59:59Z")
        assert api.register(ana["token"]).status_code == 200
        clock.move_to("2026-11-24T17:00:00Z")
        refused = api.cancel(ana["token"])
    assert refused.status_code == 409 and refused.json["error"] == "REGISTRATION_CLOSED"


def test_an_expiry_keeps_its_wall_time_across_the_spring_change(studio):
    # Bought at 12:00 in Madrid in winter (11:00Z); a month later Madrid is on summer time,
    # so 12:00 there is 10:00Z: the lot must end then, not an hour later.
    with freeze_time("2027-03-01T11:00:00Z") as clock:
        api = studio("Europe/Madrid")
        ana = api.add_student()
        lot = api.buy(ana["id"], credits=3, months=1)["lot"]
        assert lot["expires_at"] == "2027-04-01T10:00:00Z"
        clock.move_to("2027-04-01T09:59:59Z")
        assert api.status(ana["token"]).json["credits_available"] == 3
        clock.move_to("2027-04-01T10:00:00Z")
        assert api.status(ana["token"]).json["credits_available"] == 0


def test_production_transcoding_refuses_a_frozen_datetime(tmp_path):
    """Production accepts only real datetimes: the transcoding above is a test-only addition."""
    settings = Settings(db_path=str(tmp_path / "studio.db"), admin_token=ADMIN_TOKEN,
                        public_url="https://studio.test", tz=ZoneInfo("UTC"), window_hours=2)
    ctx = open_context(settings)
    try:
        transcoder = ctx.ledger.mapper.transcoder
        with freeze_time("2026-11-23T10:00:00Z"):
            with pytest.raises(TypeError):
                transcoder.encode({"at": datetime.now(UTC)})
        accept_fake_datetimes(ctx.ledger)
        with freeze_time("2026-11-23T10:00:00Z"):
            frozen = transcoder.encode({"at": datetime.now(UTC)})
        real = transcoder.encode({"at": datetime(2026, 11, 23, 10, 0, tzinfo=UTC)})
        assert frozen == real  # the same bytes as production stores
    finally:
        ctx.ledger.close()
        ctx.queries.close()
