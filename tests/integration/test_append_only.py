"""The event store and the journal refuse UPDATE, DELETE and INSERT OR REPLACE."""

import sqlite3

import pytest

from tests.support.db import fingerprint


@pytest.fixture
def filled(api, db_path) -> str:
    student = api.add_student("Ana")
    api.buy(student["id"], credits=2)
    return db_path


ATTACKS = [
    "UPDATE stored_events SET state = x'00'",
    "DELETE FROM stored_events",
    "INSERT OR REPLACE INTO stored_events SELECT originator_id, originator_version, topic,"
    " x'00' FROM stored_events LIMIT 1",
    "REPLACE INTO stored_events SELECT * FROM stored_events LIMIT 1",
    "UPDATE ledger_events SET delta_credits = 100",
    "DELETE FROM ledger_events",
    "INSERT OR REPLACE INTO ledger_events SELECT id, student_id, seq, ts, type, 99,"
    " balance_after, ref_lot_id, ref_lesson_id, ref_event_id, note, actor, recorded_at"
    " FROM ledger_events LIMIT 1",
    "INSERT INTO ledger_events SELECT id + 1000, student_id, seq, ts, type, 99,"
    " balance_after, ref_lot_id, ref_lesson_id, ref_event_id, note, actor, recorded_at"
    " FROM ledger_events LIMIT 1",  # a second entry for the same (student, seq)
]


@pytest.mark.parametrize("sql", ATTACKS)
def test_history_cannot_be_rewritten_with_sql(filled, sql):
    before = fingerprint(filled)
    conn = sqlite3.connect(filled)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(sql)
    conn.rollback()
    conn.close()

    assert fingerprint(filled) == before


def test_read_models_may_be_updated_in_place(filled):
    conn = sqlite3.connect(filled)
    conn.execute("UPDATE lots SET note = 'read models are not history'")
    conn.commit()
    conn.close()
