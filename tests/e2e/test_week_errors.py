"""Every refusal of the week's endpoints: the contract's error, and nothing changed."""

import pytest

from tests.e2e.test_errors import assert_error
from tests.support.db import fingerprint

THURSDAY = "2026-11-26T19:00:00Z"


@pytest.fixture
def week(api, clock):
    ana = api.add_student("Ana")
    bea = api.add_student("Bea")
    api.buy(ana["id"], credits=3)
    full = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(ana["token"], {"lesson_id": full["id"]})
    gone = api.lesson("2026-11-27T19:00:00Z")
    api.admin("cancelLesson", {"lesson_id": gone["id"]})
    series = api.admin("addSeries", {"weekday": 1, "time": "20:00", "starts_on": "2026-11-23",
                                     "ends_on": "2026-12-21"}).json
    return {"ana": ana, "bea": bea, "full": full, "gone": gone, "series": series}


@pytest.fixture
def unchanged(db_path, week):
    before = fingerprint(db_path)
    yield
    assert fingerprint(db_path) == before


LESSON = {"starts_at": "2026-12-01T19:00:00Z"}
SERIES = {"weekday": 2, "time": "19:00", "starts_on": "2026-11-24"}
CLOSURE = {"from": "2026-12-01", "to": "2026-12-02", "reason": "Away", "extend_passes": False}


@pytest.mark.parametrize("endpoint,body", [
    ("addLesson", {**LESSON, "capacity": 0}),
    ("addLesson", {**LESSON, "capacity": 501}),
    ("addLesson", {**LESSON, "capacity": "10"}),
    ("addLesson", {**LESSON, "role_balance": 0}),
    ("addLesson", {**LESSON, "role_balance": 21}),
    ("addLesson", {**LESSON, "title": "   "}),
    ("addLesson", {**LESSON, "title": "x" * 101}),
    ("addLesson", {**LESSON, "teacher": "me"}),
    ("addLesson", {"starts_at": "2026-11-23T09:00:00Z"}),
    ("addSeries", {**SERIES, "weekday": 0}),
    ("addSeries", {**SERIES, "weekday": 8}),
    ("addSeries", {**SERIES, "time": "24:00"}),
    ("addSeries", {**SERIES, "time": "7:30"}),
    ("addSeries", {**SERIES, "time": "19:60"}),
    ("addSeries", {**SERIES, "starts_on": "2026-11-22"}),
    ("addSeries", {**SERIES, "starts_on": "2026-13-01"}),
    ("addSeries", {**SERIES, "ends_on": "2026-11-23"}),
    ("addSeries", {**SERIES, "capacity": 0}),
    ("addSeries", {**SERIES, "role_balance": 21}),
    ("addSeries", {"weekday": 2, "time": "19:00"}),
    ("endSeries", {"series_id": 1, "last_on": "someday"}),
    ("endSeries", {"series_id": 0}),
    ("setCapacity", {"lesson_id": 1, "capacity": 0}),
    ("setCapacity", {"lesson_id": 1, "capacity": 501}),
    ("setCapacity", {"lesson_id": 1}),
    ("registerStudent", {"student_id": 1, "role": "both"}),
    ("registerStudent", {"lesson_id": 1}),
    ("clearRegistrations", {"lesson_id": 1, "no_shows": [0]}),
    ("clearRegistrations", {"lesson_id": 1, "no_shows": "1"}),
    ("addClosure", {**CLOSURE, "to": "2026-11-30"}),
    ("addClosure", {**CLOSURE, "to": "2027-12-02"}),
    ("addClosure", {**CLOSURE, "reason": ""}),
    ("addClosure", {**CLOSURE, "extend_passes": "yes"}),
    ("addClosure", {k: v for k, v in CLOSURE.items() if k != "extend_passes"}),
])
def test_out_of_range_bodies_are_validation_errors(api, unchanged, endpoint, body):
    assert_error(api.admin(endpoint, body), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("endpoint,body", [
    ("addLesson", LESSON), ("addSeries", SERIES), ("endSeries", {"series_id": 1}),
    ("setCapacity", {"lesson_id": 1, "capacity": 5}),
    ("registerStudent", {"student_id": 1}), ("addClosure", CLOSURE),
])
def test_the_week_commands_need_the_admin_token(api, unchanged, endpoint, body):
    assert_error(api.admin(endpoint, body, token="wrong"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("endpoint,body", [
    ("endSeries", {"series_id": 99}),
    ("setCapacity", {"lesson_id": 99, "capacity": 5}),
    ("registerStudent", {"student_id": 99}),
    ("registerStudent", {"student_id": 1, "lesson_id": 99}),
])
def test_unknown_ids_are_not_found(api, unchanged, endpoint, body):
    assert_error(api.admin(endpoint, body), 404, "NOT_FOUND")


def test_lowering_below_the_registered_is_refused(api, week, db_path):
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 3}).json["lesson"]
    ana = week["ana"]
    api.register(ana["token"], {"lesson_id": lesson["id"]})
    before = fingerprint(db_path)
    api.admin("registerStudent", {"student_id": ana["id"], "lesson_id": lesson["id"]})
    assert fingerprint(db_path) == before  # already registered: nothing more
    bea = week["bea"]
    api.buy(bea["id"], credits=1)
    api.register(bea["token"], {"lesson_id": lesson["id"]})
    before = fingerprint(db_path)
    assert_error(api.admin("setCapacity", {"lesson_id": lesson["id"], "capacity": 1}), 409,
                 "CAPACITY_TOO_LOW")
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("endpoint,body", [
    ("cancelLesson", {"lesson_id": 2}),
    ("setCapacity", {"lesson_id": 2, "capacity": 5}),
    ("registerStudent", {"student_id": 1, "lesson_id": 2}),
    ("cancelRegistration", {"student_id": 1, "lesson_id": 2}),
])
def test_changing_a_cancelled_lesson_is_lesson_cleared(api, unchanged, endpoint, body):
    assert_error(api.admin(endpoint, body), 409, "LESSON_CLEARED")


def test_a_student_role_must_be_leader_or_follower(api, week, unchanged):
    result = api.register(week["ana"]["token"], {"lesson_id": 1, "role": "lead"})
    assert_error(result, 400, "VALIDATION_ERROR")


def test_a_waitlisted_student_cannot_leave_after_the_start(api, week, clock, db_path):
    bea = week["bea"]
    api.buy(bea["id"], credits=1)
    assert api.register(bea["token"], {"lesson_id": 1}).json["waitlisted"] is True
    clock.set(clock.now.replace(day=26, hour=19, minute=5))
    before = fingerprint(db_path)
    assert_error(api.cancel(bea["token"], {"lesson_id": 1}), 409, "REGISTRATION_CLOSED")
    assert fingerprint(db_path) == before


def test_waitlisting_without_credit_is_no_credits(api, week, unchanged):
    assert_error(api.register(week["bea"]["token"], {"lesson_id": 1}), 409, "NO_CREDITS")


@pytest.mark.parametrize("query", ["?from=yesterday", "?to=2026-02-30", "?from=2026-12-01&to=2026-11-01",
                                   "?from=1999-01-01"])
def test_lesson_list_refuses_bad_dates(api, unchanged, query):
    assert_error(api.admin_get(f"/admin/lessons{query}"), 400, "VALIDATION_ERROR")
