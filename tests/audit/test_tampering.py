"""Someone with the database file drops the triggers and rewrites history: verify says so."""

from __future__ import annotations

import sqlite3

import pytest

from tangopass.projections.chain import CHAIN_TABLE
from tangopass.projections.projectors import entry_id
from tests.support.histories import busy_history
from tests.audit.helpers import (
    cli, drop_triggers, edit_state, event_rowid, execute, rechain, restore_triggers,
)
from tests.support.db import rows


@pytest.fixture
def history(api, clock, db_path) -> str:
    busy_history(api, clock)
    result = cli("verify", "--db", db_path)
    assert result.exit_code == 0, result.output
    return db_path


def head_of(db_path: str) -> str:
    result = cli("verify", "--db", db_path, "--head")
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def broken(db_path: str, *extra: str) -> str:
    result = cli("verify", "--db", db_path, "--limit", "0", *extra)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("BROKEN")
    return result.stdout


def first_problem(report: str) -> str:
    return report.splitlines()[1].strip()


def test_a_clean_history_verifies_and_prints_its_head(history):
    result = cli("verify", "--db", history)
    assert result.stdout.startswith("OK: ")
    head = head_of(history)
    number, link = head.split(":")
    assert int(number) == rows(history, "SELECT MAX(rowid) FROM stored_events")[0][0]
    assert len(link) == 64
    assert cli("verify", "--db", history, "--expect-head", head).exit_code == 0


