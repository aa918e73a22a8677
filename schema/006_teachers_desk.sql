-- Tango Pass schema, part 6: the teacher's desk (contract part 2).
-- Archived students, prices on purchases, the studio's settings, and the
-- index the monthly report reads the journal by.

ALTER TABLE students ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;

-- A price is kept as the decimal text the teacher gave ('120.00'), never a float.
ALTER TABLE lots ADD COLUMN price_amount TEXT;
ALTER TABLE lots ADD COLUMN price_currency TEXT;

-- The settings in force: one row, written by the Studio aggregate's events.
CREATE TABLE IF NOT EXISTS studio_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    studio_name TEXT NOT NULL,
    window_hours INTEGER NOT NULL,
    validity_options TEXT NOT NULL,    -- JSON list of months, e.g. [1, 3]
    currency TEXT NOT NULL,
    default_capacity INTEGER,
    currency_locked INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS ledger_by_ts ON ledger_events (ts);
