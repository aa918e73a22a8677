"""The PostgreSQL adapter (psycopg 3): the scale-out store behind the same port.

One connection per thread, in autocommit mode with explicit transactions. A
command's transaction takes ``LOCK TABLE stored_events IN EXCLUSIVE MODE``
first: writers queue (plain reads do not), so the command decides on the latest
committed state and notification ids are handed out in commit order, which the
hash chain needs. The UNIQUE (originator_id, originator_version) constraint is
still what refuses a stale append. SQL arrives with ``?`` placeholders, as on
SQLite, and is translated once per statement text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors
from psycopg.types.numeric import NumericLoader

from tangopass.projections.storage.port import Statement, StoreBusy, VersionConflict

LOCK_TIMEOUT_SECONDS = 30
INSERT_EVENT = (
    "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
    " VALUES (%s, %s, %s, %s) RETURNING rowid"
)


PLACEHOLDER = re.compile(r"\?(\d*)")


@lru_cache(maxsize=1024)
def _translated(sql: str) -> tuple[str, tuple[int, ...] | None]:
    """SQLite's ``?`` and ``?N`` placeholders to psycopg's ``%s``, with the parameter order.

    A literal ``%`` (a LIKE pattern) is doubled; our SQL has no ``?`` but
    placeholders. A plain ``?`` takes the number after the largest used so far,
    as in SQLite; None: the parameters stay as they are. Callers always pass a
    parameter sequence (possibly empty), so psycopg always reads ``%%`` as ``%``.
    """
    sql = sql.replace("%", "%%")
    if not re.search(r"\?\d", sql):
        return sql.replace("?", "%s"), None
    order: list[int] = []

    def number(match: re.Match) -> str:
        order.append(int(match.group(1)) - 1 if match.group(1) else max(order, default=-1) + 1)
        return "%s"

    return PLACEHOLDER.sub(number, sql), tuple(order)


def dialect(sql: str, params: Sequence[Any] = ()) -> tuple[str, Sequence[Any]]:
    """The statement and its parameters as psycopg takes them."""
    text, order = _translated(sql)
    return text, params if order is None else [params[i] for i in order]


class Row(tuple):
    """A row that answers ``row[0]`` and ``row["name"]`` and ``dict(row)``, like sqlite3.Row."""

    names: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        return self.names

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)


def row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = tuple(c.name for c in cursor.description or ())
    kind = type("Row", (Row,), {"names": names, "__slots__": ()})
    return lambda values: kind(values)


class WholeNumericLoader(NumericLoader):
    """SUM() of BIGINT is NUMERIC in PostgreSQL (a Decimal), an integer in SQLite: the same
    answers need an int. Our schema has no NUMERIC column (prices are decimal text)."""

    def load(self, data: Any) -> Any:
        value = super().load(data)
        return int(value) if value == value.to_integral_value() else value


class PgCursor:
    """A psycopg cursor that takes the SQLite-style ``?`` statements."""

    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        self._cursor.execute(*dialect(sql, params))
        return self

    def executemany(self, sql: str, seq: Any) -> None:
        text, order = _translated(sql)
        rows = list(seq) if order is None else [[p[i] for i in order] for p in seq]
        self._cursor.executemany(text, rows)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def close(self) -> None:
        self._cursor.close()


@dataclass
class PgWriteTx:
    cursor: PgCursor
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def insert_event(self, originator_id: str, version: int, topic: str, state: bytes) -> int:
        try:
            row = self.cursor._cursor.execute(
                INSERT_EVENT, (originator_id, version, topic, state)
            ).fetchone()
        except errors.UniqueViolation as ex:
            raise VersionConflict(f"{originator_id} v{version}: {ex}") from None
        return row[0]

    def run(self, statements: Sequence[Statement]) -> None:
        # Pipeline mode: the statements go out without waiting for each answer
        # (they return no rows); an error still surfaces here, before COMMIT.
        cursor = self.cursor._cursor
        with cursor.connection.pipeline():
            for sql, params in statements:
                cursor.execute(*dialect(sql, params))


def masked(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    if info.get("password"):
        return url.replace(f":{info['password']}@", ":***@")
    return url


class PostgresStore:
    """Selected by a ``postgresql://user[:password]@host[:port]/dbname`` URL."""

    dialect = "postgres"

    def __init__(self, url: str, *, lock_timeout: float = LOCK_TIMEOUT_SECONDS, **_: Any):
        self.url = url
        self.location = masked(url)
        self.lock_timeout = lock_timeout
        self._local = threading.local()
        self._all: list[psycopg.Connection] = []
        self._all_lock = threading.Lock()

    def connection(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.url, autocommit=True, row_factory=row_factory)
            conn.adapters.register_loader("numeric", WholeNumericLoader)
            conn.execute(f"SET lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
            self._local.conn = conn
            self._local.tx = None
            with self._all_lock:
                self._all.append(conn)
        return conn

    def current(self) -> PgWriteTx | None:
        return getattr(self._local, "tx", None)

    @contextmanager
    def write(self) -> Iterator[PgWriteTx]:
        conn = self.connection()
        if self.current() is not None:
            raise RuntimeError("a write transaction is already open on this thread")
        cursor = conn.cursor()
        try:
            cursor.execute("BEGIN")
            cursor.execute("LOCK TABLE stored_events IN EXCLUSIVE MODE")
        except errors.LockNotAvailable as ex:
            conn.execute("ROLLBACK")
            raise StoreBusy(str(ex)) from None
        tx = self._local.tx = PgWriteTx(PgCursor(cursor))
        try:
            yield tx
        except BaseException:
            self._local.tx = None
            conn.execute("ROLLBACK")
            raise
        self._local.tx = None
        try:
            conn.execute("COMMIT")
        except psycopg.errors.SerializationFailure as ex:
            raise StoreBusy(f"commit failed: {ex}") from None
        for hook in tx.after_commit:
            hook()

    @contextmanager
    def read(self) -> Iterator[PgCursor]:
        tx = self.current()
        if tx is not None:
            yield tx.cursor
            return
        conn = self.connection()
        cursor = conn.cursor()
        # One snapshot for every query inside, as SQLite's read transaction gives.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield PgCursor(cursor)
        finally:
            conn.execute("ROLLBACK")
            cursor.close()

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
