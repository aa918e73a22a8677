-- Tango Pass schema, part 1: the event store and the read models.
-- One source for the embedded SQLite database and for Cloudflare D1 migrations.
-- Times are UTC ISO 8601 text to the second ('2026-11-24T19:00:00Z'): they sort as text.

-- The event store, in the shape the eventsourcing library's SQLite
-- application recorder uses (rowid = notification id, the global order).
CREATE TABLE IF NOT EXISTS stored_events (
    originator_id TEXT,
    originator_version INTEGER,
    topic TEXT,
    state BLOB,
    PRIMARY KEY (originator_id, originator_version)
);

-- Snapshots are a cache of aggregate state, derivable from the events.
CREATE TABLE IF NOT EXISTS stored_snapshots (
    originator_id TEXT,
    originator_version INTEGER,
    topic TEXT,
    state BLOB,
    PRIMARY KEY (originator_id, originator_version)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY,
    aggregate_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    credits_available INTEGER NOT NULL DEFAULT 0,
    oldest_entry_id INTEGER
);

CREATE TABLE IF NOT EXISTS lots (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students (id),
    source TEXT NOT NULL,              -- PURCHASE or ADJUST
    purchased_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    validity_months INTEGER NOT NULL,
    credits_total INTEGER NOT NULL,
    credits_remaining INTEGER NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS lots_by_student ON lots (student_id, purchased_at, id);
CREATE INDEX IF NOT EXISTS lots_with_credit_by_expiry ON lots (expires_at)
    WHERE credits_remaining > 0;

CREATE TABLE IF NOT EXISTS lesson_events (
    id INTEGER PRIMARY KEY,
    aggregate_id TEXT NOT NULL UNIQUE,
    starts_at TEXT NOT NULL,
    registration_closes_at TEXT NOT NULL,
    window_hours INTEGER NOT NULL,
    status TEXT NOT NULL,              -- scheduled, cleared or cancelled
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX IF NOT EXISTS lessons_by_status_start ON lesson_events (status, starts_at);

CREATE TABLE IF NOT EXISTS registrations (
    lesson_id INTEGER NOT NULL REFERENCES lesson_events (id),
    student_id INTEGER NOT NULL REFERENCES students (id),
    lot_id INTEGER NOT NULL REFERENCES lots (id),
    registered_at TEXT NOT NULL,
    status TEXT NOT NULL,              -- open, cancelled or cleared
    closed_at TEXT,
    PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX IF NOT EXISTS registrations_by_student ON registrations (student_id, status);

-- The journal: one row per credit movement or marker, append-only.
CREATE TABLE IF NOT EXISTS ledger_events (
    id INTEGER PRIMARY KEY,
    student_id INTEGER NOT NULL REFERENCES students (id),
    seq INTEGER NOT NULL,              -- per-student entry number, decided by the domain
    ts TEXT NOT NULL,
    type TEXT NOT NULL,
    delta_credits INTEGER NOT NULL,
    balance_after INTEGER NOT NULL,
    ref_lot_id INTEGER,
    ref_lesson_id INTEGER,
    ref_event_id INTEGER,
    note TEXT,
    actor TEXT NOT NULL,               -- student, teacher or system
    recorded_at TEXT NOT NULL,
    UNIQUE (student_id, seq)
);

-- Answers to admin POSTs carrying an Idempotency-Key, written in the same
-- transaction as the command's events.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    endpoint TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (endpoint, key)
);
