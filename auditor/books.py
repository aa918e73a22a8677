"""The auditor's books: what the events say each student, lot, entry and lesson must be.

The verifier (``tangopass.auditor.verify``) folds the events into these plain records and
compares the projections with them. No domain object is used: the books are the auditor's own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from tangopass.projections.chain import Head


@dataclass(frozen=True)
class Problem:
    """One broken rule, named as precisely as the evidence allows."""

    area: str  # "chain", "ledger" (rules on the events), "projection" or "schema"
    message: str
    notification_id: int | None = None
    student_id: int | None = None

    def __str__(self) -> str:
        return f"[{self.area}] {self.message}"


@dataclass
class LotBook:
    """One lot: its terms and every credit taken from it, given back to it, or expired."""

    id: int
    student: int
    source: str
    seq: int
    purchased_at: datetime
    expires_at: datetime
    total: int
    taken: int = 0
    returned: int = 0
    expired: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.taken + self.returned - self.expired

    def fifo_key(self) -> tuple[datetime, int]:
        return (self.purchased_at, self.id)


@dataclass
class EntryBook:
    """What the events say one journal entry must be."""

    seq: int
    notification_id: int
    type: str
    delta: int
    balance_after: int
    ts: str
    lot_id: int | None
    lesson_id: int | None
    ref_seq: int | None = None


@dataclass
class StudentBook:
    """One student's running balance, lots, registrations and entries, by the events."""

    number: int
    name: str
    aggregate_id: UUID
    seq: int = 0
    balance: int = 0  # balance_after of the latest entry
    delta_sum: int = 0
    lots: dict[int, LotBook] = field(default_factory=dict)
    open_lots: dict[int, LotBook] = field(default_factory=dict)
    held: Counter = field(default_factory=Counter)  # open registrations per lot
    open_registrations: dict[int, int] = field(default_factory=dict)  # lesson -> lot
    registrations: dict[int, tuple[int, str]] = field(default_factory=dict)  # lesson -> (lot, status)
    entries: dict[int, EntryBook] = field(default_factory=dict)  # by seq
    oldest_ref: int = 0
    oldest_seq: int | None = None

    def refresh(self, lot: LotBook) -> None:
        """A lot is open while it has credits or an open registration on it."""
        if lot.remaining > 0 or self.held[lot.id] > 0:
            self.open_lots[lot.id] = lot
        else:
            self.open_lots.pop(lot.id, None)

    def fifo(self, at: datetime) -> LotBook | None:
        usable = [lot for lot in self.open_lots.values() if lot.remaining > 0 and at < lot.expires_at]
        return min(usable, key=LotBook.fifo_key, default=None)


@dataclass
class LessonBook:
    """One lesson: when it starts, when its window closes, its status and attendees."""

    number: int
    starts_at: datetime
    closes_at: datetime
    status: str = "scheduled"
    attendees: list[int] = field(default_factory=list)


@dataclass
class VerifyReport:
    """The outcome: counts, every problem found, and the chain head when it is intact."""

    events: int = 0
    students: int = 0
    lots: int = 0
    problems: list[Problem] = field(default_factory=list)
    head: Head | None = None  # the newest stored link, when the chain is intact
    chain_intact: bool = True
    expected_head: Head | None = None
    expected_head_ok: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems
