"""Studio time zone: calendar months and days at the same local wall time, DST-safe."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from falcon import testing

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.clock import ManualClock


@pytest.fixture
def madrid(db_path):
    """The app with TANGOPASS_TZ=Europe/Madrid and a clock we set per test."""
    clock = ManualClock(datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    settings = Settings.from_env(
        {"TANGOPASS_TZ": "Europe/Madrid", "TANGOPASS_DB": db_path,
         "TANGOPASS_ADMIN_TOKEN": ADMIN_TOKEN, "TANGOPASS_PUBLIC_URL": "https://studio.test"}
    )
    ctx = open_context(settings, clock=clock)
    yield Api(testing.TestClient(create_app(ctx))), clock
    ctx.ledger.close()
    ctx.queries.close()


def test_an_input_without_offset_is_read_in_the_studio_zone(madrid):
    api, _ = madrid
    ana = api.add_student("Ana")
    lot = api.buy(ana["id"], credits=4, purchased_at="2026-03-10T19:00:00")["lot"]
    assert lot["purchased_at"] == "2026-03-10T18:00:00Z"  # 19:00 CET


def test_a_month_across_the_spring_change_keeps_the_local_time(madrid):
    api, _ = madrid
    ana = api.add_student("Ana")
    lot = api.buy(ana["id"], credits=4, purchased_at="2026-03-10T19:00:00+01:00")["lot"]
    # 19:00 CET on 10 March → 19:00 CEST on 10 April, which is 17:00Z, not 18:00Z.
    assert lot["expires_at"] == "2026-04-10T17:00:00Z"


def test_january_31_plus_one_month_is_february_28_in_the_studio(madrid):
    api, clock = madrid
    clock.set(datetime(2026, 2, 1, 12, 0, tzinfo=UTC))
    ana = api.add_student("Ana")
    # 00:30 on 31 January in Madrid is still 30 January in UTC: the studio's day counts.
    lot = api.buy(ana["id"], credits=4, purchased_at="2026-01-31T00:30:00+01:00")["lot"]
    expires = datetime.fromisoformat(lot["expires_at"]).astimezone(ZoneInfo("Europe/Madrid"))
    assert (expires.month, expires.day, expires.hour, expires.minute) == (2, 28, 0, 30)


def test_extending_across_the_autumn_change_keeps_the_local_time(madrid):
    api, clock = madrid
    clock.set(datetime(2026, 10, 1, 12, 0, tzinfo=UTC))
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=4, purchased_at="2026-09-20T20:00:00+02:00")  # → 20 Oct 20:00 CEST
    api.admin("extendValidity", {"days": 10})
    lots = api.status(ana["token"]).json["lots"]
    assert lots[0]["expires_at"] == "2026-10-30T19:00:00Z"  # 20:00 CET after the change


def test_the_window_is_two_real_hours_even_across_a_dst_change(madrid):
    api, clock = madrid
    clock.set(datetime(2026, 3, 28, 12, 0, tzinfo=UTC))
    # 03:30 CEST on 29 March, one hour after clocks jumped from 02:00 to 03:00.
    lesson = api.lesson("2026-03-29T03:30:00")
    assert lesson["starts_at"] == "2026-03-29T01:30:00Z"
    assert lesson["registration_closes_at"] == "2026-03-28T23:30:00Z"


def test_a_lot_expires_at_its_instant_when_the_clock_jumps_past_it(madrid):
    api, clock = madrid
    ana = api.add_student("Ana")
    lot = api.buy(ana["id"], credits=2, purchased_at="2026-03-01T10:00:00+01:00")["lot"]
    expires = datetime.fromisoformat(lot["expires_at"].replace("Z", "+00:00"))
    clock.set(expires.replace(second=0) if expires.second else expires)
    assert api.status(ana["token"]).json["credits_available"] == 0
    clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))  # the clock jumps back
    # A written EXPIRE is history: it is not undone by a clock that goes backwards.
    assert api.status(ana["token"]).json["credits_available"] == 0


def test_a_weekly_series_keeps_its_wall_time_across_both_dst_changes(madrid):
    api, clock = madrid
    spring = api.admin("addSeries", {"weekday": 7, "time": "19:00", "starts_on": "2026-03-22"}).json
    assert [x["starts_at"] for x in spring["lessons"][:3]] == [
        "2026-03-22T18:00:00Z",  # 19:00 CET
        "2026-03-29T17:00:00Z",  # 19:00 CEST, the day the clocks go forward
        "2026-04-05T17:00:00Z",
    ]
    clock.set(datetime(2026, 10, 10, 12, 0, tzinfo=UTC))
    autumn = api.admin("addSeries", {"weekday": 7, "time": "19:00", "starts_on": "2026-10-11"}).json
    assert [x["starts_at"] for x in autumn["lessons"][:3]] == [
        "2026-10-11T17:00:00Z",  # CEST
        "2026-10-18T17:00:00Z",
        "2026-10-25T18:00:00Z",  # 19:00 CET, the day the clocks go back
    ]
    # the spring series, made lazily through the summer, is at 19:00 local as well
    listed = api.admin_get("/admin/lessons?from=2026-10-20&to=2026-11-05").json["lessons"]
    assert {x["starts_at"] for x in listed if x["series_id"] == 1} == {
        "2026-10-25T18:00:00Z", "2026-11-01T18:00:00Z"}


def test_a_closure_is_counted_in_studio_dates(madrid):
    api, clock = madrid
    api.admin("setNextLesson", {"starts_at": "2026-03-31T23:30:00"})  # local Mar 31, UTC 21:30
    api.admin("setNextLesson", {"starts_at": "2026-04-01T00:30:00"})  # local Apr 1, UTC Mar 31
    result = api.admin("addClosure", {"from": "2026-03-31", "to": "2026-03-31", "reason": "Away",
                                      "extend_passes": False}).json
    assert result["cancelled_lessons"] == 1
    statuses = [x["status"] for x in api.admin_get("/admin/lessons").json["lessons"]]
    assert statuses == ["cancelled", "scheduled"]