def test_the_triggers_guard_the_chain_itself(history):
    conn = sqlite3.connect(history)
    for sql in (f"UPDATE {CHAIN_TABLE} SET link = 'x'", f"DELETE FROM {CHAIN_TABLE}",
                f"INSERT OR REPLACE INTO {CHAIN_TABLE} VALUES (1, 'x')"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(sql)
    conn.close()


def test_an_edited_event_is_named(history):
    drop_triggers(history)
    target = event_rowid(history, "LotPurchased", 1)
    edit_state(history, target, lambda s: s.update(credits=s["credits"] + 10))

    report = broken(history)

    assert first_problem(report) == (
        f"[chain] event #{target} does not match its chain link (edited, reordered or its link"
        " rewritten after it was written)"
    )
    assert report.count("[chain]") == 1  # only that link: the others still match


def test_a_deleted_event_is_named(history):
    drop_triggers(history)
    target = event_rowid(history, "Registered", 0)
    execute(history, "DELETE FROM stored_events WHERE rowid = ?", params=(target,))

    report = broken(history)

    assert first_problem(report) == (
        f"[chain] chain link #{target} has no event: event #{target} was deleted"
    )


def test_the_deleted_last_event_is_named(history):
    drop_triggers(history)
    last = rows(history, "SELECT MAX(rowid) FROM stored_events")[0][0]
    execute(history, "DELETE FROM stored_events WHERE rowid = ?", params=(last,))

    assert f"chain link #{last} has no event" in first_problem(broken(history))


def test_an_inserted_event_is_named_even_after_later_appends(history, api, clock):
    drop_triggers(history)
    # A forged purchase: a copy of a real one, as the next version of that student.
    source = event_rowid(history, "LotPurchased", 0)
    originator, version = rows(history, "SELECT originator_id, MAX(originator_version)"
                               " FROM stored_events WHERE originator_id = (SELECT originator_id"
                               " FROM stored_events WHERE rowid = ?)", (source,))[0]
    execute(history, "INSERT INTO stored_events SELECT originator_id, ?, topic, state"
            " FROM stored_events WHERE rowid = ?", params=(version + 1, source))
    forged = rows(history, "SELECT MAX(rowid) FROM stored_events")[0][0]

    report = broken(history)
    assert first_problem(report) == (
        f"[chain] event #{forged} has no chain link: it was not appended by the application"
        " (inserted with plain SQL?)"
    )

    # The application keeps appending (another student); the forgery stays unlinked.
    bea = rows(history, "SELECT id FROM students WHERE name = 'Bea'")[0][0]
    clock.advance(minutes=1)
    api.buy(bea, credits=1)
    assert first_problem(broken(history)).startswith(f"[chain] event #{forged} has no chain link")


def test_reordered_events_are_named(history):
    drop_triggers(history)
    first = event_rowid(history, "Registered", 0)
    second = event_rowid(history, "Registered", 1)
    execute(
        history,
        "CREATE TEMP TABLE swap AS SELECT rowid AS r, topic, state FROM stored_events"
        f" WHERE rowid IN ({first}, {second})",
        f"UPDATE stored_events SET state = (SELECT state FROM swap WHERE r = {second})"
        f" WHERE rowid = {first}",
        f"UPDATE stored_events SET state = (SELECT state FROM swap WHERE r = {first})"
        f" WHERE rowid = {second}",
    )

    report = broken(history)

    assert first_problem(report).startswith(f"[chain] event #{first} does not match its chain link")
    assert f"event #{second} does not match its chain link" in report


def test_a_rewritten_event_with_a_recomputed_chain_fails_the_head_written_down(history):
    head = head_of(history)
    drop_triggers(history)
    target = event_rowid(history, "Added", 1)  # Bea's name: no ledger rule can see it
    edit_state(history, target, lambda s: s.update(name="Mallory"))
    rechain(history, target)
    restore_triggers(history)

    assert cli("verify", "--db", history).exit_code == 0  # a consistent forgery...
    report = broken(history, "--expect-head", head)  # ...but not the history written down
    number = head.split(":")[0]
    assert f"expected head {head} does not match: the events up to #{number}" in report
    assert "history before that point was rewritten" in report


def test_a_head_from_before_deleted_events_fails(history):
    head = head_of(history)
    drop_triggers(history)
    last = int(head.split(":")[0])
    execute(history, "DELETE FROM stored_events WHERE rowid = ?", params=(last,))
    execute(history, f"DELETE FROM {CHAIN_TABLE} WHERE notification_id = ?", params=(last,))

    # The chain alone cannot see a tail that is just gone (here the report check
    # happens to notice the lesson's missing cancellation, which is not the chain's doing)...
    assert "[chain]" not in cli("verify", "--db", history).output
    report = broken(history, "--expect-head", head)
    assert f"there is no event #{last}" in report


def test_a_rewritten_registration_breaking_fifo_is_named_even_with_a_recomputed_chain(history):
    drop_triggers(history)
    # Ana's first registration took lot 1 (the oldest); claim it took lot 2.
    target = event_rowid(history, "Registered", 0)
    edit_state(history, target, lambda s: s.update(lot_id=2))
    rechain(history, target)

    report = broken(history)

    assert "[chain]" not in report
    assert "student 1 (Ana): REGISTER entry seq 3" in report
    assert "took credit from lot 2, but FIFO at that moment was lot 1" in report


def test_a_rewritten_balance_is_named(history):
    drop_triggers(history)
    target = event_rowid(history, "LotPurchased", 0)
    edit_state(history, target, lambda s: s.update(balance_after=s["balance_after"] + 5))
    rechain(history, target)

    report = broken(history)

    assert "student 1 (Ana): PURCHASE entry seq 1" in report
    assert "balance_after is 8, but the balance before was 0 and the entry moves +3" in report


def test_a_tampered_journal_row_is_named(history):
    drop_triggers(history)
    execute(history, "UPDATE ledger_events SET delta_credits = 30, balance_after = 30"
                     " WHERE student_id = 1 AND seq = 1")

    report = broken(history)

    assert "[chain]" not in report
    first, second = entry_id(1, 1), entry_id(1, 2)
    assert f"[projection] ledger #{first} (student 1 (Ana), seq 1, PURCHASE): delta_credits is 30," in report
    assert f"ledger #{second} (student 1 (Ana), seq 2, PURCHASE): balance_after 5 is not the previous" \
        " entry's 30 +2 = 32" in report
    assert "student 1 (Ana): the delta_credits in ledger_events add up to" in report
    assert report.count("ledger #") == 3  # the row itself and its successor, not every later row


def test_a_tampered_lot_is_named(history):
    execute(history, "UPDATE lots SET credits_remaining = credits_remaining + 1 WHERE id = 1")

    report = broken(history)

    assert "[projection] lot 1 of student 1 (Ana): credits_remaining is" in report
    assert "(total 3 - taken" in report


def test_an_undecodable_event_is_named(history):
    drop_triggers(history)
    target = event_rowid(history, "Registered", 0)
    execute(history, "UPDATE stored_events SET state = x'7b' WHERE rowid = ?", params=(target,))
    rechain(history, target)

    assert f"event #{target} (tangopass:Student.Registered) cannot be decoded" in broken(history)
    replayed = cli("replay", "--db", history)
    assert replayed.exit_code == 1
    assert replayed.stdout.startswith(
        f"DIFFERENT: event #{target} (tangopass:Student.Registered) cannot be replayed:")


def test_a_deleted_event_that_later_ones_need_stops_the_replay_with_its_name(history):
    drop_triggers(history)
    target = event_rowid(history, "Added", 0)  # Ana never added: her purchase has no student row
    execute(history, "DELETE FROM stored_events WHERE rowid = ?", params=(target,))

    purchase = event_rowid(history, "LotPurchased", 0)

    replayed = cli("replay", "--db", history)
    assert replayed.exit_code == 1
    assert replayed.stdout.startswith(f"DIFFERENT: event #{purchase} (tangopass:Student.LotPurchased)")
    report = broken(history)
    assert first_problem(report) == f"[chain] chain link #{target} has no event: event #{target} was deleted"
    assert f"event #{purchase} is for a student that was never added" in report


def test_a_bad_head_is_a_usage_error(history):
    result = cli("verify", "--db", history, "--expect-head", "12:nothex")
    assert result.exit_code == 2
    assert "64 hexadecimal" in result.output


@pytest.mark.parametrize("topic, change, message", [
    ("OldestMarked", {"ref_seq": 10},
     "student 1 (Ana): OLDEST entry seq 10 (ledger #1000000010, event #35, at 2027-01-03T21:00:00Z): points"
     " at entry seq 10, but lot 2 (bought at seq 2) is still open (2 credit(s) left)"),
    ("OldestMarked", {"ref_seq": 1},
     "OLDEST entry seq 10 (ledger #1000000010, event #35, at 2027-01-03T21:00:00Z): points at lot 1,"
     " which is closed: the marker should be further on"),
    # Lot 1 was bought on Nov 20 for a month and extended by 5 days: it expires on Dec 25.
    ("LotExpired", {"expired_at": {"_type_": "datetime_iso", "_data_": "2026-12-20T10:00:00+00:00"}},
     "EXPIRE entry seq 8 (ledger #1000000008, event #33, at 2027-01-03T21:00:00Z): dated"
     " 2026-12-20T10:00:00Z, but lot 1 expires at 2026-12-25T10:00:00Z"),
    ("LotExpired", {"credits": 1, "balance_after": 5},
     "EXPIRE entry seq 8 (ledger #1000000008, event #33, at 2027-01-03T21:00:00Z): expires 1 credits of"
     " lot 1, which had 2 left"),
])
def test_rewritten_rules_are_named_even_with_a_recomputed_chain(history, topic, change, message):
    drop_triggers(history)
    target = event_rowid(history, topic, 0)
    edit_state(history, target, lambda s: s.update(change))
    rechain(history, target)

    report = broken(history)

    assert "[chain]" not in report
    assert message in report
