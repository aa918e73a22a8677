"""The SQLite adapter: one file, WAL, one writer at a time, an fsync per commit.

One connection per thread serves both modes; a command's reads run on the write
transaction's cursor. ``cached_statements`` is a real size here: the library's
``cached_statements=True`` meant a cache of ONE statement, so SQLite parsed the
same SQL again and again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tangopass.projections.storage.port import Statement, StoreBusy, VersionConflict

# FULL: a commit the API acknowledged survives power loss, not only a crash of
# the process (NORMAL would be enough for that, and loses acknowledged writes
# on power loss). bench/ measures what the fsync per commit costs.
SYNCHRONOUS = "FULL"
STATEMENT_CACHE = 256
LOCK_TIMEOUT_SECONDS = 30.0

INSERT_EVENT = (
    "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
    " VALUES (?, ?, ?, ?)"
)


@dataclass
class SQLiteWriteTx:
    cursor: sqlite3.Cursor
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def insert_event(self, originator_id: str, version: int, topic: str, state: bytes) -> int:
        try:
            self.cursor.execute(INSERT_EVENT, (originator_id, version, topic, state))
        except sqlite3.IntegrityError as ex:
            # The PRIMARY KEY, or 002's BEFORE INSERT trigger that fires first.
            raise VersionConflict(f"{originator_id} v{version}: {ex}") from None
        return self.cursor.lastrowid

    def run(self, statements: Sequence[Statement]) -> None:
        execute = self.cursor.execute
        for sql, params in statements:
            execute(sql, params)


class SQLiteStore:
    """Selected by a file path (``tangopass.db``); the schema must already be applied."""

    dialect = "sqlite"

    def __init__(self, path: str, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS,
                 synchronous: str | None = None):
        self.location = self.path = path
        self.lock_timeout = lock_timeout
        self.synchronous = synchronous or SYNCHRONOUS
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False,
                timeout=self.lock_timeout, cached_statements=STATEMENT_CACHE,
                uri=self.path.startswith("file:"),
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            self._local.conn = conn
            self._local.tx = None
            with self._all_lock:
                self._all.append(conn)
        return conn

    def current(self) -> SQLiteWriteTx | None:
        """This thread's open write transaction, if any."""
        return getattr(self._local, "tx", None)

    @contextmanager
    def write(self) -> Iterator[SQLiteWriteTx]:
        conn = self.connection()
        if self._local.tx is not None:
            raise RuntimeError("a write transaction is already open on this thread")
        try:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first, then decide
        except sqlite3.OperationalError as ex:
            raise StoreBusy(str(ex)) from None
        tx = self._local.tx = SQLiteWriteTx(conn.cursor())
        try:
            yield tx
        except BaseException:
            self._local.tx = None
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._local.tx = None
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as ex:  # e.g. a deferred constraint: the transaction stays open
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreBusy(f"commit failed: {ex}") from None
        for hook in tx.after_commit:
            hook()

    @contextmanager
    def read(self) -> Iterator[Any]:
        conn = self.connection()
        tx = self._local.tx
        if tx is not None:  # inside a command: its own transaction, its own writes
            yield tx.cursor
            return
        cursor = conn.cursor()
        cursor.execute("BEGIN")
        try:
            yield cursor
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # read-only: nothing to keep
            cursor.close()

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._all.clear()
        self._local = threading.local()
