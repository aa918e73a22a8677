-- Tango Pass schema for PostgreSQL, part 1: the event store and the read models.
-- The PostgreSQL twin of ../001_core.sql (wrangler applies every top-level *.sql
-- of schema/ to D1, so the dialect files live in this subfolder). Same tables,
-- same columns, same names; only the types differ: BIGINT for every integer
-- (journal ids reach student_id * 10^9 + seq), BYTEA for the event bytes.
-- schema files without a twin here are translated from the SQLite file
-- (projections/storage/postgres_schema.py). No REFERENCES clauses: SQLite declares
-- them without enforcing them (foreign_keys is off), and both stores must give the
-- same answers to the same commands.

-- stored_events has an explicit "rowid": SQLite's implicit notification id,
-- under the same name, so the hash chain and the auditor read both alike.
CREATE TABLE IF NOT EXISTS stored_events (
    rowid BIGSERIAL PRIMARY KEY,
    originator_id TEXT NOT NULL,
    originator_version BIGINT NOT NULL,
    topic TEXT NOT NULL,
    state BYTEA NOT NULL,
    UNIQUE (originator_id, originator_version)
);

CREATE TABLE IF NOT EXISTS stored_snapshots (
    originator_id TEXT,
    originator_version BIGINT,
    topic TEXT,
    state BYTEA,
    PRIMARY KEY (originator_id, originator_version)
);

CREATE TABLE IF NOT EXISTS students (
    id BIGINT PRIMARY KEY,
    aggregate_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    credits_available BIGINT NOT NULL DEFAULT 0,
    oldest_entry_id BIGINT
);

CREATE TABLE IF NOT EXISTS lots (
    id BIGINT PRIMARY KEY,
    student_id BIGINT NOT NULL,
    source TEXT NOT NULL,
    purchased_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    validity_months BIGINT NOT NULL,
    credits_total BIGINT NOT NULL,
    credits_remaining BIGINT NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS lots_by_student ON lots (student_id, purchased_at, id);
CREATE INDEX IF NOT EXISTS lots_with_credit_by_expiry ON lots (expires_at)
    WHERE credits_remaining > 0;

CREATE TABLE IF NOT EXISTS lesson_events (
    id BIGINT PRIMARY KEY,
    aggregate_id TEXT NOT NULL UNIQUE,
    starts_at TEXT NOT NULL,
    registration_closes_at TEXT NOT NULL,
    window_hours BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX IF NOT EXISTS lessons_by_status_start ON lesson_events (status, starts_at);

CREATE TABLE IF NOT EXISTS registrations (
    lesson_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    lot_id BIGINT NOT NULL,
    registered_at TEXT NOT NULL,
    status TEXT NOT NULL,
    closed_at TEXT,
    PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX IF NOT EXISTS registrations_by_student ON registrations (student_id, status);

CREATE TABLE IF NOT EXISTS ledger_events (
    id BIGINT PRIMARY KEY,
    student_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    ts TEXT NOT NULL,
    type TEXT NOT NULL,
    delta_credits BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    ref_lot_id BIGINT,
    ref_lesson_id BIGINT,
    ref_event_id BIGINT,
    note TEXT,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (student_id, seq)
);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    endpoint TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, key)
);
