"""Checks that must hold on any database, whatever happened to it."""

from zoneinfo import ZoneInfo

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import Terms
from tangopass.ledger.lesson import Lesson
from tangopass.projections.queries import Queries
from tangopass.auditor.compare import compare_files
from tangopass.auditor.rebuild import rebuild
from tangopass.projections.storage.codec import mapper
from tangopass.projections.storage.dump import postgres_to_sqlite
from tests.support.db import is_postgres, rows


def check_ledger_invariants(db_path: str) -> None:
    for (student_id, available) in rows(db_path, "SELECT id, credits_available FROM students"):
        entries = rows(db_path, "SELECT delta_credits, balance_after FROM ledger_events"
                                " WHERE student_id = ? ORDER BY id", (student_id,))
        running = 0
        for delta, balance_after in entries:
            running += delta
            assert balance_after == running
        assert running == available
        (remaining,) = rows(db_path, "SELECT COALESCE(SUM(credits_remaining), 0) FROM lots"
                                     " WHERE student_id = ?", (student_id,))[0]
        assert remaining == available
        registers = rows(db_path, "SELECT ref_lesson_id, SUM(CASE type WHEN 'REGISTER' THEN 1"
                                  " WHEN 'CANCEL' THEN -1 END) FROM ledger_events WHERE student_id = ?"
                                  " AND type IN ('REGISTER', 'CANCEL') GROUP BY ref_lesson_id", (student_id,))
        open_regs = dict(rows(db_path, "SELECT lesson_id, 1 FROM registrations WHERE student_id = ?"
                                       " AND status = 'open'", (student_id,)))
        for lesson_id, net in registers:
            assert net in (0, 1)
            assert open_regs.get(lesson_id, 0) == net


def assert_rebuild_matches(db_path: str, tmp_path) -> None:
    """The projections rebuilt from the events (by the same projectors) equal the live ones.

    A PostgreSQL database is first copied to a SQLite file, as the auditor does.
    """
    if is_postgres(db_path):
        live = str(tmp_path / "live-copy.db")
        postgres_to_sqlite(db_path, live)
        db_path = live
    rebuild(db_path, str(tmp_path / "rebuilt.db"), mapper().to_domain_event)
    assert compare_files(db_path, str(tmp_path / "rebuilt.db")).diffs == []


def check_lessons_match_registrations(db_path: str) -> None:
    """A registration and the lesson's attendee list were written together, or neither."""
    app = open_ledger(db_path, Terms(ZoneInfo("UTC")), Queries(db_path))
    try:
        for (lesson_id,) in rows(db_path, "SELECT id FROM lesson_events WHERE status = 'scheduled'"):
            attendees = sorted(app.get(Lesson.create_id(lesson_id)).attendees)
            registered = [r[0] for r in rows(
                db_path, "SELECT student_id FROM registrations WHERE lesson_id = ? AND status = 'open'"
                " ORDER BY student_id", (lesson_id,))]
            assert attendees == registered, lesson_id
    finally:
        app.close()
