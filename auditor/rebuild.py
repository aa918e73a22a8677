"""Rebuild every projection from the event store alone (the auditor's check).

The rebuild runs the same projector functions as the live append, over the
events in their recorded order, into a fresh database; a rebuilt database must
equal the live one, table by table.

The hash chain (``event_hash_chain``, schema 003) is not a read model of the
decoded events but of the stored rows; it is derivable from them all the same,
so the rebuild recomputes it with the same function the live append uses and
the replay compares it like any other table. A difference there means the
stored events are no longer the ones the chain was written for (``tangopass
verify`` then names the first broken link). A live database without the table
(schema 003 not applied yet) is compared on the projections only.

The installation row (``installation``, schema 004) is not derived from the
events either: it is the database's identity (calendar UIDs are made from it),
so the rebuild copies it from the source and the replay does not compare it.

The live database is only ever opened read-only (``file:…?mode=ro``), and one
read transaction covers reading the events and comparing the tables, so a
server appending meanwhile cannot cause a false difference.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.persistence import StoredEvent

from tangopass.auditor.compare import Comparison, compare
from tangopass.auditor.reading import has_table, open_readonly, ro_uri, stored_rows, to_stored_event
from tangopass.projections.chain import GENESIS, insert_links, links
from tangopass.projections.projectors import AggregateNumbers, statements
from tangopass.projections.schema import apply_schema

BATCH = 5000


# ------------------------------------------------------------------------ rebuild


def keep_identity(source: sqlite3.Connection, target: sqlite3.Cursor) -> None:
    """The rebuilt database keeps the source's installation id (schema 004).

    It is not a projection of the events but the database's identity: calendar
    UIDs are made from it, so a rebuilt database put in service must publish the
    same ones. A source without the table (older schema) leaves the new one.
    """
    if not has_table(source, "installation"):
        return
    row = source.execute("SELECT uuid, created_at FROM installation WHERE id = 1").fetchone()
    if row is not None:
        target.execute("UPDATE installation SET uuid = ?, created_at = ? WHERE id = 1", row)


def rebuild_from(
    source: sqlite3.Connection,
    target_db: str,
    decode: Callable[[StoredEvent], object],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Project every event readable on ``source`` into the fresh ``target_db``.

    ``source`` may be inside a read transaction (the replay holds one, so the
    events and the live tables it compares them with are the same snapshot).
    Returns how many events were replayed.
    """
    apply_schema(target_db)
    conn = sqlite3.connect(target_db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")  # a scratch copy: rebuilt again if lost
    conn.execute("PRAGMA cache_size=-262144")  # 256 MiB: the indexes stay in memory
    cursor = conn.cursor()
    done = 0
    previous = GENESIS
    numbers = AggregateNumbers()
    try:
        cursor.execute("BEGIN")
        keep_identity(source, cursor)
        rows: list[tuple] = []
        for row in stored_rows(source):
            rows.append(row)
            if len(rows) == BATCH:
                previous = _replay_batch(cursor, rows, decode, previous, numbers)
                done += len(rows)
                if progress:
                    progress(len(rows))
                rows = []
        if rows:
            previous = _replay_batch(cursor, rows, decode, previous, numbers)
            done += len(rows)
            if progress:
                progress(len(rows))
        cursor.execute("COMMIT")
    finally:
        conn.close()
    return done


class ReplayError(Exception):
    """An event that cannot be decoded or projected: the history itself is damaged."""

    def __init__(self, notification_id: int, topic: str, cause: Exception):
        super().__init__(
            f"event #{notification_id} ({topic}) cannot be replayed:"
            f" {type(cause).__name__}: {cause}"
        )
        self.notification_id = notification_id


def _replay_batch(cursor: sqlite3.Cursor, rows: list[tuple], decode: Callable, previous: bytes,
                  numbers: AggregateNumbers) -> bytes:
    execute = cursor.execute
    for row in rows:
        try:
            event = decode(to_stored_event(row))
            for sql, params in statements(((event, numbers.of(event)),)):
                execute(sql, params)
        except Exception as ex:  # noqa: BLE001 - named with the event that caused it
            raise ReplayError(row[0], row[3], ex) from ex
    pairs = list(links(rows, previous))
    insert_links(cursor, pairs)
    return pairs[-1][1]


def rebuild(
    source_db: str,
    target_db: str,
    decode: Callable[[StoredEvent], object],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Project every event of ``source_db`` into the fresh ``target_db``; return the count."""
    source = open_readonly(source_db)
    try:
        source.execute("BEGIN")
        return rebuild_from(source, target_db, decode, progress)
    finally:
        source.close()


# ------------------------------------------------------------------------- replay


@dataclass
class ReplayResult:
    events: int
    comparison: Comparison
    names: dict[int, str]

    @property
    def identical(self) -> bool:
        return self.comparison.identical


def replay(
    live_db: str,
    scratch_db: str,
    decode: Callable[[StoredEvent], object],
    progress: Callable[[int], None] | None = None,
    on_count: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Rebuild ``live_db``'s projections into ``scratch_db`` (fresh) and compare.

    ``live_db`` is opened read-only and read in one snapshot; ``on_count`` gets
    the number of events in that snapshot before the replay starts.
    """
    apply_schema(scratch_db)
    conn = open_readonly(live_db)
    try:
        # ATTACH is refused inside a transaction: attach first, then read. Each
        # database's snapshot starts at its first read, so the rebuilt one is
        # read only after the rebuild committed.
        conn.execute("ATTACH DATABASE ? AS rebuilt", (ro_uri(scratch_db),))
        conn.execute("BEGIN")
        if not has_table(conn, "stored_events"):
            raise sqlite3.OperationalError(f"{live_db} is not a Tango Pass database (no stored_events)")
        total = conn.execute("SELECT COUNT(*) FROM main.stored_events").fetchone()[0]
        if on_count:
            on_count(total)
        count = rebuild_from(conn, scratch_db, decode, progress)
        comparison = compare(conn)
        names = dict(conn.execute("SELECT id, name FROM rebuilt.students"))
        names.update(
            (k, v) for k, v in conn.execute("SELECT id, name FROM main.students") if k not in names
        )
        conn.execute("ROLLBACK")
        return ReplayResult(count, comparison, names)
    finally:
        conn.close()
