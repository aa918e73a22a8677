"""Load aggregates and append a command's events: the one write path on every store.

``load`` takes the cached aggregate (or the newest snapshot) and reads the
events after its version: inside a command that read runs under the write lock,
so the aggregate is the latest committed state, whatever other processes did.

``append`` writes, in the caller's ONE transaction: the events (a UNIQUE
(originator_id, version) refusal is a :class:`VersionConflict`: optimistic
concurrency stays the truth), their hash-chain links (computed from the bytes
just bound, not read back), the projectors' statements, the idempotent answer,
and a snapshot every ``snapshot_interval`` events of an aggregate, so a
snapshot never costs a second commit. Aggregates enter the cache only after
COMMIT; the runner drops the whole cache on any rollback.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from copy import deepcopy
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from tangopass.projections import projectors
from tangopass.projections.chain import link_appended
from tangopass.projections.storage import codec
from tangopass.projections.storage.port import Store

SNAPSHOT_INTERVAL = 50
CACHE_SIZE = 2000

SELECT_AFTER = (
    "SELECT originator_version, topic, state FROM stored_events"
    " WHERE originator_id = ? AND originator_version > ? ORDER BY originator_version"
)
SELECT_SNAPSHOT = (
    "SELECT originator_version, topic, state FROM stored_snapshots"
    " WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1"
)
INSERT_SNAPSHOT = (
    "INSERT INTO stored_snapshots (originator_id, originator_version, topic, state)"
    " VALUES (?, ?, ?, ?)"
)


class AggregateCache:
    """Committed aggregates by id (LRU); handed out as copies, so a command's changes stay its own."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[UUID, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, aggregate_id: UUID) -> Any | None:
        with self._lock:
            found = self._items.get(aggregate_id)
            if found is not None:
                self._items.move_to_end(aggregate_id)
        return None if found is None else deepcopy(found)

    def put(self, aggregate: Any) -> None:
        with self._lock:
            self._items[aggregate.id] = aggregate
            self._items.move_to_end(aggregate.id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def evict(self, aggregate_id: UUID) -> None:
        with self._lock:
            self._items.pop(aggregate_id, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class EventStore:
    def __init__(self, store: Store, *, snapshot_interval: int = SNAPSHOT_INTERVAL,
                 cache_size: int = CACHE_SIZE):
        self.store = store
        self.snapshot_interval = snapshot_interval
        self.cache = AggregateCache(cache_size)
        self.mapper = codec.make_mapper()

    def decode(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        return self.mapper.to_domain_event(StoredEvent(originator_id, version, topic, bytes(state)))

    def load(self, aggregate_id: UUID) -> Any | None:
        """The aggregate at its latest committed version (inside a command: under the lock), or None."""
        aggregate = self.cache.get(aggregate_id) if self.cache.size else None
        fresh = aggregate is None
        with self.store.read() as cursor:
            if fresh:
                row = cursor.execute(SELECT_SNAPSHOT, (aggregate_id.hex,)).fetchone()
                if row is not None:
                    aggregate = self.decode(aggregate_id, *row).mutate(None)
            after = aggregate.version if aggregate is not None else 0
            rows = cursor.execute(SELECT_AFTER, (aggregate_id.hex, after)).fetchall()
        for row in rows:
            aggregate = self.decode(aggregate_id, *row).mutate(aggregate)
        tx = self.store.current()
        if aggregate is not None and tx is not None and (fresh or rows) and self.cache.size:
            # Cached only once this transaction has committed (never uncommitted state).
            tx.after_commit.append(lambda kept=deepcopy(aggregate): self._remember(kept))
        return aggregate

    def append(self, aggregates: Sequence[Any], idempotency: Any = None) -> list[int]:
        """Write the aggregates' pending events and everything that follows from them.

        Runs inside the command's transaction (``store.write()``), else in its own.
        Returns the notification ids, in order. Raises VersionConflict.
        """
        tx = self.store.current()
        if tx is None:  # outside a command (fixtures, tests): its own transaction
            with self.store.write():
                return self.append(aggregates, idempotency)
        pending = [(aggregate, aggregate.collect_events()) for aggregate in aggregates]
        mapper = self.mapper
        rows = []
        numbered = []
        for aggregate, events in pending:
            for event in events:
                stored = mapper.to_stored_event(event)
                hex_id = stored.originator_id.hex
                nid = tx.insert_event(hex_id, stored.originator_version, stored.topic, stored.state)
                rows.append((nid, hex_id, stored.originator_version, stored.topic, stored.state))
                numbered.append((event, getattr(aggregate, "number", None)))
        link_appended(tx.cursor, rows)
        tx.run(projectors.statements(numbered))
        if idempotency is not None:
            tx.run([idempotency.statement()])
        for aggregate, events in pending:
            if events:
                self._snapshot_if_due(tx, aggregate, events)
                tx.after_commit.append(lambda kept=aggregate: self._remember(kept))
        return [row[0] for row in rows]

    def _snapshot_if_due(self, tx: Any, aggregate: Any, events: list) -> None:
        interval = self.snapshot_interval
        if not interval or not any(e.originator_version % interval == 0 for e in events):
            return
        snapshot = type(aggregate).Snapshot.take(aggregate)
        stored = self.mapper.to_stored_event(snapshot)
        tx.run([(INSERT_SNAPSHOT, (stored.originator_id.hex, stored.originator_version,
                                   stored.topic, stored.state))])

    def _remember(self, aggregate: Any) -> None:
        if self.cache.size:
            self.cache.put(aggregate)
