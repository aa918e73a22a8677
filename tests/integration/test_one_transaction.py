"""On SQLite, a command is exactly one BEGIN IMMEDIATE ... COMMIT (statements traced)."""

import pytest


@pytest.fixture
def ana(api) -> dict:
    student = api.add_student("Ana")
    api.buy(student["id"], credits=3)
    api.lesson("2026-11-30T19:00:00Z")
    return student


def test_a_register_is_one_transaction_with_one_commit(ctx, ana, db_path):
    store = ctx.ledger.events.store
    seen: list[str] = []
    store.connection().set_trace_callback(seen.append)
    try:
        ctx.ledger.register(ana["id"], None, ctx.clock())
    finally:
        store.connection().set_trace_callback(None)

    words = [s.split()[0].upper() for s in seen]
    assert words.count("BEGIN") == 1 and words.count("COMMIT") == 1
    assert seen[0] == "BEGIN IMMEDIATE"  # the write lock before anything is read
    assert "ROLLBACK" not in words
