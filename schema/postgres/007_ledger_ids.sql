-- Tango Pass schema for PostgreSQL, part 7: nothing to do. ../007_ledger_ids.sql
-- renumbers journal rows that SQLite numbered before ids were student_id * 10^9 + seq;
-- a PostgreSQL database has only ever had the new ids.
SELECT 1;
