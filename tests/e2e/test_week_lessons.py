"""Contract part 2, "Lessons, series, capacity": a schedule students book from."""

from datetime import timedelta

import pytest

from tests.support.db import rows

pytestmark = pytest.mark.backends("server", "worker")

MONDAY = "2026-11-30T19:00:00Z"  # the clock starts on Monday 2026-11-23 10:00 UTC
THURSDAY = "2026-11-26T19:00:00Z"


def people(api, n, credits=2):
    students = []
    for i in range(n):
        s = api.add_student(f"S{i + 1}")
        if credits:
            api.buy(s["id"], credits=credits)
        students.append(s)
    return students


def lessons(api, query=""):
    result = api.admin_get(f"/admin/lessons{query}")
    assert result.status_code == 200, result.text
    return result.json["lessons"]


def test_add_lesson_answers_the_whole_lesson_object(api):
    result = api.admin("addLesson", {"starts_at": THURSDAY, "title": " Milonga class ",
                                     "capacity": 20, "role_balance": 2})
    assert result.status_code == 201, result.text
    assert result.json == {"lesson": {
        "id": 1, "starts_at": THURSDAY, "registration_closes_at": "2026-11-26T17:00:00Z",
        "title": "Milonga class", "capacity": 20, "role_balance": 2, "series_id": None,
        "status": "scheduled", "registered_count": 0, "waitlist_count": 0,
    }}


def test_a_student_books_thursday_while_monday_is_still_ahead(api):
    ana, = people(api, 1)
    monday = api.lesson(MONDAY)
    thursday = api.admin("addLesson", {"starts_at": THURSDAY, "title": "Thursday"}).json["lesson"]
    status = api.status(ana["token"]).json
    assert [x["id"] for x in status["lessons"]] == [thursday["id"], monday["id"]]
    assert status["lessons"][0] == {
        "id": thursday["id"], "starts_at": THURSDAY, "registration_closes_at": "2026-11-26T17:00:00Z",
        "title": "Thursday", "registration_open": True, "registered": False, "waitlisted": False,
        "spots_left": None, "waitlist_position": None, "capacity": None, "series_id": None,
    }
    booked = api.register(ana["token"], {"lesson_id": monday["id"]})
    assert booked.json["lesson_id"] == monday["id"] and booked.json["registered"] is True
    status = api.status(ana["token"]).json
    assert [x["registered"] for x in status["lessons"]] == [False, True]
    assert status["next_lesson"]["id"] == thursday["id"] and status["registered"] is False


