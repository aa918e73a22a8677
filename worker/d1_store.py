"""The event store on D1, for the eventsourcing library: one atomic batch per append.

Selected with ``PERSISTENCE_MODULE=tangopass.worker.d1_store:D1Factory`` and
``TANGOPASS_D1=<name>`` naming a :class:`~tangopass.worker.d1.D1` registered in
:data:`DATABASES` (the Worker registers its ``env.DB``).

An append reads the store's head once (newest notification id, newest chain
link, next journal id), decides every row in Python, then writes one
``db.batch``: the events (with their notification ids), their hash-chain
links, the projection rows (the same projector functions as on SQLite) and the
idempotency answer. D1 runs a batch atomically, so either all of it is stored
or none. Two concurrent appends read the same head and collide on a unique key
(the event's version, its notification id, the chain position or a journal id);
D1 reports that as ``UNIQUE constraint failed`` or as an append-only trigger's
message, both raised here as the library's ``RecordConflictError``, and the
application reloads and retries the command, as on SQLite.

The library's mapper and transcoder make the stored events, so their bytes are
the same as the server's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    Notification,
    RecordConflictError,
    StoredEvent,
)

from tangopass.projections.chain import GENESIS, links
from tangopass.projections.idempotency import IdempotentAnswer
from tangopass.projections.projectors import project
from tangopass.worker.batch_cursor import BatchCursor
from tangopass.worker.d1 import D1, D1Error, Statement, as_bytes

DATABASES: dict[str, D1] = {}
CONFLICTS = ("UNIQUE constraint failed", "is append-only")
MAX_PARAMS = 100  # D1's limit of bound parameters per statement

HEAD = (
    "SELECT (SELECT MAX(rowid) FROM stored_events) AS last_event,"
    " (SELECT link FROM event_hash_chain ORDER BY notification_id DESC LIMIT 1) AS last_link,"
    " (SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_events) AS next_entry"
)


def multi_row_inserts(head: str, rows: Sequence[tuple]) -> list[Statement]:
    """``INSERT … VALUES (…), (…)`` statements of at most MAX_PARAMS parameters each."""
    if not rows:
        return []
    width = len(rows[0])
    per_statement = MAX_PARAMS // width
    statements = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        values = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
        statements.append((f"{head} VALUES {values}", [v for row in chunk for v in row]))
    return statements


def run_batch(d1: D1, statements: Sequence[Statement]) -> None:
    try:
        d1.batch(statements)
    except D1Error as error:
        if any(marker in str(error) for marker in CONFLICTS):
            raise RecordConflictError(str(error)) from None
        raise


def _stored(row: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(row["originator_id"]),
        originator_version=row["originator_version"],
        topic=row["topic"],
        state=as_bytes(row["state"]),
    )


class D1AggregateRecorder(AggregateRecorder):
    """Events (or snapshots) of aggregates in one table of the D1 schema."""

    def __init__(self, d1: D1, table: str):
        self.d1 = d1
        self.table = table

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:
            return None
        rows = [(s.originator_id.hex, s.originator_version, s.topic, bytes(s.state)) for s in stored_events]
        head = f"INSERT INTO {self.table} (originator_id, originator_version, topic, state)"
        run_batch(self.d1, multi_row_inserts(head, rows))
        return None

    def select_events(
        self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
        desc: bool = False, limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        sql = (f"SELECT originator_id, originator_version, topic, state FROM {self.table}"
               " WHERE originator_id = ?")
        params: list[Any] = [originator_id.hex if isinstance(originator_id, UUID) else originator_id]
        if gt is not None:
            sql += " AND originator_version > ?"
            params.append(gt)
        if lte is not None:
            sql += " AND originator_version <= ?"
            params.append(lte)
        sql += " ORDER BY originator_version" + (" DESC" if desc else " ASC")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_stored(row) for row in self.d1.query(sql, params)]


class D1ApplicationRecorder(D1AggregateRecorder, ApplicationRecorder):
    """The event store with its projections, chain and idempotency answers."""

    def __init__(self, d1: D1):
        super().__init__(d1, "stored_events")

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if not stored_events:  # a refused command saving nothing due: no write at all
            return []
        domain_events = kwargs.get("projected_events")
        if domain_events is None or len(domain_events) != len(stored_events):
            raise AssertionError("every append must carry its domain events for the projections")
        head = self.d1.query(HEAD)[0]
        if head["last_event"] is not None and head["last_link"] is None:
            raise RuntimeError("the event store holds events without a hash chain")
        first = (head["last_event"] or 0) + 1
        previous = bytes.fromhex(head["last_link"]) if head["last_link"] else GENESIS
        rows = [
            (first + i, s.originator_id.hex, s.originator_version, s.topic, bytes(s.state))
            for i, s in enumerate(stored_events)
        ]
        statements = multi_row_inserts(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)", rows
        )
        chain = [(nid, link.hex()) for nid, link in links(rows, previous)]
        statements += multi_row_inserts("INSERT INTO event_hash_chain (notification_id, link)", chain)
        cursor = BatchCursor(head["next_entry"])
        project(cursor, domain_events)
        answer: IdempotentAnswer | None = kwargs.get("idempotency")
        if answer is not None:
            answer.insert(cursor)
        run_batch(self.d1, statements + cursor.statements)
        return [row[0] for row in rows]

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (),
        *, inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        sql = "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events WHERE 1"
        params: list[Any] = []
        if start is not None:
            sql += " AND rowid >= ?" if inclusive_of_start else " AND rowid > ?"
            params.append(start)
        if stop is not None:
            sql += " AND rowid <= ?"
            params.append(stop)
        if topics:
            sql += f" AND topic IN ({', '.join('?' * len(topics))})"
            params.extend(topics)
        sql += " ORDER BY rowid LIMIT ?"
        params.append(limit)
        return [
            Notification(id=row["rowid"], **_stored(row).__dict__)
            for row in self.d1.query(sql, params)
        ]

    def max_notification_id(self) -> int | None:
        return self.d1.query("SELECT MAX(rowid) AS last FROM stored_events")[0]["last"]

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Any:
        raise NotImplementedError("D1 has no notifications to listen to")


class D1Factory(InfrastructureFactory):
    """The library's persistence module for D1 (no tracking: no process applications)."""

    def __init__(self, env: Any):
        super().__init__(env)
        name = self.env.get("TANGOPASS_D1") or "DB"
        if name not in DATABASES:
            raise LookupError(f"no D1 database registered as {name!r}")
        self.d1 = DATABASES[name]

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        return D1AggregateRecorder(self.d1, "stored_" + purpose)

    def application_recorder(self) -> ApplicationRecorder:
        return D1ApplicationRecorder(self.d1)

    def tracking_recorder(self, tracking_recorder_class: Any = None) -> Any:
        raise NotImplementedError("the Worker runs no process applications")

    def process_recorder(self) -> Any:
        raise NotImplementedError("the Worker runs no process applications")
