"""The storage port on D1: a command's whole append is one atomic ``db.batch``.

D1 has no interactive transaction. ``write()`` therefore opens a buffer, not a
transaction: the command reads D1 directly (each read a round trip, the
latest committed state), and everything it appends — the events with the
notification ids decided here (``MAX(rowid) + 1`` onward, read once), their
hash-chain links, the projectors' statements, the idempotent answer, a due
snapshot — is collected in order and sent as ONE batch when the block ends.
D1 runs a batch atomically: all of it is stored, or none.

Nothing is locked while the command decides, so two isolates may decide on the
same state. The loser's batch collides on a unique key — the event's
(originator_id, version) (002's append-only trigger answers first), its
notification id, a chain position, a journal id (``student_id * 10**9 +
seq``), a new lot's, lesson's or student's id, or an idempotency key — and D1
refuses it whole. That refusal is a :class:`VersionConflict`: the runner drops
its cached aggregates and runs the command again on fresh reads, exactly as a
conflict on SQLite or PostgreSQL. Optimistic concurrency is the truth on every
store; here it is the only guard.

Reads inside a command do not see the command's own buffered writes (the
server's stores do). Loading an aggregate that is not cached is one round trip,
not two: the newest snapshot and the events after it are read in one (read-only)
batch, and the event store's following "events after version v" query is
answered from it (D1's free plan allows 50 queries per request; a command over
every student loads each of them). No command reads back what it appended: projectors return
statements (DESIGN.md section 11) and the numbers a command hands out are read
once and counted on in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tangopass.projections.storage.event_store import SELECT_AFTER, SELECT_SNAPSHOT
from tangopass.projections.storage.port import Statement, VersionConflict
from tangopass.worker.d1 import D1, D1Cursor, D1Error, Row

CONFLICTS = ("UNIQUE constraint failed", "is append-only")
MAX_PARAMS = 100  # D1's limit of bound parameters per statement
EVENT_INSERT = "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
LAST_EVENT = "SELECT MAX(rowid) AS last FROM stored_events"
# A plain multi-row-able INSERT: "INSERT INTO t (a, b) VALUES (?, ?)" and nothing after.
PLAIN_INSERT = re.compile(r"^(INSERT INTO \w+ \([\w, ]+\)) VALUES (\((?:\?, )*\?\))$")
# The events after an aggregate's newest snapshot (after version 0 without one).
EVENTS_AFTER_SNAPSHOT = (
    "SELECT originator_version, topic, state FROM stored_events WHERE originator_id = ?"
    " AND originator_version > COALESCE((SELECT MAX(originator_version) FROM stored_snapshots"
    " WHERE originator_id = ?), 0) ORDER BY originator_version"
)


def multi_row_inserts(head: str, rows: Sequence[Sequence[Any]]) -> list[Statement]:
    """``INSERT … VALUES (…), (…)`` statements of at most MAX_PARAMS parameters each."""
    if not rows:
        return []
    width = len(rows[0])
    per_statement = max(1, MAX_PARAMS // width)
    statements: list[Statement] = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        values = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
        statements.append((f"{head} VALUES {values}", tuple(v for row in chunk for v in row)))
    return statements


class LoadingCursor(D1Cursor):
    """A D1 cursor that reads an aggregate's snapshot and later events in one round trip.

    EventStore.load asks SELECT_SNAPSHOT, then SELECT_AFTER with the snapshot's
    version (0 without one). The first is sent together with EVENTS_AFTER_SNAPSHOT;
    the second, if it asks exactly for those events, is answered from them.
    """

    def __init__(self, d1: D1):
        super().__init__(d1)
        self._events_after: tuple[str, int, list[Row]] | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> LoadingCursor:
        if sql == SELECT_SNAPSHOT:
            (originator_id,) = params
            snapshot, events = self.d1.batch(
                [(SELECT_SNAPSHOT, (originator_id,)),
                 (EVENTS_AFTER_SNAPSHOT, (originator_id, originator_id))])
            self._rows = [Row(row) for row in snapshot]
            after = snapshot[0]["originator_version"] if snapshot else 0
            self._events_after = (originator_id, after, [Row(row) for row in events])
            return self
        prefetched, self._events_after = self._events_after, None
        if sql == SELECT_AFTER and prefetched is not None and tuple(params) == prefetched[:2]:
            self._rows = prefetched[2]
            return self
        super().execute(sql, params)
        return self


class BufferedCursor(LoadingCursor):
    """Reads go to D1 at once; writes join the command's batch (see the module docstring)."""

    def __init__(self, d1: D1, tx: D1WriteTx):
        super().__init__(d1)
        self.tx = tx

    def execute(self, sql: str, params: Sequence[Any] = ()) -> BufferedCursor:
        if sql.lstrip()[:6].upper() == "SELECT":
            return super().execute(sql, params)
        self.tx.run([(sql, tuple(params))])
        return self

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> BufferedCursor:
        rows = [tuple(params) for params in seq]
        plain = PLAIN_INSERT.match(" ".join(sql.split()))
        if plain is not None:  # the chain's links: a few statements, not one per row
            self.tx.run(multi_row_inserts(plain.group(1), rows))
        else:
            self.tx.run([(sql, params) for params in rows])
        return self


@dataclass
class D1WriteTx:
    d1: D1
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    next_id: int | None = None

    def __post_init__(self) -> None:
        self.cursor = BufferedCursor(self.d1, self)

    def insert_event(self, originator_id: str, version: int, topic: str, state: bytes) -> int:
        if self.next_id is None:
            last = self.d1.query(LAST_EVENT)[0]["last"]
            self.next_id = (last or 0) + 1
        nid = self.next_id
        self.next_id += 1
        self.events.append((nid, originator_id, version, topic, bytes(state)))
        return nid

    def run(self, statements: Sequence[Statement]) -> None:
        self._flush_events()  # events first: the order of the append is kept
        self.statements.extend(statements)

    def _flush_events(self) -> None:
        if self.events:
            self.statements.extend(multi_row_inserts(EVENT_INSERT, self.events))
            self.events = []

    def batch(self) -> list[Statement]:
        self._flush_events()
        return self.statements


class D1Store:
    """The Worker's store on the D1 binding; the schema is applied by wrangler's migrations."""

    dialect = "sqlite"

    def __init__(self, d1: D1, location: str = "d1:DB"):
        self.d1 = d1
        self.location = location
        self._tx: D1WriteTx | None = None

    def current(self) -> D1WriteTx | None:
        return self._tx

    @contextmanager
    def write(self) -> Iterator[D1WriteTx]:
        if self._tx is not None:
            raise RuntimeError("a command is already appending on this isolate")
        tx = self._tx = D1WriteTx(self.d1)
        try:
            yield tx
        finally:
            self._tx = None
        statements = tx.batch()
        if statements:
            try:
                self.d1.batch(statements)
            except D1Error as error:
                if any(marker in str(error) for marker in CONFLICTS):
                    raise VersionConflict(str(error)) from None
                raise
        for hook in tx.after_commit:
            hook()

    @contextmanager
    def read(self) -> Iterator[Any]:
        if self._tx is not None:  # inside a command: reads see committed state only
            yield self._tx.cursor
            return
        cursor = LoadingCursor(self.d1)
        try:
            yield cursor
        finally:
            cursor.close()

    def close(self) -> None:
        pass
