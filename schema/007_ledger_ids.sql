-- Tango Pass schema, part 7: journal ids decided by the numbers, not by the database.
-- A ledger entry's id is now student_id * 1000000000 + seq (projections/projectors.py,
-- entry_id): unique in the studio, growing within one student's ledger, the same on
-- SQLite, PostgreSQL and D1 and in every rebuild, and no longer SQLite's MAX(id) + 1.
-- Entries written before this file keep their meaning; only their ids change, so a
-- rebuild of an older database equals it again. ledger_events is a projection (the
-- events are the history and are not touched); its UPDATE guard is lifted for these
-- three statements only and put back as 002 wrote it.

DROP TRIGGER IF EXISTS ledger_events_no_update;

UPDATE students SET oldest_entry_id = (
    SELECT l.student_id * 1000000000 + l.seq FROM ledger_events l
    WHERE l.id = students.oldest_entry_id
) WHERE oldest_entry_id IS NOT NULL AND oldest_entry_id < 1000000000;

UPDATE ledger_events SET ref_event_id = (
    SELECT r.student_id * 1000000000 + r.seq FROM ledger_events r
    WHERE r.id = ledger_events.ref_event_id
) WHERE ref_event_id IS NOT NULL AND ref_event_id < 1000000000;

UPDATE ledger_events SET id = student_id * 1000000000 + seq WHERE id < 1000000000;

CREATE TRIGGER IF NOT EXISTS ledger_events_no_update
BEFORE UPDATE ON ledger_events
BEGIN SELECT RAISE(ABORT, 'ledger_events is append-only: UPDATE refused'); END;
