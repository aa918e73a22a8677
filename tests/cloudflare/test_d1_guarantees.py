"""The Worker's D1 store holds the server's guarantees: no double spend across isolates,
all-or-nothing batches, append-only history, and the free plan's per-request limits."""

from __future__ import annotations

import pytest

from tests.support.api import ADMIN_TOKEN
from tests.support.db import fingerprint, rows

LESSON_AT = "2026-11-24T19:00:00Z"


def _student_with_credits(api, credits: int = 1) -> dict:
    student = api.add_student("Ana")
    api.buy(student["id"], credits=credits)
    return student


def test_parallel_registers_from_two_isolates_take_one_credit(api, db_path):
    lesson = api.lesson(LESSON_AT)
    ana = _student_with_credits(api, credits=2)
    for _ in range(3):  # several rounds: the race must hold whoever wins it
        path = f"/register?t={ana['token']}"
        first, second = api.client.concurrently([
            ("POST", "/register", {"query_string": f"t={ana['token']}", "isolate": 0}),
            ("POST", "/register", {"query_string": f"t={ana['token']}", "isolate": 1}),
        ])
        assert first.status_code == second.status_code == 200, (first.text, second.text, path)
        assert first.json == second.json
        assert first.json["credits_available"] == 1
    assert rows(db_path, "SELECT type FROM ledger_events WHERE type = 'REGISTER'") == [("REGISTER",)]
    assert rows(db_path, "SELECT lesson_id, status FROM registrations") == [(lesson["id"], "open")]


def test_parallel_purchases_from_two_isolates_both_land_with_distinct_lots(api, db_path):
    ana = api.add_student("Ana")
    body = {"student_id": ana["id"], "credits": 5, "validity_months": 1}
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    answers = api.client.concurrently([
        ("POST", "/admin/addPurchase", {"json_body": body, "headers": headers, "isolate": 0}),
        ("POST", "/admin/addPurchase", {"json_body": body, "headers": headers, "isolate": 1}),
    ])
    assert [a.status_code for a in answers] == [201, 201]
    assert sorted(a.json["lot"]["id"] for a in answers) == [1, 2]
    assert rows(db_path, "SELECT SUM(credits_remaining) FROM lots") == [(10,)]
    assert api.status(ana["token"]).json["credits_available"] == 10


def test_a_version_conflict_rolls_back_the_whole_batch(api, db_path):
    """A batch whose event collides adds nothing: no projection row, no chain link."""
    ana = _student_with_credits(api)
    before = fingerprint(db_path)
    harness = db_path.harness
    taken = harness.sql("SELECT originator_id, originator_version FROM stored_events LIMIT 1")[0]
    batch = [
        ["INSERT INTO event_hash_chain (notification_id, link) VALUES (?, ?)", [999, "00" * 32]],
        ["INSERT INTO ledger_events (student_id, seq, ts, type, delta_credits, balance_after,"
         " actor, recorded_at) VALUES (?, 99, 't', 'ADJUST', 1, 2, 'teacher', 't')", [ana["id"]]],
        ["INSERT INTO stored_events (originator_id, originator_version, topic, state)"
         " VALUES (?, ?, 'x', X'00')", [taken["originator_id"], taken["originator_version"]]],
    ]
    with pytest.raises(RuntimeError, match="append-only|UNIQUE"):
        harness.call(op="sql", batch=batch)
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("statement", [
    "UPDATE stored_events SET topic = 'x'",
    "DELETE FROM stored_events",
    "UPDATE ledger_events SET delta_credits = 100",
    "DELETE FROM ledger_events",
    "UPDATE event_hash_chain SET link = 'x'",
    "DELETE FROM event_hash_chain",
])
def test_the_history_is_append_only_on_d1(api, db_path, statement):
    _student_with_credits(api)
    before = fingerprint(db_path)
    with pytest.raises(RuntimeError, match="append-only"):
        db_path.harness.sql(statement)
    assert fingerprint(db_path) == before


def test_the_event_store_holds_the_same_bytes_as_the_servers(api, db_path):
    """The library's mapper wrote them: the server's replay reads them back unchanged."""
    ana = _student_with_credits(api, credits=3)
    api.lesson(LESSON_AT)
    assert api.register(ana["token"]).status_code == 200
    stored = db_path.harness.sql(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")
    from tangopass.projections.chain import GENESIS, links

    chain = [(r["rowid"], r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
             for r in stored]
    expected = [(nid, link.hex()) for nid, link in links(chain, GENESIS)]
    assert rows(db_path, "SELECT notification_id, link FROM event_hash_chain ORDER BY notification_id") \
        == expected
    assert all(b'"' in bytes(r["state"]) for r in stored)  # JSON, as the server stores


@pytest.mark.parametrize("students", [20])
def test_extending_every_students_lots_stays_within_the_free_plan(api, students):
    for n in range(students):
        _student_with_credits(api, credits=2)
    answer = api.admin("extendValidity", {"days": 7})  # the client fails it over 50 queries
    assert answer.status_code == 200, answer.text
    assert answer.json == {"extended_lots": students}
    print(f"\nextendValidity over {students} students: {answer.cost}")
