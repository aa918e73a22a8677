"""Hundreds of concurrent clients against several workers, for a bounded time.

Zero errors other than the contract's 409s; busy or locked database conditions
are retried inside the server and never reach a client; invariants hold after.
"""

import http.client
import json
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api import ADMIN_TOKEN
from tests.support.invariants import (
    assert_rebuild_matches,
    check_lessons_match_registrations,
    check_ledger_invariants,
)
from tests.support.server import running_server

pytestmark = pytest.mark.slow

CLIENTS = 200
SECONDS = 8
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}


def future(days: int) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Client(threading.Thread):
    """One keep-alive connection issuing a random mix until the deadline."""

    def __init__(self, port, students, lessons, deadline, seed):
        super().__init__(daemon=True)
        self.port, self.students, self.lessons = port, students, lessons
        self.deadline, self.rng = deadline, random.Random(seed)
        self.outcomes: Counter = Counter()
        self.failures: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < self.deadline:
            method, path, body, headers = self._next()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = json.loads(response.read())
            except (OSError, http.client.HTTPException, ValueError) as ex:
                self.failures.append(f"{method} {path.split('?')[0]}: {ex!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            self.outcomes[(response.status, payload.get("error") if isinstance(payload, dict) else None)] += 1
        conn.close()

    def _next(self):
        student = self.rng.choice(self.students)
        lesson = self.rng.choice(self.lessons)
        roll = self.rng.random()
        token = student["token"]
        if roll < 0.45:
            return "GET", f"/status?t={token}", None, {}
        if roll < 0.65:
            return "POST", f"/register?t={token}", json.dumps({"lesson_id": lesson}), {"Content-Type": "application/json"}
        if roll < 0.80:
            return "POST", f"/cancel?t={token}", json.dumps({"lesson_id": lesson}), {"Content-Type": "application/json"}
        if roll < 0.85:
            return "GET", f"/status?t={token}&ledger=all", None, {}
        if roll < 0.90:
            body = {"student_id": student["id"], "credits": 1, "validity_months": 1}
            return "POST", "/admin/addPurchase", json.dumps(body), ADMIN
        if roll < 0.95:
            body = {"student_id": student["id"], "lesson_id": lesson}
            return "POST", "/admin/cancelRegistration", json.dumps(body), ADMIN
        return "GET", "/admin/list", None, ADMIN


def test_hundreds_of_clients_get_only_contract_answers(db_path, tmp_path):
    with running_server(db_path, workers=3, threads=16) as server:
        students = [server.admin("addStudent", {"name": f"S{i}"}).body for i in range(30)]
        for student in students:
            server.admin("addPurchase", {"student_id": student["id"], "credits": 5, "validity_months": 1})
        lessons = [server.admin("setNextLesson", {"starts_at": future(d)}).body["lesson"]["id"]
                   for d in (2, 3, 4)]
        deadline = time.monotonic() + SECONDS
        clients = [Client(server.port, students, lessons, deadline, seed) for seed in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=SECONDS + 120)
        log = server.log()

    outcomes = sum((c.outcomes for c in clients), Counter())
    failures = [f for c in clients for f in c.failures]
    print(f"\n{sum(outcomes.values())} answers from {CLIENTS} clients in {SECONDS} s: {dict(outcomes)}")
    assert not failures, failures[:5]
    assert set(outcomes) <= {(200, None), (201, None), (409, "NO_CREDITS")}, outcomes
    assert sum(outcomes.values()) > CLIENTS  # every client got answers
    assert "Traceback" not in log and "database is locked" not in log
    check_ledger_invariants(db_path)
    check_lessons_match_registrations(db_path)
    assert_rebuild_matches(db_path, tmp_path)