def test_a_lesson_whose_window_closed_does_not_stop_booking_a_later_one(api, clock):
    ana, = people(api, 1)
    later = api.lesson("2026-11-23T20:30:00Z")
    soon = api.lesson((clock.now + timedelta(minutes=75)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert api.register(ana["token"], {"lesson_id": later["id"]}).json["registered"] is True
    status = api.status(ana["token"]).json
    assert [(x["id"], x["registration_open"], x["registered"]) for x in status["lessons"]] == [
        (soon["id"], False, False), (later["id"], True, True)]


def test_a_weekly_series_makes_eight_dates_and_keeps_making_them(api, clock, db_path):
    result = api.admin("addSeries", {"weekday": 4, "time": "19:30", "starts_on": "2026-11-23",
                                     "title": "Thursday class", "capacity": 12})
    assert result.status_code == 201, result.text
    body = result.json
    assert body["series"] == {"id": 1, "weekday": 4, "time": "19:30", "starts_on": "2026-11-23",
                              "ends_on": None, "title": "Thursday class", "capacity": 12,
                              "role_balance": None}
    starts = [x["starts_at"] for x in body["lessons"]]
    assert len(starts) == 8 and starts[0] == "2026-11-26T19:30:00Z"
    assert starts[-1] == "2027-01-14T19:30:00Z"
    assert all(x["series_id"] == 1 and x["capacity"] == 12 for x in body["lessons"])
    clock.advance(days=7)  # a week later, whoever looks first makes the next date
    listed = lessons(api)
    assert [x["starts_at"] for x in listed][-1] == "2027-01-21T19:30:00Z"
    assert len([x for x in listed if x["series_id"] == 1]) == 9  # one past, eight ahead
    lessons(api)
    assert rows(db_path, "SELECT COUNT(*) FROM lesson_events")[0][0] == 9  # made once


def test_a_series_with_an_end_date_stops_there(api):
    body = api.admin("addSeries", {"weekday": 1, "time": "20:00", "starts_on": "2026-11-24",
                                   "ends_on": "2026-12-14"}).json
    assert [x["starts_at"][:10] for x in body["lessons"]] == ["2026-11-30", "2026-12-07", "2026-12-14"]


def test_ending_a_series_cancels_its_later_lessons_and_refunds(api, clock):
    ana, = people(api, 1)
    made = api.admin("addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23"}).json
    third = made["lessons"][2]["id"]
    api.register(ana["token"], {"lesson_id": third})
    result = api.admin("endSeries", {"series_id": 1, "last_on": "2026-12-03"})
    assert result.json == {"series_id": 1, "cancelled": 6, "refunded": 1, "expired_on_return": 0}
    assert api.status(ana["token"]).json["credits_available"] == 2
    clock.advance(days=30)
    assert [x["status"] for x in lessons(api, "?from=2026-11-23&to=2027-03-01")] == \
        ["scheduled", "scheduled"] + ["cancelled"] * 6  # and no more were made


def test_cancelling_one_date_of_a_series_leaves_the_others(api):
    made = api.admin("addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23"}).json
    assert api.admin("cancelLesson", {"lesson_id": made["lessons"][1]["id"]}).status_code == 200
    statuses = [x["status"] for x in lessons(api)]
    assert statuses.count("cancelled") == 1 and statuses.count("scheduled") == 8 - 1


def test_capacity_waitlists_in_order_and_takes_no_credit(api):
    a, b, c = people(api, 3)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    assert api.register(a["token"], {"lesson_id": lesson["id"]}).json["registered"] is True
    first = api.register(b["token"], {"lesson_id": lesson["id"]})
    assert first.json == {"registered": False, "waitlisted": True, "lesson_id": lesson["id"],
                          "position": 1, "credits_available": 2}
    assert api.register(c["token"], {"lesson_id": lesson["id"]}).json["position"] == 2
    assert api.register(b["token"], {"lesson_id": lesson["id"]}).json["position"] == 1  # same
    seen = api.status(c["token"]).json["lessons"][0]
    assert (seen["waitlisted"], seen["waitlist_position"], seen["spots_left"]) == (True, 2, 0)
    listed = lessons(api)[0]
    assert [w["name"] for w in listed["waitlist"]] == ["S2", "S3"]
    assert (listed["registered_count"], listed["waitlist_count"]) == (1, 2)


def test_a_cancel_promotes_the_first_in_line_in_the_same_command(api):
    a, b, c = people(api, 3)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    for s in (a, b, c):
        api.register(s["token"], {"lesson_id": lesson["id"]})
    api.cancel(a["token"], {"lesson_id": lesson["id"]})
    b_status = api.status(b["token"], "&ledger").json
    assert b_status["lessons"][0]["registered"] is True and b_status["credits_available"] == 1
    assert b_status["ledger"][-1]["type"] == "REGISTER" and b_status["ledger"][-1]["actor"] == "system"
    assert api.status(c["token"]).json["lessons"][0]["waitlist_position"] == 1


def test_a_student_without_credit_leaves_the_line_when_their_turn_comes(api):
    a, b, c = people(api, 3, credits=1)
    other = api.lesson(MONDAY)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    for s in (a, b, c):
        api.register(s["token"], {"lesson_id": lesson["id"]})
    api.register(b["token"], {"lesson_id": other["id"]})  # spends b's only credit
    api.cancel(a["token"], {"lesson_id": lesson["id"]})
    listed = lessons(api)[0]
    assert [r["name"] for r in listed["registrations"]] == ["S3"] and listed["waitlist"] == []


