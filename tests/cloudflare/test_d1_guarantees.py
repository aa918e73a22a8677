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
    retries = 0
    for _ in range(3):  # several rounds: the race must hold whoever wins it
        path = f"/register?t={ana['token']}"
        first, second = api.client.concurrently([
            ("POST", "/register", {"query_string": f"t={ana['token']}", "isolate": 0}),
            ("POST", "/register", {"query_string": f"t={ana['token']}", "isolate": 1}),
        ])
        assert first.status_code == second.status_code == 200, (first.text, second.text, path)
        assert first.json == second.json
        assert first.json["credits_available"] == 1
        retries += first.cost.retries + second.cost.retries
    assert rows(db_path, "SELECT type FROM ledger_events WHERE type = 'REGISTER'") == [("REGISTER",)]
    assert rows(db_path, "SELECT lesson_id, status FROM registrations") == [(lesson["id"], "open")]
    # Whether these free races collided depends on scheduling: shown, not asserted
    # (the gated tests below make the collision certain).
    print(f"\nfree register races: {retries} retries")


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
    print(f"\nfree purchase race: {sum(a.cost.retries for a in answers)} retries")


def _late_batch(api, db_path, method: str, path: str, **kwargs) -> tuple[dict, object, list[str]]:
    """Send a request on isolate 0 that reads and decides, then waits before its first batch.

    Returns the message, its pending answer and the SQL of the batch it holds
    (see the gate ops of harness.mjs). Its retry's batch is held too (``hold=2``).
    """
    message = api.client.message(method, path, isolate=0, gate="late", hold=2, **kwargs)
    pending = db_path.harness.send(message)
    return message, pending, db_path.harness.held("late")


def _tables(sql: list[str]) -> set[str]:
    return {statement.split()[2] for statement in sql if statement.startswith("INSERT INTO")}


def test_the_adapters_colliding_batch_leaves_nothing_and_the_retry_lands(api, db_path):
    """Isolate 0 decides a purchase; isolate 1 buys first; 0's own D1Store batch collides.

    D1 refuses that batch whole (events, chain links, lot and journal rows, the
    idempotency answer): the database is exactly as isolate 1 left it. The runner
    reloads and runs the purchase again, which lands as lot 2 with its answer.
    """
    ana = api.add_student("Ana")
    harness = db_path.harness
    body = {"student_id": ana["id"], "credits": 5, "validity_months": 1}
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    late, pending, sql = _late_batch(api, db_path, "POST", "/admin/addPurchase", json_body=body,
                                     headers={**admin, "Idempotency-Key": "late-purchase"})
    assert {"stored_events", "event_hash_chain", "lots", "ledger_events",
            "idempotency_keys"} <= _tables(sql)
    first = api.client.simulate_post("/admin/addPurchase", json=body, headers=admin, isolate=1)
    assert first.status_code == 201, first.text
    after_first = fingerprint(db_path)

    harness.release("late")  # D1 refuses the stale batch whole ...
    assert harness.held("late") is not None  # ... and the retry, on fresh reads, waits here
    assert fingerprint(db_path) == after_first
    harness.release("late")
    second = api.client.result(late, pending.result(timeout=120))

    assert second.status_code == 201, second.text
    assert (second.cost.refused_batches, second.cost.retries) == (1, 1)
    assert sorted([first.json["lot"]["id"], second.json["lot"]["id"]]) == [1, 2]
    assert rows(db_path, "SELECT key FROM idempotency_keys") == [("late-purchase",)]
    replay = api.client.simulate_post("/admin/addPurchase", json=body, isolate=1,
                                      headers={**admin, "Idempotency-Key": "late-purchase"})
    assert replay.json == second.json
    assert api.status(ana["token"]).json["credits_available"] == 10
    _assert_chain_intact(db_path)


def test_a_register_that_lost_the_race_retries_and_takes_no_second_credit(api, db_path):
    """Both isolates register Ana (one credit) for one lesson; isolate 1 commits first."""
    lesson = api.lesson(LESSON_AT)
    ana = _student_with_credits(api, credits=1)
    harness = db_path.harness
    late, pending, sql = _late_batch(api, db_path, "POST", "/register",
                                     query_string=f"t={ana['token']}")
    assert {"stored_events", "event_hash_chain", "registrations"} <= _tables(sql)
    first = api.client.simulate_post("/register", query_string=f"t={ana['token']}", isolate=1)
    assert first.status_code == 200, first.text
    after_first = fingerprint(db_path)

    harness.release("late")
    if harness.held("late") is not None:  # the retry found her registered: maybe nothing to write
        harness.release("late")
    second = api.client.result(late, pending.result(timeout=120))

    assert second.status_code == 200, second.text
    assert second.json == first.json and second.json["credits_available"] == 0
    assert (second.cost.refused_batches, second.cost.retries) == (1, 1)
    assert fingerprint(db_path) == after_first
    assert rows(db_path, "SELECT type FROM ledger_events WHERE type = 'REGISTER'") == [("REGISTER",)]
    assert rows(db_path, "SELECT lesson_id, status FROM registrations") == [(lesson["id"], "open")]


def _assert_chain_intact(db_path) -> None:
    from tangopass.projections.chain import GENESIS, links

    stored = db_path.harness.sql(
        "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")
    chain = [(r["rowid"], r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
             for r in stored]
    expected = [(nid, link.hex()) for nid, link in links(chain, GENESIS)]
    assert rows(db_path, "SELECT notification_id, link FROM event_hash_chain ORDER BY notification_id") \
        == expected


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
    _assert_chain_intact(db_path)
    assert all(b'"' in bytes(r["state"]) for r in stored)  # JSON, as the server stores
