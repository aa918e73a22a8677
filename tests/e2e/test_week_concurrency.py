"""The week under real parallel load: several worker processes, one SQLite file."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import StoredEvent

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import Terms
from tangopass.ledger.lesson import Lesson
from tangopass.projections.queries import Queries
from tangopass.projections.storage.codec import mapper
from tangopass.projections.storage.stores import migrate as apply_schema
from tests.support.db import rows
from tests.support.invariants import assert_rebuild_matches, check_ledger_invariants
from tests.support.server import running_server

pytestmark = pytest.mark.slow


def soon(days: int) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(params=["1", "0"], ids=["lock-file", "version-check-only"])
def lock(request):
    return {"TANGOPASS_COMMAND_LOCK": request.param}


def parallel(calls, workers: int = 32):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def students_with_credit(server, n, credits=1):
    students = [server.admin("addStudent", {"name": f"S{i:02d}"}).body for i in range(n)]
    for s in students:
        server.admin("addPurchase", {"student_id": s["id"], "credits": credits, "validity_months": 1})
    return students


def test_workers_making_the_same_series_lessons_at_once_make_each_once(db_path, lock):
    # Two series set up three weeks ago: today the horizon covers dates nobody made yet.
    apply_schema(db_path)
    app = open_ledger(db_path, Terms(ZoneInfo("UTC")), Queries(db_path))
    then = datetime.now(UTC).replace(microsecond=0) - timedelta(days=21)
    for weekday in (2, 5):
        app.add_series(weekday=weekday, wall="19:00", starts_on=then.date(), ends_on=None,
                       title=None, capacity=None, role_balance=None, now=then)
    app.close()
    before = rows(db_path, "SELECT COUNT(*) FROM lesson_events")[0][0]

    with running_server(db_path, workers=3, threads=8, env=lock) as server:
        replies = parallel([lambda: server.request("GET", "/admin/lessons", headers={
            "Authorization": "Bearer test-admin-token-0123456789"}) for _ in range(48)])
        assert {r.status for r in replies} == {200}
        assert "Traceback" not in server.log()

    made = rows(db_path, "SELECT series_id, starts_at, COUNT(*) FROM lesson_events"
                         " GROUP BY series_id, starts_at")
    assert rows(db_path, "SELECT COUNT(*) FROM lesson_events")[0][0] > before
    assert all(count == 1 for _, _, count in made), made
    horizon = soon(56)
    for series_id in (1, 2):
        ahead = [s for sid, s, _ in made if sid == series_id and soon(0) < s < horizon]
        assert len(ahead) == 8, (series_id, ahead)
    ids = rows(db_path, "SELECT id FROM lesson_events ORDER BY id")
    assert [i for (i,) in ids] == list(range(1, len(ids) + 1))  # numbers never collide


def test_thirty_parallel_registers_for_ten_places_register_ten_and_queue_the_rest(db_path, lock):
    with running_server(db_path, workers=3, threads=8, env=lock) as server:
        students = students_with_credit(server, 30)
        lesson = server.admin("addLesson", {"starts_at": soon(3), "capacity": 10}).body["lesson"]

        replies = parallel([
            (lambda s=s: server.request("POST", f"/register?t={s['token']}", {"lesson_id": lesson["id"]}))
            for s in students
        ])
        listed = server.request("GET", "/admin/lessons", headers={
            "Authorization": "Bearer test-admin-token-0123456789"}).body["lessons"][0]
        assert "Traceback" not in server.log()

    assert {r.status for r in replies} == {200}
    registered = [r.body for r in replies if r.body["registered"]]
    waiting = sorted((r.body for r in replies if r.body.get("waitlisted")), key=lambda b: b["position"])
    assert len(registered) == 10 and len(waiting) == 20
    assert [b["position"] for b in waiting] == list(range(1, 21))
    assert all(b["credits_available"] == 1 for b in waiting)  # a place in line takes no credit
    by_token = {s["id"]: s for s in students}
    line = [by_token[w["student_id"]]["name"] for w in listed["waitlist"]]
    assert len(line) == 20 and listed["registered_count"] == 10
    answered = {}
    for reply, student in zip(replies, students):
        if reply.body.get("waitlisted"):
            answered[reply.body["position"]] = student["name"]
    assert line == [answered[p] for p in range(1, 21)]  # the line is the order they were told
    assert rows(db_path, "SELECT COUNT(*) FROM ledger_events WHERE type = 'REGISTER'") == [(10,)]


def fits_at_every_step(db_path: str, lesson_id: int) -> None:
    """Replay the lesson's own events: no student's registration or promotion ever took
    it over its capacity or balance (only the teacher's may)."""
    decode = mapper().to_domain_event
    lesson = None
    for version, topic, state in rows(
        db_path, "SELECT originator_version, topic, state FROM stored_events"
        " WHERE originator_id = ? ORDER BY originator_version",
        (Lesson.create_id(lesson_id).hex,),
    ):
        event = decode(StoredEvent(Lesson.create_id(lesson_id), version, topic, bytes(state)))
        if isinstance(event, Lesson.AttendeeAdded) and event.by != "teacher":
            assert lesson.fits(event.role), (event, lesson.attendees, lesson.roles)
        lesson = event.mutate(lesson)
    assert lesson.capacity is None or len(lesson.attendees) <= lesson.capacity


def test_a_storm_of_cancels_promotes_within_capacity_and_balance(db_path, lock, tmp_path):
    with running_server(db_path, workers=3, threads=8, env=lock) as server:
        students = students_with_credit(server, 30, credits=2)
        lesson = server.admin("addLesson", {"starts_at": soon(3), "capacity": 10,
                                            "role_balance": 1}).body["lesson"]
        roles = {s["id"]: ("leader" if i % 3 else "follower") for i, s in enumerate(students)}
        for s in students:
            server.request("POST", f"/register?t={s['token']}",
                           {"lesson_id": lesson["id"], "role": roles[s["id"]]})

        def storm(i):
            s = students[i % 30]
            if i % 4 == 3:
                return server.admin("cancelRegistration", {"student_id": s["id"], "lesson_id": lesson["id"]})
            path = "/cancel" if i % 4 in (0, 1) else "/register"
            return server.request("POST", f"{path}?t={s['token']}", {"lesson_id": lesson["id"]})

        replies = parallel([lambda i=i: storm(i) for i in range(120)])
        assert "Traceback" not in server.log()

    assert Counter(r.status for r in replies).keys() <= {200}, Counter(r.body.get("error") for r in replies)
    fits_at_every_step(db_path, lesson["id"])
    check_ledger_invariants(db_path)
    promoted = rows(db_path, "SELECT COUNT(*) FROM ledger_events WHERE actor = 'system'"
                             " AND type = 'REGISTER'")[0][0]
    assert promoted > 0
    # every credit held for the lesson is a ledger REGISTER not yet given back, and vice versa
    held = rows(db_path, "SELECT COUNT(*) FROM lesson_roster WHERE lesson_id = ? AND status = 'registered'",
                (lesson["id"],))[0][0]
    net = rows(db_path, "SELECT SUM(-delta_credits) FROM ledger_events WHERE ref_lesson_id = ?"
                        " AND type IN ('REGISTER', 'CANCEL')", (lesson["id"],))[0][0]
    assert held == net <= 10
    waiting_with_credit = rows(db_path, "SELECT COUNT(*) FROM lesson_waitlist w JOIN lesson_roster r"
                               " ON r.lesson_id = w.lesson_id AND r.student_id = w.student_id"
                               " WHERE r.status = 'registered'")[0][0]
    assert waiting_with_credit == 0  # nobody both waits and holds a place
    assert_rebuild_matches(db_path, tmp_path)
