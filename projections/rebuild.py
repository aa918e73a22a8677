"""Rebuild every projection from the event store alone (the auditor's check).

The rebuild runs the same projector functions as the live hook, over the
events in their recorded order, into a fresh database; a rebuilt database must
equal the live one, table by table.

The hash chain (``event_hash_chain``, schema 003) is not a read model of the
decoded events but of the stored rows; it is derivable from them all the same,
so the rebuild recomputes it with the same function the recorder hook uses and
the replay compares it like any other table. A difference there means the
stored events are no longer the ones the chain was written for (``tangopass
verify`` then names the first broken link). A live database without the table
(schema 003 not applied yet) is compared on the projections only.

The live database is only ever opened read-only (``file:…?mode=ro``), and one
read transaction covers reading the events and comparing the tables, so a
server appending meanwhile cannot cause a false difference.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from tangopass.projections.chain import CHAIN_TABLE, GENESIS, SELECT_ROWS, insert_links, links
from tangopass.projections.projectors import project
from tangopass.projections.schema import apply_schema

PROJECTION_TABLES = (
    "students", "lots", "lesson_events", "registrations", "ledger_events", "studio_settings",
)
COMPARED_TABLES = PROJECTION_TABLES + (CHAIN_TABLE,)
TABLE_KEYS = {
    "students": ("id",),
    "lots": ("id",),
    "lesson_events": ("id",),
    "registrations": ("lesson_id", "student_id"),
    "ledger_events": ("id",),
    "studio_settings": ("id",),
    CHAIN_TABLE: ("notification_id",),
}
BATCH = 5000


# ------------------------------------------------------------------ read-only access


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
    row = conn.execute(
        f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def stored_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, str, int, str, bytes]]:
    """Every stored event as (rowid, originator_id, version, topic, state), in order."""
    yield from conn.execute(f"{SELECT_ROWS} ORDER BY rowid")


def to_stored_event(row: tuple[int, str, int, str, bytes]) -> StoredEvent:
    _, originator_id, version, topic, state = row
    return StoredEvent(UUID(originator_id), version, topic, state)


def stored_events(db_path: str, batch: int = BATCH) -> Iterator[StoredEvent]:
    """Every stored event in notification (rowid) order, read in one snapshot."""
    conn = open_readonly(db_path)
    try:
        conn.execute("BEGIN")
        for row in stored_rows(conn):
            yield to_stored_event(row)
    finally:
        conn.close()


# ------------------------------------------------------------------------ rebuild


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
    try:
        cursor.execute("BEGIN")
        rows: list[tuple] = []
        for row in stored_rows(source):
            rows.append(row)
            if len(rows) == BATCH:
                previous = _replay_batch(cursor, rows, decode, previous)
                done += len(rows)
                if progress:
                    progress(len(rows))
                rows = []
        if rows:
            previous = _replay_batch(cursor, rows, decode, previous)
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


def _replay_batch(cursor: sqlite3.Cursor, rows: list[tuple], decode: Callable, previous: bytes) -> bytes:
    for row in rows:
        try:
            project(cursor, (decode(to_stored_event(row)),))
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


# ------------------------------------------------------------------------ compare


@dataclass
class RowDiff:
    """One row that differs between the live database and the rebuilt one."""

    table: str
    key: dict[str, Any]
    kind: str  # "changed", "missing" (only rebuilt) or "unexpected" (only live)
    student_id: int | None = None
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # column, expected, found
    row: dict[str, Any] = field(default_factory=dict)

    def describe(self, names: dict[int, str]) -> str:
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        where = f"{self.table} [{key}]"
        if self.student_id is not None:
            name = names.get(self.student_id)
            where += f" student {self.student_id}" + (f" ({name})" if name else "")
        if self.kind == "changed":
            parts = [f"{col}: expected {exp!r}, found {got!r}" for col, exp, got in self.changes]
            return f"{where}: " + "; ".join(parts)
        if self.kind == "missing":
            return f"{where}: missing from the live database; expected {self.row}"
        return f"{where}: in the live database but not produced by the events: {self.row}"


@dataclass
class Comparison:
    diffs: list[RowDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.diffs


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def compare(
    conn: sqlite3.Connection, live: str = "main", rebuilt: str = "rebuilt",
    tables: tuple[str, ...] = COMPARED_TABLES,
) -> Comparison:
    """Compare ``tables`` of two schemas on one connection (set difference in SQL)."""
    result = Comparison()
    for table in tables:
        if not has_table(conn, table, live):
            result.notes.append(
                f"{table}: not in the live database (its schema is older); not compared"
            )
            continue
        columns = _columns(conn, live, table)
        expected_columns = _columns(conn, rebuilt, table)
        if columns != expected_columns:
            result.diffs.append(RowDiff(
                table, {}, "changed",
                changes=[("columns", expected_columns, columns)],
            ))
            continue
        result.tables.append(table)
        only_live = conn.execute(
            f"SELECT * FROM {live}.{table} EXCEPT SELECT * FROM {rebuilt}.{table}"
        ).fetchall()
        only_rebuilt = conn.execute(
            f"SELECT * FROM {rebuilt}.{table} EXCEPT SELECT * FROM {live}.{table}"
        ).fetchall()
        result.diffs.extend(_pair(table, columns, only_live, only_rebuilt))
    return result


def _pair(table: str, columns: list[str], only_live: list[tuple], only_rebuilt: list[tuple]) -> list[RowDiff]:
    key_columns = TABLE_KEYS.get(table, tuple(columns))
    index = [columns.index(k) for k in key_columns]
    student_at = columns.index("student_id") if "student_id" in columns else None
    if table == "students":
        student_at = columns.index("id")

    def key_of(row: tuple) -> tuple:
        return tuple(row[i] for i in index)

    live_by_key = {key_of(row): row for row in only_live}
    rebuilt_by_key = {key_of(row): row for row in only_rebuilt}
    diffs = []
    for key in sorted(set(live_by_key) | set(rebuilt_by_key), key=_sort_key):
        found, expected = live_by_key.get(key), rebuilt_by_key.get(key)
        sample = expected if expected is not None else found
        student = sample[student_at] if student_at is not None else None
        keys = dict(zip(key_columns, key))
        if found is not None and expected is not None:
            changes = [
                (col, exp, got) for col, exp, got in zip(columns, expected, found) if exp != got
            ]
            diffs.append(RowDiff(table, keys, "changed", student, changes))
        elif expected is not None:
            diffs.append(RowDiff(table, keys, "missing", student, row=dict(zip(columns, expected))))
        else:
            diffs.append(RowDiff(table, keys, "unexpected", student, row=dict(zip(columns, found))))
    return diffs


def _sort_key(key: tuple) -> tuple:
    return tuple((0, v) if isinstance(v, int | float) else (1, str(v)) for v in key)


def table_rows(db_path: str, table: str) -> list[tuple]:
    conn = open_readonly(db_path)
    try:
        key = ", ".join(TABLE_KEYS.get(table, ("rowid",)))
        return conn.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
    finally:
        conn.close()


def differences(live_db: str, rebuilt_db: str) -> dict[str, tuple[list, list]]:
    """Per table, the rows only in the live database and the rows only in the rebuilt one."""
    found = {}
    for table in COMPARED_TABLES:
        live, rebuilt = table_rows(live_db, table), table_rows(rebuilt_db, table)
        if live != rebuilt:
            live_set, rebuilt_set = set(live), set(rebuilt)
            found[table] = (
                [row for row in live if row not in rebuilt_set],
                [row for row in rebuilt if row not in live_set],
            )
    return found


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
