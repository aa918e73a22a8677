"""Look straight into the SQLite file: the truth the tests compare against."""

import sqlite3

TABLES = (
    "stored_events", "students", "lots", "lesson_events", "registrations",
    "ledger_events", "idempotency_keys", "event_hash_chain", "studio_settings",
)


def fingerprint(db_path: str) -> dict[str, list[tuple]]:
    """Every row of every table that a command may write (snapshots are a cache)."""
    conn = sqlite3.connect(db_path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in TABLES
        }
    finally:
        conn.close()


def rows(db_path: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
