-- Tango Pass schema, part 2: the studio's week (issue 12). PostgreSQL twin of
-- schema/005_week.sql: the same tables, with ON CONFLICT DO NOTHING for SQLite's
-- INSERT OR IGNORE; types are translated as for any file without a twin.
-- Lessons gain their terms; who is in a lesson (with role and attendance) and who
-- waits are read models of the Lesson events; series and closures of theirs.

ALTER TABLE lesson_events ADD COLUMN title TEXT;
ALTER TABLE lesson_events ADD COLUMN capacity BIGINT;
ALTER TABLE lesson_events ADD COLUMN role_balance BIGINT;
ALTER TABLE lesson_events ADD COLUMN series_id BIGINT;

-- One row per student a lesson ever admitted. status: registered (in, or held and
-- cleared), left (their registration was cancelled), called_off (in when the
-- lesson was cancelled). attendance: NULL until cleared, then attended or no_show.
CREATE TABLE IF NOT EXISTS lesson_roster (
    lesson_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    role TEXT,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    status TEXT NOT NULL,
    attendance TEXT,
    PRIMARY KEY (lesson_id, student_id)
);
CREATE INDEX IF NOT EXISTS lesson_roster_by_student ON lesson_roster (student_id, status);

-- Lessons made before this file: their registrations, as the roster would hold them.
INSERT INTO lesson_roster (lesson_id, student_id, role, added_at, added_by, status, attendance)
    SELECT r.lesson_id, r.student_id, NULL, r.registered_at, 'student',
           CASE WHEN r.status = 'cancelled' THEN 'left' ELSE 'registered' END,
           CASE WHEN r.status = 'cleared' THEN 'attended' END
    FROM registrations r
    ON CONFLICT DO NOTHING;

-- Who waits for a place; line order is ``place`` (the lesson's join number, from the event).
CREATE TABLE IF NOT EXISTS lesson_waitlist (
    lesson_id BIGINT NOT NULL,
    student_id BIGINT NOT NULL,
    role TEXT,
    since TEXT NOT NULL,
    place BIGINT NOT NULL,
    PRIMARY KEY (lesson_id, student_id)
);

CREATE TABLE IF NOT EXISTS series (
    id BIGINT PRIMARY KEY,
    aggregate_id TEXT NOT NULL UNIQUE,
    weekday BIGINT NOT NULL,          -- ISO, Monday = 1
    time TEXT NOT NULL,                -- HH:MM, studio wall time
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    title TEXT,
    capacity BIGINT,
    role_balance BIGINT,
    window_hours BIGINT NOT NULL,
    tz TEXT NOT NULL,
    ended_on TEXT,
    next_start_at TEXT,                -- start of the next date not yet made; NULL once over
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS series_due ON series (next_start_at) WHERE next_start_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS closures (
    id BIGINT PRIMARY KEY,
    from_on TEXT NOT NULL,
    to_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    extend_passes BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
