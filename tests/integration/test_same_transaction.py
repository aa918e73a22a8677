"""Events and projections are written in one SQLite transaction, or not at all."""

import pytest
from eventsourcing.persistence import RecordConflictError

from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.projections import projectors
from tests.support.db import fingerprint, rows


@pytest.fixture
def ana(api) -> dict:
    student = api.add_student("Ana")
    api.buy(student["id"], credits=3)
    return student


def test_a_failing_projector_stores_no_event(api, ctx, db_path, ana, monkeypatch):
    api.lesson("2026-11-30T19:00:00Z")
    before = fingerprint(db_path)

    def broken(cursor, event):
        raise RuntimeError("projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Student.Registered, broken)
    with pytest.raises(RuntimeError, match="projector bug"):
        ctx.ledger.register(ana["id"], None, ctx.clock())

    assert fingerprint(db_path) == before


def test_a_failing_projector_late_in_a_command_rolls_back_earlier_rows(api, ctx, db_path, ana, monkeypatch):
    # The lesson event is projected after the student's: its failure must undo both.
    api.lesson("2026-11-30T19:00:00Z")
    before = fingerprint(db_path)

    def broken(cursor, event):
        raise RuntimeError("lesson projector bug")

    monkeypatch.setitem(projectors.PROJECTORS, Lesson.AttendeeAdded, broken)
    with pytest.raises(RuntimeError):
        ctx.ledger.register(ana["id"], None, ctx.clock())

    assert fingerprint(db_path) == before


def test_a_version_conflict_changes_no_projection_row(ctx, db_path, ana, clock):
    first = ctx.ledger.repository.get(Student.create_id(ana["id"]))
    second = ctx.ledger.repository.get(Student.create_id(ana["id"]))
    first.register(1, clock())
    ctx.ledger.save(first)
    before = fingerprint(db_path)

    second.withdraw(credits=2, reason="stale copy", now=clock())
    with pytest.raises(RecordConflictError):
        ctx.ledger.save(second)

    assert fingerprint(db_path) == before


def test_a_conflict_on_one_aggregate_drops_the_other_aggregates_events(api, ctx, db_path, ana, clock):
    api.lesson("2026-11-30T19:00:00Z")
    lesson_id = Lesson.create_id(1)
    stale_lesson = ctx.ledger.repository.get(lesson_id)
    fresh_lesson = ctx.ledger.repository.get(lesson_id)
    fresh_lesson.admit(99, clock(), "teacher")
    ctx.ledger.save(fresh_lesson)
    student = ctx.ledger.repository.get(Student.create_id(ana["id"]))
    before = fingerprint(db_path)

    student.register(1, clock())
    stale_lesson.admit(ana["id"], clock(), "student")
    with pytest.raises(RecordConflictError):
        ctx.ledger.save(student, stale_lesson)

    assert fingerprint(db_path) == before


def test_every_event_has_its_projection_rows(api, db_path, ana):
    # Three events so far (added, purchased): one journal row per credit movement.
    assert rows(db_path, "SELECT type, delta_credits, balance_after FROM ledger_events") == [
        ("PURCHASE", 3, 3)
    ]
    assert rows(db_path, "SELECT credits_available FROM students") == [(3,)]


def test_a_failed_snapshot_does_not_repeat_a_committed_command(api, ctx, db_path, monkeypatch):
    # Snapshots are written after the commit; a failure there must not make the
    # retry loop record the purchase twice.
    from eventsourcing.persistence import OperationalError

    ana = api.add_student("Ana")
    monkeypatch.setattr(type(ctx.ledger), "snapshotting_intervals", {Student: 1})

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ctx.ledger.snapshots, "put", locked)
    api.buy(ana["id"], credits=3)

    assert rows(db_path, "SELECT COUNT(*) FROM lots") == [(1,)]
    assert rows(db_path, "SELECT credits_available FROM students") == [(3,)]
