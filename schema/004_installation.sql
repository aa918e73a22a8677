-- Tango Pass schema, part 4: this installation's identity.
-- Identifiers handed to other systems (calendar UIDs) must stay the same for the
-- life of the data and differ between studios, whatever TANGOPASS_PUBLIC_URL says.
-- So each database gets one random UUID (version 4, from SQLite's randomblob),
-- made in the very transaction that applies this file: every worker and every
-- later start reads the same row. It is not a projection of the events: a backup
-- copies it with the pages, and the auditor's rebuild copies it from the source.

CREATE TABLE IF NOT EXISTS installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),  -- one row
    uuid TEXT NOT NULL,                     -- lowercase, 8-4-4-4-12
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

INSERT OR IGNORE INTO installation (id, uuid)
SELECT 1, lower(
    substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-'
    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12)
)
FROM (SELECT hex(randomblob(16)) AS h);
