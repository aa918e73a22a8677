"""Requests really in parallel, against a real server with several worker processes."""

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.db import rows
from tests.support.invariants import assert_rebuild_matches, check_ledger_invariants
from tests.support.server import running_server

pytestmark = pytest.mark.slow


def soon(days: int) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(params=["1", "0"], ids=["lock-file", "version-check-only"])
def server(db_path, request):
    # Also without the cross-worker lock file: then only the event store's
    # version check keeps concurrent workers from double-spending.
    env = {"TANGOPASS_COMMAND_LOCK": request.param}
    with running_server(db_path, workers=3, threads=8, env=env) as live:
        yield live
    assert "Traceback" not in live.log()


def parallel(calls, workers: int = 32):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_dozens_of_parallel_registers_with_one_credit_make_one_registration(server, db_path):
    ana = server.admin("addStudent", {"name": "Ana"}).body
    server.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 1})
    first = server.admin("setNextLesson", {"starts_at": soon(2)}).body["lesson"]["id"]
    second = server.admin("setNextLesson", {"starts_at": soon(3)}).body["lesson"]["id"]

    def register(lesson_id):
        return lambda: server.request("POST", f"/register?t={ana['token']}", {"lesson_id": lesson_id})

    replies = parallel([register(first if i % 2 else second) for i in range(48)])

    outcomes = Counter((r.status, r.body.get("error") or r.body["lesson_id"]) for r in replies)
    winners = [key for key in outcomes if key[0] == 200]
    assert len(winners) == 1, outcomes  # one lesson got the credit, every twin saw the same
    assert outcomes[(409, "NO_CREDITS")] == 48 - outcomes[winners[0]]
    assert rows(db_path, "SELECT COUNT(*) FROM ledger_events WHERE type = 'REGISTER'") == [(1,)]
    assert rows(db_path, "SELECT credits_available FROM students") == [(0,)]
    assert rows(db_path, "SELECT credits_remaining FROM lots") == [(0,)]


def test_parallel_idempotent_purchases_record_one_lot(server, db_path):
    ana = server.admin("addStudent", {"name": "Ana"}).body
    body = {"student_id": ana["id"], "credits": 5, "validity_months": 1}

    replies = parallel([lambda: server.admin("addPurchase", body, **{"Idempotency-Key": "same"})
                        for _ in range(24)])

    assert {r.status for r in replies} == {201}
    assert len({r.body["lot"]["id"] for r in replies}) == 1
    assert rows(db_path, "SELECT COUNT(*), SUM(credits_total) FROM lots") == [(1, 5)]


def test_a_mixed_storm_keeps_every_invariant(server, db_path, tmp_path):
    students = [server.admin("addStudent", {"name": f"S{i}"}).body for i in range(12)]
    for student in students:
        server.admin("addPurchase", {"student_id": student["id"], "credits": 3, "validity_months": 1})
    lessons = [server.admin("setNextLesson", {"starts_at": soon(d)}).body["lesson"]["id"] for d in (2, 3, 4)]
    chooser = random.Random(7)

    def call():
        student = chooser.choice(students)
        action = chooser.choice(["register", "register", "cancel", "status", "teacher"])
        lesson = {"lesson_id": chooser.choice(lessons)}
        token = student["token"]
        if action == "status":
            return server.request("GET", f"/status?t={token}&ledger=all")
        if action == "teacher":
            return server.admin("cancelRegistration", {"student_id": student["id"], **lesson})
        return server.request("POST", f"/{action}?t={token}", lesson)

    replies = parallel([call for _ in range(400)])

    statuses = Counter(r.status for r in replies)
    assert set(statuses) <= {200, 409}, statuses
    assert {r.body["error"] for r in replies if r.status == 409} <= {"NO_CREDITS"}
    check_ledger_invariants(db_path)
    assert_rebuild_matches(db_path, tmp_path)
