-- Tango Pass schema for PostgreSQL, part 4: this installation's identity (twin of
-- ../004_installation.sql). One random UUID per database, made in the transaction
-- that applies this file; every worker and every later start reads the same row.

CREATE TABLE IF NOT EXISTS installation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    uuid TEXT NOT NULL,
    created_at TEXT NOT NULL
        DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
);

INSERT INTO installation (id, uuid) VALUES (1, gen_random_uuid()::text)
ON CONFLICT (id) DO NOTHING;
