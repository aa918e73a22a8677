-- Tango Pass schema, part 2: the event store and the journal are append-only.
-- INSERT OR REPLACE deletes the old row without firing DELETE triggers, hence
-- the BEFORE INSERT ... WHEN EXISTS guards. Never run a table-rebuilding tool
-- (such as sqlite-utils transform()) on these tables: it drops the triggers.

CREATE TRIGGER IF NOT EXISTS stored_events_no_update
BEFORE UPDATE ON stored_events
BEGIN SELECT RAISE(ABORT, 'stored_events is append-only: UPDATE refused'); END;

CREATE TRIGGER IF NOT EXISTS stored_events_no_delete
BEFORE DELETE ON stored_events
BEGIN SELECT RAISE(ABORT, 'stored_events is append-only: DELETE refused'); END;

CREATE TRIGGER IF NOT EXISTS stored_events_no_replace
BEFORE INSERT ON stored_events
WHEN EXISTS (
    SELECT 1 FROM stored_events
    WHERE originator_id = NEW.originator_id
      AND originator_version = NEW.originator_version
)
BEGIN SELECT RAISE(ABORT, 'stored_events is append-only: version already recorded'); END;

CREATE TRIGGER IF NOT EXISTS ledger_events_no_update
BEFORE UPDATE ON ledger_events
BEGIN SELECT RAISE(ABORT, 'ledger_events is append-only: UPDATE refused'); END;

CREATE TRIGGER IF NOT EXISTS ledger_events_no_delete
BEFORE DELETE ON ledger_events
BEGIN SELECT RAISE(ABORT, 'ledger_events is append-only: DELETE refused'); END;

CREATE TRIGGER IF NOT EXISTS ledger_events_no_replace
BEFORE INSERT ON ledger_events
WHEN EXISTS (
    SELECT 1 FROM ledger_events
    WHERE id = NEW.id OR (student_id = NEW.student_id AND seq = NEW.seq)
)
BEGIN SELECT RAISE(ABORT, 'ledger_events is append-only: entry already recorded'); END;
