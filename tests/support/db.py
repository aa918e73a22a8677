"""Look straight into the SQLite file: the truth the tests compare against."""

import sqlite3

TABLES = (
    "stored_events", "students", "lots", "lesson_events", "registrations",
    "ledger_events", "idempotency_keys", "event_hash_chain", "studio_settings",
    "lesson_roster", "lesson_waitlist", "series", "closures",
)


class D1Path(str):
    """Stands for the Worker's D1 database where a test names its database file."""

    def __new__(cls, harness):
        path = super().__new__(cls, "d1:DB")
        path.harness = harness
        return path

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows as sqlite3 gives them: D1 returns a BLOB as a list of byte values."""
        return [
            tuple(bytes(v) if isinstance(v, list) else v for v in row.values())
            for row in self.harness.sql(sql, params)
        ]


def fingerprint(db_path: str) -> dict[str, list[tuple]]:
    """Every row of every table that a command may write (snapshots are a cache)."""
    if isinstance(db_path, D1Path):
        return {table: db_path.rows(f"SELECT * FROM {table} ORDER BY rowid") for table in TABLES}
    conn = sqlite3.connect(db_path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in TABLES
        }
    finally:
        conn.close()


def rows(db_path: str, sql: str, params: tuple = ()) -> list[tuple]:
    if isinstance(db_path, D1Path):
        return db_path.rows(sql, params)
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
