"""Settings as events, prices on purchases, and the monthly report (contract part 2)."""

from zoneinfo import ZoneInfo

import pytest

from tangopass.api.settings import Settings
from tests.support.db import fingerprint, rows

pytestmark = pytest.mark.backends("server", "worker")

LESSON_AT = "2026-11-24T19:00:00Z"  # the clock starts at 2026-11-23T10:00:00Z
DEFAULTS = {"studio_name": "Tango Pass", "window_hours": 2, "validity_options": [1, 3],
            "currency": "EUR", "default_capacity": None, "time_zone": "UTC"}


def refused(result, status: int, code: str) -> None:
    assert result.status_code == status, result.text
    assert result.json["error"] == code, result.json


def settings(api) -> dict:
    result = api.admin_get("/admin/settings")
    assert result.status_code == 200, result.text
    return result.json


def change(api, **body) -> dict:
    result = api.admin("settings", body)
    assert result.status_code == 200, result.text
    return result.json


# ---------------------------------------------------------------- settings


def test_settings_start_at_the_defaults(api):
    assert settings(api) == DEFAULTS


def test_a_change_is_an_event_and_the_answer_is_the_whole_object(api, db_path):
    body = change(api, studio_name="Milonga Sur", validity_options=[3, 1, 6], default_capacity=20)
    assert body == {**DEFAULTS, "studio_name": "Milonga Sur", "validity_options": [1, 3, 6],
                    "default_capacity": 20}
    assert settings(api) == body
    assert change(api, default_capacity=None)["default_capacity"] is None
    topics = [t for (t,) in rows(db_path, "SELECT topic FROM stored_events ORDER BY rowid")]
    assert topics == ["tangopass:Studio.Opened", "tangopass:Studio.SettingsChanged",
                      "tangopass:Studio.SettingsChanged"]


def test_a_new_window_applies_to_new_lessons_only(api):
    first = api.lesson(LESSON_AT)
    change(api, window_hours=24)
    second = api.lesson("2026-11-26T19:00:00Z")
    assert first["registration_closes_at"] == "2026-11-24T17:00:00Z"  # kept its window
    assert second["registration_closes_at"] == "2026-11-25T19:00:00Z"
    listed = api.admin_get("/admin/list").json["next_lesson"]
    assert listed["registration_closes_at"] == "2026-11-24T17:00:00Z"


def test_validity_must_be_one_of_the_options_and_lots_keep_their_expiry(api, db_path):
    ana = api.add_student("Ana")
    refused(api.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 6}),
            400, "VALIDATION_ERROR")
    lot = api.buy(ana["id"], credits=1, months=3)["lot"]
    change(api, validity_options=[6, 12])
    assert api.buy(ana["id"], credits=1, months=6)["lot"]["expires_at"] == "2027-05-23T10:00:00Z"
    refused(api.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 3}),
            400, "VALIDATION_ERROR")
    assert api.status(ana["token"]).json["lots"][0]["expires_at"] == lot["expires_at"]


def test_a_bad_validity_is_400_even_for_an_unknown_student(api):
    refused(api.admin("addPurchase", {"student_id": 99, "credits": 1, "validity_months": 2}),
            400, "VALIDATION_ERROR")


def test_currency_changes_only_while_no_purchase_has_a_price(api, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)  # no price: the currency may still change
    assert change(api, currency="ARS")["currency"] == "ARS"
    lot = api.buy(ana["id"], credits=1, price="1500.5")["lot"]
    before = fingerprint(db_path)
    refused(api.admin("settings", {"currency": "EUR"}), 400, "VALIDATION_ERROR")
    assert fingerprint(db_path) == before
    assert change(api, currency="ARS", studio_name="Sur")["studio_name"] == "Sur"  # same: fine
    page = api.admin_get(f"/admin/student?student_id={ana['id']}").json
    priced = next(x for x in page["lots"] if x["id"] == lot["id"])
    assert priced["price"] == {"amount": "1500.50", "currency": "ARS"}


@pytest.mark.parametrize("body", [
    {"window_hours": 73}, {"window_hours": -1}, {"window_hours": 1.5}, {"window_hours": None},
    {"validity_options": []}, {"validity_options": [1, 2, 3, 4, 5, 6, 7]},
    {"validity_options": [1, 1]}, {"validity_options": [13]}, {"validity_options": [0]},
    {"currency": "XYZ"}, {"currency": "eur"}, {"currency": None},
    {"default_capacity": 0}, {"default_capacity": 501},
    {"studio_name": " "}, {"studio_name": "x" * 101}, {"colour": "red"},
])
def test_settings_out_of_range_are_400_and_change_nothing(api, db_path, body):
    before = fingerprint(db_path)
    refused(api.admin("settings", body), 400, "VALIDATION_ERROR")
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("price", ["100000.01", "1.234", "-1.00", "abc", "", 120, "1e3"])
def test_price_out_of_range_is_400(api, price):
    ana = api.add_student("Ana")
    refused(api.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 1,
                                      "price": price}), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("price, shown", [("0", "0.00"), ("100000.00", "100000.00"), ("7.5", "7.50")])
