"""Look straight into the database (SQLite file or PostgreSQL URL): the truth the tests compare against."""

from __future__ import annotations

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


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def pg_url(host: str, port: int, user: str, dbname: str, password: str | None = None) -> str:
    secret = f":{password}" if password else ""
    return f"postgresql://{user}{secret}@{host}:{port}/{dbname}"


def rows(db: str, sql: str, params: tuple = ()) -> list[tuple]:
    """Every row of ``sql`` (``?`` placeholders on every store) as plain tuples."""
    if isinstance(db, D1Path):
        return db.rows(sql, params)
    if is_postgres(db):
        import psycopg

        with psycopg.connect(db, autocommit=True) as conn:
            cursor = conn.execute(sql.replace("%", "%%").replace("?", "%s"), params)
            found = cursor.fetchall() if cursor.description else []
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in found]
    conn = sqlite3.connect(db)
    try:
        found = conn.execute(sql, params).fetchall()
        conn.commit()  # a statement that writes (a test tampering with a projection) keeps it
        return found
    finally:
        conn.close()


def _sortable(row: tuple) -> tuple:
    return tuple((v is None, str(type(v)), v if v is not None else 0) for v in row)


def fingerprint(db: str) -> dict[str, list[tuple]]:
    """Every row of every table that a command may write (snapshots are a cache)."""
    return {table: sorted(rows(db, f"SELECT * FROM {table}"), key=_sortable) for table in TABLES}
