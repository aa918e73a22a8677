"""The storage port: what the write path and the read models need from a database.

A store hands out connections in two modes, both context managers:

- ``write()`` -> :class:`WriteTx`: ONE transaction that already holds the
  store's write lock (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``LOCK TABLE
  stored_events IN EXCLUSIVE MODE``), so whatever the command reads inside it
  is the latest committed state. It commits when the block ends normally,
  rolls back when it raises. The lock is only an optimisation: the truth is the
  UNIQUE (originator_id, originator_version) of ``stored_events`` (optimistic
  concurrency), which :meth:`WriteTx.insert_event` turns into
  :class:`VersionConflict`.
- ``read()`` -> a cursor inside one read snapshot; inside a ``write()`` block
  of the same thread it is the write transaction's own cursor (no second
  transaction, and the command sees its own writes).

Cursors speak one SQL dialect with ``?`` placeholders (the PostgreSQL adapter
translates them); rows support ``row[0]`` and ``dict(row)``. Statements are
``(sql, params)`` pairs: what projectors return and adapters execute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

Statement = tuple[str, tuple]


class VersionConflict(Exception):
    """Another command appended to one of these aggregates first: reload and retry."""


class StoreBusy(Exception):
    """The write lock could not be had in time (another writer held it too long)."""


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Cursor: ...
    def executemany(self, sql: str, seq: Any) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class WriteTx(Protocol):
    cursor: Cursor
    after_commit: list[Callable[[], None]]

    def insert_event(self, originator_id: str, version: int, topic: str, state: bytes) -> int:
        """Append one stored event; return its notification id (the global order).

        Raises VersionConflict when that (originator_id, version) exists.
        """

    def run(self, statements: Sequence[Statement]) -> None:
        """Execute projector statements in order on this transaction."""


class Store(Protocol):
    dialect: str  # "sqlite" or "postgres"
    location: str  # the path or URL it was opened with (passwords masked)

    def current(self) -> WriteTx | None: ...
    def write(self) -> AbstractContextManager[WriteTx]: ...
    def read(self) -> AbstractContextManager[Cursor]: ...
    def close(self) -> None: ...