def test_price_range_edges_are_kept_with_two_decimals(api, price, shown):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1, price=price)
    lot = api.admin_get(f"/admin/student?student_id={ana['id']}").json["lots"][0]
    assert lot["price"]["amount"] == shown


def test_the_window_setting_from_the_environment_is_the_default(tmp_path, clock):
    from falcon import testing

    from tangopass.api.app import create_app
    from tangopass.api.wiring import open_context
    from tests.support.api import ADMIN_TOKEN, Api

    ctx = open_context(Settings(db_path=str(tmp_path / "w.db"), admin_token=ADMIN_TOKEN,
                                tz=ZoneInfo("Europe/Madrid"), window_hours=5), clock=clock)
    try:
        api = Api(testing.TestClient(create_app(ctx)))
        assert settings(api)["window_hours"] == 5 and settings(api)["time_zone"] == "Europe/Madrid"
        assert ctx.ledger.settings_in_force().window_hours == 5
    finally:
        ctx.ledger.close()
        ctx.queries.close()


# ------------------------------------------------------------------ report


def report(api, month: str) -> dict:
    result = api.admin_get(f"/admin/report?month={month}")
    assert result.status_code == 200, result.text
    return result.json


def test_the_report_counts_the_month_from_its_ledger_entries(api, clock):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=4, months=1, price="60", purchased_at="2026-10-30T10:00:00Z")
    api.buy(bea["id"], credits=10, months=3, price="120.50")
    api.buy(bea["id"], credits=1, months=1)  # no price
    api.admin("adjust", {"student_id": bea["id"], "delta": 2, "reason": "gift"})
    api.admin("adjust", {"student_id": bea["id"], "delta": -1, "reason": "oops"})
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    api.register(bea["token"])
    api.cancel(bea["token"])
    api.register(bea["token"])
    clock.advance(days=2)  # the lesson was held; Ana's lot expires on Nov 30
    api.admin("clearRegistrations", {})

    october, november = report(api, "2026-10"), report(api, "2026-11")

    assert october == {
        "month": "2026-10", "passes_sold": 1, "credits_sold": 4,
        "revenue": {"amount": "60.00", "currency": "EUR"}, "credits_adjusted": 0,
        "credits_booked": 0, "credits_used": 0, "credits_expired": 0, "credits_outstanding": 4,
        "lessons_held": 0, "attendances": 0, "no_shows": 0,
    }
    assert november == {
        "month": "2026-11", "passes_sold": 2, "credits_sold": 11,
        "revenue": {"amount": "120.50", "currency": "EUR"}, "credits_adjusted": 1,
        "credits_booked": 2, "credits_used": 2, "credits_expired": 0, "credits_outstanding": 14,
        "lessons_held": 1, "attendances": 2, "no_shows": 0,
    }
    clock.set(clock.now.replace(month=12, day=2))  # the EXPIRE entry is dated Nov 30
    later = report(api, "2026-11")
    assert later["credits_expired"] == 3 and later["credits_outstanding"] == 11
    december = report(api, "2026-12")
    assert december["credits_expired"] == 0 and december["credits_outstanding"] == 11


def test_the_report_counts_in_the_studio_time_zone(tmp_path, clock):
    from falcon import testing

    from tangopass.api.app import create_app
    from tangopass.api.wiring import open_context
    from tests.support.api import ADMIN_TOKEN, Api

    ctx = open_context(Settings(db_path=str(tmp_path / "tz.db"), admin_token=ADMIN_TOKEN,
                                tz=ZoneInfo("Europe/Madrid")), clock=clock)
    try:
        api = Api(testing.TestClient(create_app(ctx)))
        ana = api.add_student("Ana")
        # 23:30 UTC on Oct 31 is already November in Madrid (UTC+1)
        api.buy(ana["id"], credits=2, purchased_at="2026-10-31T23:30:00Z")
        assert report(api, "2026-10")["credits_sold"] == 0
        assert report(api, "2026-11")["credits_sold"] == 2
    finally:
        ctx.ledger.close()
        ctx.queries.close()


def test_the_report_as_csv(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3, price="45")
    result = api.admin_get("/admin/report?month=2026-11&format=csv")
    assert result.status_code == 200
    assert result.headers["content-type"].startswith("text/csv")
    assert "tangopass-report-2026-11.csv" in result.headers["content-disposition"]
    lines = result.text.splitlines()
    assert lines[0] == "month,2026-11" and "revenue,45.00" in lines and "currency,EUR" in lines


def test_the_report_defaults_to_the_current_month(api):
    assert api.admin_get("/admin/report").json["month"] == "2026-11"


@pytest.mark.parametrize("query", ["month=2026-13", "month=26-11", "month=2026-1", "month=1999-01",
                                   "month=2026-11&month=2026-10", "month=2026-11&format=xml"])
def test_report_refusals(api, query):
    refused(api.admin_get(f"/admin/report?{query}"), 400, "VALIDATION_ERROR")


def test_report_needs_the_admin_token(api):
    refused(api.admin_get("/admin/report?month=2026-11", token="nope"), 401, "UNAUTHORIZED")
    refused(api.admin_get("/admin/settings", token="nope"), 401, "UNAUTHORIZED")
