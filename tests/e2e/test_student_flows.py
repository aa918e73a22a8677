"""What a student's phone sees and does, through the HTTP contract."""

from icalendar import Calendar

import pytest

from tests.support.db import fingerprint, rows

pytestmark = pytest.mark.backends("server", "worker")

LESSON_AT = "2026-11-24T19:00:00Z"  # the clock starts at 2026-11-23T10:00:00Z


def test_status_shows_credits_lots_and_the_next_lesson(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=10, months=3)
    lesson = api.lesson(LESSON_AT)

    body = api.status(ana["token"]).json

    assert body["now"] == "2026-11-23T10:00:00Z"
    assert body["student"] == {"id": ana["id"], "name": "Ana"}
    assert body["credits_available"] == 10
    assert body["lots"] == [{
        "id": 1, "purchased_at": "2026-11-23T10:00:00Z", "expires_at": "2027-02-23T10:00:00Z",
        "validity_months": 3, "credits_total": 10, "credits_remaining": 10,
        # contract part 2: passes at a glance
        "status": "active", "closed_at": None, "source": "PURCHASE", "price": None, "note": None,
        "credits_expired": 0,
    }]
    assert body["past_lots"] == []
    assert body["next_lesson"] == lesson == {
        "id": 1, "starts_at": LESSON_AT, "registration_closes_at": "2026-11-24T17:00:00Z",
        "title": None, "capacity": None, "role_balance": None, "series_id": None,
        "status": "scheduled", "registered_count": 0, "waitlist_count": 0,
    }
    assert body["registration_open"] is True and body["registered"] is False
    assert "ledger" not in body


def test_without_a_lesson_registration_is_not_open(api):
    ana = api.add_student("Ana")
    body = api.status(ana["token"]).json
    assert body["next_lesson"] is None and body["registration_open"] is False


def test_register_then_cancel_moves_one_credit_and_back(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)

    registered = api.register(ana["token"])
    assert registered.status_code == 200
    assert registered.json == {"registered": True, "lesson_id": 1, "consumed_lot_id": 1, "credits_available": 1}
    assert api.status(ana["token"]).json["registered"] is True

    cancelled = api.cancel(ana["token"])
    assert cancelled.json == {"registered": False, "lesson_id": 1, "credits_available": 2,
                              "expired_on_return": 0}
    ledger = api.status(ana["token"], "&ledger").json["ledger"]
    assert [(e["type"], e["delta_credits"], e["balance_after"]) for e in ledger] == [
        ("PURCHASE", 2, 2), ("REGISTER", -1, 1), ("CANCEL", 1, 2),
    ]
    assert ledger[1]["ref_lot_id"] == 1 and ledger[1]["ref_lesson_id"] == 1


