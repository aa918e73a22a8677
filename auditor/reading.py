"""Read-only access to a Tango Pass database and its stored events.

Every connection opened here is ``file:…?mode=ro``: the auditor can never write to the
database it audits. Callers hold one read transaction to see one snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from tangopass.projections.chain import SELECT_ROWS


def ro_uri(db_path: str) -> str:
    """A ``file:`` URI that opens ``db_path`` read-only (any character in the path is safe)."""
    return Path(db_path).absolute().as_uri() + "?mode=ro"


def open_readonly(db_path: str) -> sqlite3.Connection:
    """A read-only connection (autocommit mode: the caller opens its read transaction).

    Raises ``sqlite3.OperationalError`` when the file is missing or not a database.
    """
    if not Path(db_path).is_file():
        raise sqlite3.OperationalError(f"no database file at {db_path}")
    conn = sqlite3.connect(ro_uri(db_path), uri=True, isolation_level=None, timeout=30)
    conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # fails early on a non-database
    return conn


def has_table(conn: sqlite3.Connection, table: str, schema: str = "main") -> bool:
    """Whether ``schema`` (``main`` or an attached name) holds ``table``."""
    row = conn.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def stored_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, str, int, str, bytes]]:
    """Every stored event as (rowid, originator_id, version, topic, state), in order."""
    yield from conn.execute(f"{SELECT_ROWS} ORDER BY rowid")


def to_stored_event(row: tuple[int, str, int, str, bytes]) -> StoredEvent:
    """One row of ``stored_rows`` as the library's ``StoredEvent`` (ready to decode)."""
    _, originator_id, version, topic, state = row
    return StoredEvent(UUID(originator_id), version, topic, state)
