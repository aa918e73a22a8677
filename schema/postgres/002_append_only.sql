-- Tango Pass schema for PostgreSQL, part 2: the event store and the journal are
-- append-only (the twin of ../002_append_only.sql). PostgreSQL has no INSERT OR
-- REPLACE, so the UNIQUE constraints refuse a second row for the same key; the
-- triggers refuse UPDATE, DELETE and TRUNCATE.

CREATE OR REPLACE FUNCTION tangopass_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;

DROP TRIGGER IF EXISTS stored_events_append_only ON stored_events;
CREATE TRIGGER stored_events_append_only BEFORE UPDATE OR DELETE ON stored_events
FOR EACH ROW EXECUTE FUNCTION tangopass_append_only();

DROP TRIGGER IF EXISTS stored_events_no_truncate ON stored_events;
CREATE TRIGGER stored_events_no_truncate BEFORE TRUNCATE ON stored_events
FOR EACH STATEMENT EXECUTE FUNCTION tangopass_append_only();

DROP TRIGGER IF EXISTS ledger_events_append_only ON ledger_events;
CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events
FOR EACH ROW EXECUTE FUNCTION tangopass_append_only();

DROP TRIGGER IF EXISTS ledger_events_no_truncate ON ledger_events;
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
FOR EACH STATEMENT EXECUTE FUNCTION tangopass_append_only();
