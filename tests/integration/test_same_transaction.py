"""Events and projections are written in one SQLite transaction, or not at all."""

import pytest

from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.projections import projectors
from tangopass.projections.storage.port import VersionConflict
from tests.support.db import fingerprint, rows

BOTH_STORES = True


@pytest.fixture
def ana(api) -> dict:
    student = api.add_student("Ana")
    api.buy(student["id"], credits=3)
    return student


def test_a_failing_projector_stores_no_event(api, ctx, db_path, ana, monkeypatch):
    api.lesson("2026-11-30T19:00:00Z")
    before = fingerprint(db_path)

    def broken(event, number):
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Student.Registered, broken)
    with pytest.raises(RuntimeError, match="projector bug"):
        ctx.ledger.register(ana["id"], None, ctx.clock())

    assert fingerprint(db_path) == before


def test_a_failing_projector_late_in_a_command_rolls_back_earlier_rows(api, ctx, db_path, ana, monkeypatch):
    # The lesson event is projected after the student's: its failure must undo both.
    api.lesson("2026-11-30T19:00:00Z")
    before = fingerprint(db_path)

    def broken(event, number):
        raise RuntimeError("lesson projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Lesson.AttendeeAdded, broken)
    with pytest.raises(RuntimeError):
        ctx.ledger.register(ana["id"], None, ctx.clock())

    assert fingerprint(db_path) == before


def test_a_version_conflict_changes_no_projection_row(ctx, db_path, ana, clock):
    first = ctx.ledger.get(Student.create_id(ana["id"]))
    second = ctx.ledger.get(Student.create_id(ana["id"]))
    first.register(1, clock())
    ctx.ledger.save(first)
    before = fingerprint(db_path)

    second.withdraw(credits=2, reason="stale copy", now=clock())
    with pytest.raises(VersionConflict):
        ctx.ledger.save(second)

    assert fingerprint(db_path) == before


def test_a_conflict_on_one_aggregate_drops_the_other_aggregates_events(api, ctx, db_path, ana, clock):
    api.lesson("2026-11-30T19:00:00Z")
    lesson_id = Lesson.create_id(1)
    stale_lesson = ctx.ledger.get(lesson_id)
    fresh_lesson = ctx.ledger.get(lesson_id)
    fresh_lesson.admit(99, clock(), "teacher")
    ctx.ledger.save(fresh_lesson)
    student = ctx.ledger.get(Student.create_id(ana["id"]))
    before = fingerprint(db_path)

    student.register(1, clock())
    stale_lesson.admit(ana["id"], clock(), "student")
    with pytest.raises(VersionConflict):
        ctx.ledger.save(student, stale_lesson)

    assert fingerprint(db_path) == before


def test_every_event_has_its_projection_rows(api, db_path, ana):
    # Three events so far (added, purchased): one journal row per credit movement.
    assert rows(db_path, "SELECT type, delta_credits, balance_after FROM ledger_events") == [
        ("PURCHASE", 3, 3)
    ]
    assert rows(db_path, "SELECT credits_available FROM students") == [(3,)]


def test_a_snapshot_is_part_of_the_command_s_one_append(api, ctx, db_path):
    # No second commit for a snapshot: it is written in the command's transaction,
    # so a failure there rolls the whole command back, and it is not run twice.
    ana = api.add_student("Ana")
    ctx.ledger.events.snapshot_interval = 1

    def broken(*args, **kwargs):
        raise RuntimeError("snapshot bug")

    original = ctx.ledger.events._snapshot_if_due
    ctx.ledger.events._snapshot_if_due = broken
    before = fingerprint(db_path)
    with pytest.raises(RuntimeError, match="snapshot bug"):
        ctx.ledger.add_purchase(ana["id"], 3, 1, None, None, ctx.clock())
    assert fingerprint(db_path) == before

    ctx.ledger.events._snapshot_if_due = original
    api.buy(ana["id"], credits=3)
    assert rows(db_path, "SELECT COUNT(*) FROM lots") == [(1,)]
    assert rows(db_path, "SELECT credits_available FROM students") == [(3,)]
    version = rows(db_path, "SELECT MAX(originator_version) FROM stored_events")[0][0]
    assert rows(db_path, "SELECT MAX(originator_version) FROM stored_snapshots") == [(version,)]
