"""Contract part 2, "Attendance, walk-ins, closures"."""

import pytest

from tests.e2e.test_week_lessons import THURSDAY, lessons, people

pytestmark = pytest.mark.backends("server", "worker")


def test_clearing_with_a_no_show_keeps_credits_consumed_and_shows_who_came(api, clock):
    a, b = people(api, 2)
    lesson = api.lesson(THURSDAY)
    api.register(a["token"])
    api.register(b["token"])
    clock.set(clock.now.replace(day=26, hour=21))
    result = api.admin("clearRegistrations", {"lesson_id": lesson["id"], "no_shows": [b["id"]]})
    assert result.json == {"lesson_id": lesson["id"], "cleared": 2, "attended": 1, "no_shows": 1}
    past = lessons(api)[0]
    assert past["status"] == "cleared"
    assert [(r["name"], r["attendance"]) for r in past["registrations"]] == [
        ("S1", "attended"), ("S2", "no_show")]
    assert api.status(b["token"]).json["credits_available"] == 1


def test_a_no_show_who_was_not_registered_is_refused(api, clock):
    a, b = people(api, 2)
    lesson = api.lesson(THURSDAY)
    api.register(a["token"])
    clock.set(clock.now.replace(day=26, hour=21))
    result = api.admin("clearRegistrations", {"lesson_id": lesson["id"], "no_shows": [b["id"]]})
    assert result.status_code == 400 and result.json["error"] == "VALIDATION_ERROR"
    assert lessons(api)[0]["status"] == "scheduled"


def test_the_teacher_registers_a_walk_in_after_the_start_and_over_capacity(api, clock):
    a, b = people(api, 2)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(a["token"], {"lesson_id": lesson["id"]})
    clock.set(clock.now.replace(day=26, hour=19, minute=10))  # class has started
    walk_in = api.admin("registerStudent", {"student_id": b["id"], "lesson_id": lesson["id"]})
    assert walk_in.status_code == 200, walk_in.text
    assert walk_in.json == {"registered": True, "lesson_id": lesson["id"], "consumed_lot_id": 2,
                            "credits_available": 1}
    listed = lessons(api)[0]
    assert listed["registered_count"] == 2 and listed["capacity"] == 1
    assert [r["registered_by"] for r in listed["registrations"]] == ["student", "teacher"]
    ledger = api.status(b["token"], "&ledger").json["ledger"]
    assert ledger[-1]["actor"] == "teacher" and ledger[-1]["lesson_starts_at"] == THURSDAY
    again = api.admin("registerStudent", {"student_id": b["id"], "lesson_id": lesson["id"]})
    assert again.json == walk_in.json  # idempotent, nothing more taken


def test_over_capacity_walk_ins_never_show_negative_spots(api, clock):
    a, b = people(api, 2)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(a["token"], {"lesson_id": lesson["id"]})
    api.admin("registerStudent", {"student_id": b["id"], "lesson_id": lesson["id"]})
    assert api.status(a["token"]).json["lessons"][0]["spots_left"] == 0


def test_registering_a_student_without_credit_is_no_credits(api):
    bea = api.add_student("Bea")
    api.lesson(THURSDAY)
    result = api.admin("registerStudent", {"student_id": bea["id"]})
    assert result.status_code == 409 and result.json["error"] == "NO_CREDITS"


def test_a_closure_spanning_a_month_end_cancels_refunds_and_extends(api, clock):
    a, = people(api, 1)
    made = api.admin("addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23"}).json
    in_closure = [x for x in made["lessons"] if "2026-12-24" <= x["starts_at"][:10] <= "2027-01-02"]
    api.register(a["token"], {"lesson_id": in_closure[0]["id"]})
    lot_before = api.status(a["token"]).json["lots"][0]["expires_at"]
    result = api.admin("addClosure", {"from": "2026-12-24", "to": "2027-01-02",
                                      "reason": "Holidays", "extend_passes": True})
    assert result.status_code == 200, result.text
    assert result.json == {
        "closure": {"id": 1, "from": "2026-12-24", "to": "2027-01-02", "reason": "Holidays"},
        "cancelled_lessons": 2, "refunded": 1, "expired_on_return": 0, "extended_lots": 1,
    }
    status = api.status(a["token"], "&ledger").json
    assert status["lots"][0]["expires_at"] == "2027-01-02T10:00:00Z" != lot_before  # +10 days
    cancel, extend = status["ledger"][-2:]
    assert (cancel["type"], cancel["note"]) == ("CANCEL", "Holidays")
    assert extend["type"] == "EXTEND" and extend["note"].startswith("Holidays (+10 days")
    # a series added later, and later dates of the running one, skip the closed dates
    later = api.admin("addSeries", {"weekday": 5, "time": "18:00", "starts_on": "2026-11-23"}).json
    assert not [x for x in later["lessons"] if "2026-12-24" <= x["starts_at"][:10] <= "2027-01-02"]
    clock.advance(days=14)
    dates = [x["starts_at"][:10] for x in lessons(api) if x["status"] == "scheduled"]
    assert not [d for d in dates if "2026-12-24" <= d <= "2027-01-02"]


def test_a_closure_can_be_recorded_afterwards_for_sick_days(api, clock):
    a, = people(api, 1)
    lesson = api.lesson(THURSDAY)
    api.register(a["token"])
    clock.set(clock.now.replace(day=27))
    result = api.admin("addClosure", {"from": "2026-11-26", "to": "2026-11-26",
                                      "reason": "Sick", "extend_passes": False})
    assert result.json["cancelled_lessons"] == 1 and result.json["refunded"] == 1
    assert result.json["extended_lots"] == 0
    assert lessons(api)[0]["status"] == "cancelled" and lessons(api)[0]["id"] == lesson["id"]


def test_the_report_and_the_student_page_count_attendance_and_no_shows(api, clock):
    a, b, c = people(api, 3)
    lesson = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 2}).json["lesson"]
    for s in (a, b, c):
        api.register(s["token"], {"lesson_id": lesson["id"]})
    clock.set(clock.now.replace(day=26, hour=21))
    api.admin("clearRegistrations", {"lesson_id": lesson["id"], "no_shows": [b["id"]]})
    report = api.admin_get("/admin/report?month=2026-11").json
    assert (report["lessons_held"], report["credits_used"], report["attendances"], report["no_shows"]) == (1, 2, 1, 1)
    page = api.admin_get(f"/admin/student?student_id={b['id']}").json
    assert [(x["id"], x["attendance"], x["waitlisted"]) for x in page["lessons"]] == [(lesson["id"], "no_show", False)]


def test_archiving_a_student_frees_their_place_and_their_place_in_line(api):
    a, b, c = people(api, 3)
    full = api.admin("addLesson", {"starts_at": THURSDAY, "capacity": 1}).json["lesson"]
    api.register(a["token"], {"lesson_id": full["id"]})
    api.register(b["token"], {"lesson_id": full["id"]})
    api.register(c["token"], {"lesson_id": full["id"]})
    assert api.admin_get(f"/admin/student?student_id={c['id']}").json["lessons"][0]["waitlisted"] is True
    result = api.admin("archiveStudent", {"student_id": a["id"], "archived": True})
    assert result.json["refunded"] == 1
    listed = lessons(api)[0]
    assert [r["name"] for r in listed["registrations"]] == ["S2"]  # promoted at once
    api.admin("archiveStudent", {"student_id": c["id"], "archived": True})
    assert lessons(api)[0]["waitlist"] == []
