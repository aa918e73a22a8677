"""Kill -9 under a write storm, several times: nothing acknowledged is lost, nothing is half-written.

SQLite runs in WAL mode with synchronous=FULL (projections/storage/sqlite.py): a
command is acknowledged only after its transaction (events, projections and the
idempotency answer together) has committed. The same storm runs against
PostgreSQL (the server killed is Tango Pass; the database's backends see their
clients vanish and roll back).
"""

import http.client
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.db import is_postgres, rows
from tests.support.invariants import (
    assert_rebuild_matches,
    check_lessons_match_registrations,
    check_ledger_invariants,
)
from tests.support.server import kill_hard, start_server

pytestmark = pytest.mark.slow
BOTH_STORES = True

ROUNDS = 4


def future(days: int) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Storm:
    """Client threads writing as fast as they can, remembering what was acknowledged."""

    def __init__(self, server, students, lessons, seed):
        self.server = server
        self.students = students
        self.lessons = lessons
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.acked_purchases: list[tuple[str, dict]] = []
        self.acked_moves: list[tuple[int, str, dict]] = []
        self.acked_students: list[dict] = []
        self.unexpected: list = []  # answers other than success or a contract 409
        self.lock = threading.Lock()

    def run(self, threads: int = 12) -> list[threading.Thread]:
        workers = [threading.Thread(target=self._loop, args=(i,), daemon=True) for i in range(threads)]
        for worker in workers:
            worker.start()
        return workers

    def _loop(self, n: int) -> None:
        rng = random.Random(self.random.random())
        while not self.stop.is_set():
            student = rng.choice(self.students)
            roll = rng.random()
            try:
                if roll < 0.2:
                    key = f"buy-{n}-{rng.getrandbits(64)}"
                    reply = self.server.admin("addPurchase", {
                        "student_id": student["id"], "credits": rng.randint(1, 5),
                        "validity_months": 3}, **{"Idempotency-Key": key})
                    if reply.status == 201:
                        with self.lock:
                            self.acked_purchases.append((key, reply.body))
                    else:
                        self.unexpected.append(reply)
                elif roll < 0.25:
                    reply = self.server.admin("addStudent", {"name": f"late-{n}-{rng.getrandbits(20)}"})
                    if reply.status == 201:
                        with self.lock:
                            self.acked_students.append(reply.body)
                    else:
                        self.unexpected.append(reply)
                else:
                    action = rng.choice(["register", "cancel"])
                    lesson_id = rng.choice(self.lessons)
                    reply = self.server.request(
                        "POST", f"/{action}?t={student['token']}", {"lesson_id": lesson_id}, timeout=5)
                    if reply.status == 200:
                        with self.lock:
                            self.acked_moves.append((student["id"], action, reply.body))
                    elif reply.status != 409:
                        self.unexpected.append(reply)
            except (OSError, http.client.HTTPException):
                time.sleep(0.01)  # the server died mid-answer: not acknowledged, fine


def test_sigkill_during_a_write_storm_loses_nothing_acknowledged(db_path, tmp_path):
    server = start_server(db_path, workers=2)
    students = [server.admin("addStudent", {"name": f"S{i}"}).body for i in range(8)]
    for student in students:
        server.admin("addPurchase", {"student_id": student["id"], "credits": 20, "validity_months": 3})
    lessons = [server.admin("setNextLesson", {"starts_at": future(d)}).body["lesson"]["id"]
               for d in (2, 3, 4)]
    chooser = random.Random(2026)
    storms = []
    for round_number in range(ROUNDS):
        storm = Storm(server, students, lessons, seed=round_number)
        threads = storm.run()
        time.sleep(chooser.uniform(0.5, 1.5))
        kill_hard(server)  # mid-flight: some requests are half-way through a command
        storm.stop.set()
        for thread in threads:
            thread.join(timeout=10)
        storms.append(storm)
        server = start_server(db_path, workers=2, port=server.port)
    try:
        assert "Traceback" not in server.log()
    finally:
        kill_hard(server)

    assert [s.unexpected for s in storms] == [[]] * ROUNDS
    acked = sum(len(s.acked_purchases) + len(s.acked_moves) for s in storms)
    assert acked > 50, "the storm did not get going"
    for storm in storms:
        for key, body in storm.acked_purchases:
            lot = body["lot"]
            assert rows(db_path, "SELECT credits_total FROM lots WHERE id = ?", (lot["id"],)) == [
                (lot["credits_total"],)], key
            assert rows(db_path, "SELECT COUNT(*) FROM idempotency_keys WHERE key = ?", (key,)) == [(1,)]
        for student in storm.acked_students:
            assert rows(db_path, "SELECT name FROM students WHERE id = ?", (student["id"],)) == [
                (student["name"],)]
        for student_id, action, body in storm.acked_moves:
            if action == "register":
                assert _registered(db_path, student_id, body), (student_id, body)
    check_ledger_invariants(db_path)
    check_lessons_match_registrations(db_path)
    assert_rebuild_matches(db_path, tmp_path)
    if not is_postgres(db_path):
        assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def _registered(db_path: str, student_id: int, body: dict) -> bool:
    """The REGISTER entry behind an acknowledged registration exists (a repeat writes none)."""
    return bool(rows(
        db_path, "SELECT 1 FROM ledger_events WHERE student_id = ? AND ref_lesson_id = ?"
        " AND ref_lot_id = ? AND type = 'REGISTER'",
        (student_id, body["lesson_id"], body["consumed_lot_id"])))