def test_registering_again_answers_the_same_and_takes_nothing(api, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    first = api.register(ana["token"]).json
    before = fingerprint(db_path)

    assert api.register(ana["token"]).json == first
    assert fingerprint(db_path) == before


def test_a_registered_student_gets_200_after_the_window_closed(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    first = api.register(ana["token"]).json
    clock.set(clock.now.replace(day=24, hour=18))

    assert api.register(ana["token"]).json == first
    assert api.cancel(ana["token"]).json["error"] == "REGISTRATION_CLOSED"


def test_cancelling_when_not_registered_is_a_no_op_even_after_the_window(api, clock, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    clock.set(clock.now.replace(day=24, hour=18))
    before = fingerprint(db_path)

    result = api.cancel(ana["token"])

    assert result.status_code == 200
    assert result.json == {"registered": False, "lesson_id": 1, "credits_available": 2,
                           "expired_on_return": 0}
    assert fingerprint(db_path) == before


def test_the_window_closes_exactly_two_hours_before(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)

    clock.set(clock.now.replace(day=24, hour=16, minute=59, second=59))
    assert api.status(ana["token"]).json["registration_open"] is True
    clock.advance(seconds=1)
    assert api.status(ana["token"]).json["registration_open"] is False
    assert api.register(ana["token"]).json["error"] == "REGISTRATION_CLOSED"


def test_fifo_follows_purchase_time_not_insertion_order(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)  # lot 1, bought now
    api.buy(ana["id"], credits=1, purchased_at="2026-11-16T10:00:00Z")  # lot 2, a week ago
    api.lesson(LESSON_AT)

    assert api.register(ana["token"]).json["consumed_lot_id"] == 2
    assert [lot["id"] for lot in api.status(ana["token"]).json["lots"]] == [1]


def test_cancel_after_the_lot_expired_writes_cancel_then_expire(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1, purchased_at="2026-10-24T12:00:00Z")  # expires Nov 24 12:00
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.set(clock.now.replace(day=24, hour=13))  # lot expired; window still open

    result = api.cancel(ana["token"])

    assert result.json["credits_available"] == 0
    ledger = api.status(ana["token"], "&ledger=all").json["ledger"]
    assert [(e["type"], e["delta_credits"], e["balance_after"], e["ts"]) for e in ledger[2:]] == [
        ("CANCEL", 1, 1, "2026-11-24T13:00:00Z"),
        ("EXPIRE", -1, 0, "2026-11-24T12:00:00Z"),  # dated at the lot's expiry
        ("OLDEST", 0, 0, "2026-11-24T13:00:00Z"),  # every lot is closed now
    ]


def test_lazy_expiry_is_written_on_the_next_read_dated_at_expiry(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3)
    clock.advance(days=45)

    body = api.status(ana["token"], "&ledger=all").json

    assert body["credits_available"] == 0 and body["lots"] == []
    expire = [e for e in body["ledger"] if e["type"] == "EXPIRE"]
    assert [(e["delta_credits"], e["ts"]) for e in expire] == [(-3, "2026-12-23T10:00:00Z")]


def test_expiry_written_before_a_refusal_is_kept(api, clock, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3)
    clock.advance(days=45)
    api.lesson("2027-01-10T19:00:00Z")

    assert api.register(ana["token"]).json["error"] == "NO_CREDITS"
    assert rows(db_path, "SELECT type, delta_credits FROM ledger_events WHERE type = 'EXPIRE'") == [
        ("EXPIRE", -3)
    ]


def test_a_lot_expiring_in_a_second_is_used_while_still_valid(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1, purchased_at="2026-10-24T17:00:00Z")  # expires Nov 24 17:00
    api.buy(ana["id"], credits=1)
    api.lesson("2026-11-24T20:00:00Z")  # window closes 18:00
    clock.set(clock.now.replace(day=24, hour=16, minute=59, second=59))

    assert api.register(ana["token"]).json["consumed_lot_id"] == 1


def test_a_student_may_choose_a_later_lesson(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    later = api.lesson("2026-12-01T19:00:00Z")

    result = api.register(ana["token"], {"lesson_id": later["id"]})

    assert result.json["lesson_id"] == later["id"]
    assert api.status(ana["token"]).json["registered"] is False  # not for the next one


def test_the_default_ledger_view_starts_at_the_newest_oldest_marker(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    clock.advance(days=40)  # lot 1 expires and closes
    api.buy(ana["id"], credits=2)

    everything = api.status(ana["token"], "&ledger=all").json["ledger"]
    recent = api.status(ana["token"], "&ledger=1").json["ledger"]

    marker = [e for e in everything if e["type"] == "OLDEST"][-1]
    assert marker["ref_event_id"] == marker["id"]  # every lot was closed: it names itself
    assert recent == [e for e in everything if e["id"] >= marker["ref_event_id"]]
    assert [e["type"] for e in recent] == ["OLDEST", "PURCHASE"]


def test_calendar_lists_registered_lessons_with_stable_uids(api, clock, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=3)
    api.lesson(LESSON_AT)
    api.lesson("2026-12-01T19:00:00Z")
    api.register(ana["token"])
    api.register(ana["token"], {"lesson_id": 2})

    first = api.client.simulate_get("/calendar.ics", query_string=f"t={ana['token']}")
    clock.advance(hours=1)
    second = api.client.simulate_get("/calendar.ics", query_string=f"t={ana['token']}")

    assert first.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(first.content).walk("VEVENT")]
    installation = rows(db_path, "SELECT uuid FROM installation")[0][0]
    assert [str(e["UID"]) for e in events] == [
        f"lesson-1-{installation}@tangopass", f"lesson-2-{installation}@tangopass"]
    assert events[0].decoded("DTSTART").isoformat() == "2026-11-24T19:00:00+00:00"
    later = Calendar.from_ical(second.content).walk("VEVENT")
    assert [str(e["UID"]) for e in later] == [str(e["UID"]) for e in events]


@pytest.mark.backends("server")  # on Cloudflare the assets serve pages: tests/cloudflare/test_deploy.py
def test_the_page_opened_with_a_token_is_never_stored_by_an_http_cache(api):
    ana = api.add_student("Ana")
    for path in ("/", "/index.html"):
        page = api.client.simulate_get(path, query_string=f"t={ana['token']}")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"


def test_token_pages_never_leak_through_referer_or_caches(api):
    ana = api.add_student("Ana")
    result = api.status(ana["token"])
    assert result.headers["referrer-policy"] == "no-referrer"
    assert result.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in result.headers["content-security-policy"]
    assert result.headers["x-content-type-options"] == "nosniff"


def test_a_rotated_token_stops_working(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    rotated = api.admin("rotateToken", {"student_id": ana["id"]})

    assert rotated.status_code == 200 and rotated.json["token"] != ana["token"]
    assert api.status(ana["token"]).json["error"] == "INVALID_TOKEN"
    assert api.status(rotated.json["token"]).json["credits_available"] == 2


def test_cancelling_a_held_lesson_is_refused_and_changes_nothing(api, clock, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    api.lesson("2026-11-23T13:00:00Z")
    api.register(ana["token"])
    clock.set(clock.now.replace(hour=13, minute=1))
    api.admin("clearRegistrations", {})
    before = fingerprint(db_path)

    result = api.cancel(ana["token"], {"lesson_id": 1})

    assert result.status_code == 409 and result.json["error"] == "LESSON_CLEARED"
    assert fingerprint(db_path) == before
