"""Apply the SQL files in ``schema/`` once each, in order, to a SQLite database.

The runner works through sqlite-utils' ``Database`` (its ``execute``, ``query`` and
``table_names``) inside one ``BEGIN IMMEDIATE`` transaction of its own, so a migration is all
or nothing and two processes starting at once apply each file once. It never uses
sqlite-utils' table-rebuilding helpers (``transform()``): those drop triggers.
"""

import os
import sqlite3
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from sqlite_utils import Database

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations "
    "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)


class SchemaMissing(RuntimeError):
    """The package holds no schema files: a broken install, never a database to use."""


def schema_dir() -> Path:
    """The ``schema/`` folder as installed (package data of ``tangopass.schema``)."""
    return Path(str(files("tangopass.schema")))


def schema_files() -> list[Path]:
    """Every top-level ``*.sql`` file, in name order; raises SchemaMissing if there is none."""
    found = sorted(schema_dir().glob("*.sql"))
    if not found:
        raise SchemaMissing(f"no schema files (*.sql) in {schema_dir()}: the package is incomplete")
    return found


def statements(sql: str) -> Iterator[str]:
    """Split a script into statements (trigger bodies contain semicolons)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement at end of script: {buffer[:80]!r}")


def create_private(db_path: str) -> None:
    """A new database file is readable by its owner only (0600): it holds every student's
    token. SQLite gives its -wal and -shm files the same mode. An existing file is left as is."""
    try:
        os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def apply_schema(db_path: str) -> list[str]:
    """Create or migrate the database; return the names of the files applied now.

    Raises ``SchemaMissing`` when the package holds no SQL, and rolls every file back when
    one statement fails (``sqlite3.Error``).
    """
    uri = db_path.startswith("file:")  # an in-memory database for unit tests
    if not uri:
        create_private(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=30, uri=uri)
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE")
        db.execute(MIGRATIONS_TABLE)
        done = {row["name"] for row in db.query("SELECT name FROM schema_migrations")}
        applied = []
        for path in schema_files():
            if path.name in done:
                continue
            for statement in statements(path.read_text()):
                db.execute(statement)
            db.execute("INSERT INTO schema_migrations (name) VALUES (?)", [path.name])
            applied.append(path.name)
        db.execute("COMMIT")
        return applied
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
