"""Lots and registrations: what of a student's account can still move, and its arithmetic.

A lot is bought (or granted) credits with one expiry; credits leave it first-in, first-out
(oldest purchase first) and a cancelled registration gives its credit back to the lot it
came from. ``LotBook`` holds the queries and the bookkeeping the ``Student`` aggregate's
events apply; it keeps no state of its own (the attributes below are the aggregate's, and
snapshots store them as they are). Instants are aware ``datetime``s; credits are ints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tangopass.ledger.student import Student


@dataclass
class Lot:
    """An open lot: bought credits that can still be used or given back."""

    id: int
    seq: int  # the ledger entry (per student) that created it
    source: str  # PURCHASE or ADJUST
    purchased_at: datetime
    expires_at: datetime
    validity_months: int
    credits_total: int
    remaining: int

    def fifo_key(self) -> tuple[datetime, int]:
        return (self.purchased_at, self.id)

    def usable(self, now: datetime) -> bool:
        return self.remaining > 0 and now < self.expires_at


@dataclass
class Registration:
    """An open registration: the lesson and the lot its credit came from."""

    lesson_id: int
    lot_id: int
    registered_at: datetime


class LotBook:
    """The open lots (in FIFO order) and open registrations of an account.

    Mixed into ``Student``, whose events keep these attributes: ``lots: list[Lot]``,
    ``registrations: list[Registration]``, ``seq`` (ledger entries so far), ``balance``
    (credits) and ``closed_lots`` (lots dropped so far).
    """

    # ----------------------------------------------------------------- queries

    def lot(self, lot_id: int) -> Lot | None:
        return next((lot for lot in self.lots if lot.id == lot_id), None)

    def registration(self, lesson_id: int) -> Registration | None:
        return next((r for r in self.registrations if r.lesson_id == lesson_id), None)

    def is_registered(self, lesson_id: int) -> bool:
        return self.registration(lesson_id) is not None

    def fifo_lot(self, now: datetime) -> Lot | None:
        """The unexpired lot with the oldest purchase that still has credits."""
        return next((lot for lot in self.lots if lot.usable(now)), None)

    def returns_to_expired_lot(self, lesson_id: int, now: datetime) -> bool:
        """True if cancelling this registration now gives its credit back to an expired lot
        (it then expires at once: CANCEL, then EXPIRE). False if not registered."""
        registration = self.registration(lesson_id)
        if registration is None:
            return False
        lot = self.lot(registration.lot_id)
        return lot is not None and lot.expires_at <= now

    def usable_credits(self, now: datetime) -> int:
        return sum(lot.remaining for lot in self.lots if lot.usable(now))

    def due_to_expire(self, now: datetime) -> list[Lot]:
        """Lots the clock has expired that still hold credits, by expiry then id."""
        due = (lot for lot in self.lots if lot.expires_at <= now and lot.remaining > 0)
        return sorted(due, key=lambda lot: (lot.expires_at, lot.id))

    # --------------------------------------------- bookkeeping the events apply

    def _next_entry(self, delta: int) -> None:
        self.seq += 1
        self.balance += delta

    def _prune(self) -> None:
        """Drop lots that can never move again (no credit, no open registration)."""
        held = {r.lot_id for r in self.registrations}
        kept = [lot for lot in self.lots if lot.remaining > 0 or lot.id in held]
        self.closed_lots += len(self.lots) - len(kept)
        self.lots = kept

    def _apply_new_lot(self, lot_id, source, credits, validity_months, purchased_at, expires_at, seq):
        self.seq = seq
        self.balance += credits
        self.lots.append(
            Lot(lot_id, seq, source, purchased_at, expires_at, validity_months, credits, credits)
        )
        self.lots.sort(key=Lot.fifo_key)


def give_back(students: list[Student], lesson_id: int, now: datetime, by: str) -> tuple[int, int]:
    """Cancel each student's registration for the lesson, credit back to its lot.

    Returns (refunded, expired_on_return): how many credits went back, and how many
    of them went back to a lot already expired at ``now`` (so they expired at once).
    Every answer that reports refunded credits reports both.
    """
    refunded = expired = 0
    for student in students:
        to_expired_lot = student.returns_to_expired_lot(lesson_id, now)
        if student.cancel(lesson_id, now, by=by):
            refunded += 1
            expired += to_expired_lot
    return refunded, expired
