"""The hash chain over the event store: tamper evidence for the history.

Every stored event gets one link, written in the same transaction as the event
(``EventStore.append`` calls :func:`link_appended`)::

    link(n) = sha256(link(previous event) + canonical(event n))

``canonical`` covers exactly what the event store holds for the event: its
notification id (``stored_events.rowid``), ``originator_id`` (as stored, hex
text), ``originator_version``, ``topic`` and ``state``, each prefixed with its
length, so no two different events have the same bytes. The first link starts
from :data:`GENESIS`. Links are stored as lowercase hex in ``event_hash_chain``.

The chain is not a projection of the *decoded* events but of the stored rows;
it is derivable from them, so the auditor's rebuild recomputes it identically.
Someone who rewrites an event with plain SQL must also rewrite every later link
to hide it, and even then the head the teacher wrote down
(``tangopass verify --head``) no longer matches (``--expect-head``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

CHAIN_TABLE = "event_hash_chain"
GENESIS = hashlib.sha256(b"tangopass event hash chain v1").digest()

# One stored event as the chain sees it: rowid, originator_id, version, topic, state.
Row = tuple[int, str, int, str, bytes]

SELECT_ROWS = (
    "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
)


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def canonical(notification_id: int, originator_id: str, version: int, topic: str,
              state: bytes) -> bytes:
    """The bytes of one stored event that its link commits to."""
    return b"".join((
        _field(str(notification_id).encode()),
        _field(str(originator_id).encode()),
        _field(str(version).encode()),
        _field(topic.encode()),
        _field(bytes(state)),
    ))


def next_link(previous: bytes, row: Row) -> bytes:
    """The link of ``row`` given the (binary) link before it."""
    return hashlib.sha256(previous + canonical(*row)).digest()


def links(rows: Iterable[Row], previous: bytes = GENESIS) -> Iterator[tuple[int, bytes]]:
    """(notification id, link) for each row, in the order given."""
    for row in rows:
        previous = next_link(previous, row)
        yield row[0], previous


def last_link_before(cursor: Any, notification_id: int) -> bytes | None:
    row = cursor.execute(
        f"SELECT link FROM {CHAIN_TABLE} WHERE notification_id < ?"
        " ORDER BY notification_id DESC LIMIT 1",
        (notification_id,),
    ).fetchone()
    return None if row is None else bytes.fromhex(row[0])


def insert_links(cursor: Any, pairs: Iterable[tuple[int, bytes]]) -> None:
    cursor.executemany(
        f"INSERT INTO {CHAIN_TABLE} (notification_id, link) VALUES (?, ?)",
        ((nid, link.hex()) for nid, link in pairs),
    )


def link_appended(cursor: Any, rows: Sequence[Row]) -> None:
    """Link the events just inserted on ``cursor`` (same transaction, write lock held).

    ``rows`` are the appended events exactly as they were bound to the INSERT
    (notification id, originator_id as stored, version, topic, state bytes), in
    notification order: the links are computed from them in memory, without
    reading the append back. The previous link is the newest one before them
    (a row of an earlier append); an event appended outside the application
    (plain SQL) therefore stays unlinked, and ``verify`` keeps reporting it.

    A database that holds events from before the chain existed (schema 003
    applied to an old file) has an empty chain: the first append links the whole
    history first, from the genesis.
    """
    if not rows:
        return
    first = rows[0][0]
    previous = last_link_before(cursor, first)
    if previous is None:
        previous = GENESIS
        has_link = cursor.execute(f"SELECT 1 FROM {CHAIN_TABLE} LIMIT 1").fetchone()
        if has_link is None:  # an old history without links: link it all now
            history = cursor.execute(
                f"{SELECT_ROWS} WHERE rowid < ? ORDER BY rowid", (first,)
            ).fetchall()
            pairs = list(links(tuple(row) for row in history))
            insert_links(cursor, pairs)
            if pairs:
                previous = pairs[-1][1]
    insert_links(cursor, links(rows, previous))


@dataclass(frozen=True)
class Head:
    """The newest link: what the teacher writes down."""

    notification_id: int
    link: str

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.link}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """``N:HEX`` (as printed by ``verify --head``); ``N HEX`` and ``N/HEX`` too."""
        cleaned = text.strip()
        for sep in (":", "/", " ", "\t"):
            if sep in cleaned:
                number, _, link = cleaned.partition(sep)
                break
        else:
            raise ValueError("a head looks like 1234:9f86d081… (notification id, colon, hex hash)")
        number, link = number.strip(), link.strip().lower()
        if not number.isdigit() or int(number) < 1:
            raise ValueError(f"{number!r} is not a notification id (a positive whole number)")
        if len(link) != 64 or any(ch not in "0123456789abcdef" for ch in link):
            raise ValueError("the hash must be 64 hexadecimal characters (sha256)")
        return cls(int(number), link)