def test_waitlisted_student_may_leave_the_line_after_the_window(api, clock):
    a, b = people(api, 2)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(a["token"], {"lesson_id": lesson["id"]})
    api.register(b["token"], {"lesson_id": lesson["id"]})
    clock.set(clock.now.replace(day=26, hour=18))  # window closed, lesson not started
    left = api.cancel(b["token"], {"lesson_id": lesson["id"]})
    assert left.json == {"registered": False, "waitlisted": False, "lesson_id": lesson["id"],
                         "credits_available": 2, "expired_on_return": 0}
    assert lessons(api)[0]["waitlist"] == []


def test_after_the_window_a_freed_place_promotes_nobody(api, clock):
    a, b = people(api, 2)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(a["token"], {"lesson_id": lesson["id"]})
    api.register(b["token"], {"lesson_id": lesson["id"]})
    clock.set(clock.now.replace(day=26, hour=18))
    api.admin("cancelRegistration", {"student_id": a["id"], "lesson_id": lesson["id"]})
    listed = lessons(api)[0]
    assert listed["registrations"] == [] and [w["name"] for w in listed["waitlist"]] == ["S2"]


def test_raising_capacity_promotes_and_lowering_below_registered_is_refused(api):
    a, b, c = people(api, 3)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    for s in (a, b, c):
        api.register(s["token"], {"lesson_id": lesson["id"]})
    raised = api.admin("setCapacity", {"lesson_id": lesson["id"], "capacity": 2})
    assert raised.status_code == 200
    assert (raised.json["lesson"]["registered_count"], raised.json["lesson"]["waitlist_count"]) == (2, 1)
    low = api.admin("setCapacity", {"lesson_id": lesson["id"], "capacity": 1})
    assert low.status_code == 409 and low.json["error"] == "CAPACITY_TOO_LOW"
    unlimited = api.admin("setCapacity", {"lesson_id": lesson["id"], "capacity": None})
    assert unlimited.json["lesson"]["registered_count"] == 3


def test_role_balance_lets_a_follower_pass_and_then_promotes_the_leader(api):
    l1, l2, f1 = people(api, 3)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "role_balance": 1}).json["lesson"]
    assert api.register(l1["token"], {"lesson_id": lesson["id"], "role": "leader"}).json["registered"]
    waiting = api.register(l2["token"], {"lesson_id": lesson["id"], "role": "leader"}).json
    assert waiting["waitlisted"] is True and waiting["position"] == 1
    assert api.register(f1["token"], {"lesson_id": lesson["id"], "role": "follower"}).json["registered"]
    listed = lessons(api)[0]
    assert sorted((r["name"], r["role"]) for r in listed["registrations"]) == [
        ("S1", "leader"), ("S2", "leader"), ("S3", "follower")]
    # the role of the previous registration is the default
    second = api.admin("addLesson", {"starts_at": MONDAY, "role_balance": 1}).json["lesson"]
    api.register(l1["token"], {"lesson_id": second["id"]})
    again = api.register(l2["token"], {"lesson_id": second["id"]}).json
    assert again["waitlisted"] is True


def test_calendar_keeps_a_cancelled_lesson_marked_cancelled(api):
    ana, = people(api, 1)
    lesson = api.lesson(THURSDAY)
    api.register(ana["token"])
    api.admin("cancelLesson", {"lesson_id": lesson["id"]})
    feed = api.client.simulate_get("/calendar.ics", query_string=f"t={ana['token']}").text
    assert f"UID:lesson-{lesson['id']}-" in feed and "STATUS:CANCELLED" in feed


def test_cancelling_a_cancelled_lesson_is_lesson_cleared(api):
    lesson = api.lesson(THURSDAY)
    api.admin("cancelLesson", {"lesson_id": lesson["id"]})
    again = api.admin("cancelLesson", {"lesson_id": lesson["id"]})
    assert again.status_code == 409 and again.json["error"] == "LESSON_CLEARED"
