"""Rebuild every projection from the event store alone (the auditor's check).

The rebuild runs the same projector functions as the live hook, over the
events in their recorded order, into a fresh database; a rebuilt database must
equal the live one, table by table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from projections.projectors import project
from projections.schema import apply_schema

PROJECTION_TABLES = ("students", "lots", "lesson_events", "registrations", "ledger_events")
BATCH = 5000


def stored_events(db_path: str, batch: int = BATCH) -> Iterator[StoredEvent]:
    """Every stored event in notification (rowid) order, read in batches."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        last = 0
        while True:
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
                " WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            for rowid, originator_id, version, topic, state in rows:
                yield StoredEvent(UUID(originator_id), version, topic, state)
            last = rows[-1][0]
    finally:
        conn.close()


def count_events(db_path: str) -> int:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
    finally:
        conn.close()


def rebuild(
    source_db: str,
    target_db: str,
    decode: Callable[[StoredEvent], object],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Project every event of ``source_db`` into the fresh ``target_db``; return the count."""
    apply_schema(target_db)
    conn = sqlite3.connect(target_db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: rebuilt again if lost
    cursor = conn.cursor()
    done = 0
    try:
        cursor.execute("BEGIN")
        pending = []
        for stored in stored_events(source_db):
            pending.append(decode(stored))
            if len(pending) == BATCH:
                project(cursor, pending)
                done += len(pending)
                pending = []
                if progress:
                    progress(BATCH)
        project(cursor, pending)
        done += len(pending)
        if progress and pending:
            progress(len(pending))
        cursor.execute("COMMIT")
    finally:
        conn.close()
    return done


def table_rows(db_path: str, table: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        key = "lesson_id, student_id" if table == "registrations" else "id"
        return conn.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
    finally:
        conn.close()


def differences(live_db: str, rebuilt_db: str) -> dict[str, tuple[list, list]]:
    """Per table, the rows only in the live database and the rows only in the rebuilt one."""
    found = {}
    for table in PROJECTION_TABLES:
        live, rebuilt = table_rows(live_db, table), table_rows(rebuilt_db, table)
        if live != rebuilt:
            live_set, rebuilt_set = set(live), set(rebuilt)
            found[table] = (
                [row for row in live if row not in rebuilt_set],
                [row for row in rebuilt if row not in live_set],
            )
    return found
