"""SQLite persistence for the eventsourcing library, with the projections inside.

``ProjectingRecorder._insert_events`` runs right after the library's own INSERTs,
on the same cursor, inside the same transaction (which already holds SQLite's
write lock). A projector error therefore rolls back the events too, and a
version conflict rolls back every projection row: a crash between the two is
impossible, not unlikely.

This subclasses semi-private parts of ``eventsourcing.sqlite`` (the insert hook
and the connection pool); the library version is pinned in setup.cfg and the
behaviour is covered by tests/integration/test_same_transaction.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteFactory,
)

from tangopass.projections.chain import extend_chain
from tangopass.projections.idempotency import IdempotentAnswer
from tangopass.projections.projectors import project

# FULL: a commit the API acknowledged survives power loss, not only a crash of
# the process (NORMAL would be enough for that). A ledger of paid lessons
# prefers the fsync per commit; bench/ measures what it costs.
SYNCHRONOUS = "FULL"
STATEMENT_CACHE = 256


class ProjectingRecorder(SQLiteApplicationRecorder):
    """Appends events and runs the projectors in the same SQLite transaction."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        domain_events = kwargs.get("projected_events")
        if domain_events is None or len(domain_events) != len(stored_events):
            raise AssertionError("every append must carry its domain events for the projections")
        cursor = c.sqlite_cursor
        # Tamper evidence: each event extends the hash chain, in this transaction.
        extend_chain(cursor, notification_ids)
        project(cursor, domain_events)
        answer: IdempotentAnswer | None = kwargs.get("idempotency")
        if answer is not None:
            answer.insert(cursor)
        return notification_ids


class TunedPool(SQLiteConnectionPool):
    """The library's pool, with the durability we chose and a real statement cache.

    The library opens its connections with ``cached_statements=True``, which
    Python reads as a cache of ONE statement: SQLite parsed the same SQL again
    for every command. This is the library's ``_create_connection`` (9.5.6) with
    a cache of ``STATEMENT_CACHE`` statements and our ``synchronous``.
    """

    def _create_connection(self) -> SQLiteConnection:
        try:
            conn = sqlite3.connect(
                database=self.db_name, uri=True, check_same_thread=False,
                isolation_level=None, cached_statements=STATEMENT_CACHE,
                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT,
            )
        except (sqlite3.Error, TypeError) as ex:
            raise InterfaceError(ex) from ex
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            mode = conn.execute("PRAGMA journal_mode;").fetchone()[0]
            if mode.lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        return SQLiteConnection(sqlite_conn=conn, max_age=self.max_age)


class TunedDatastore(SQLiteDatastore):
    def __init__(self, db_name: str, **kwargs: Any):
        super().__init__(db_name, **kwargs)
        self.pool = TunedPool(db_name=db_name, lock_timeout=kwargs.get("lock_timeout"))


class TangoSQLiteFactory(SQLiteFactory):
    """Selected with ``PERSISTENCE_MODULE=projections.sqlite_store:TangoSQLiteFactory``."""

    application_recorder_class = ProjectingRecorder

    def __init__(self, env: Any):
        super().__init__(env)
        plain = self.datastore
        self.datastore = TunedDatastore(
            plain.pool.db_name,
            lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type,
        )
        plain.close()
