"""Every student's balance at a past instant, folded from the events alone.

What "at an instant" means is in ``tangopass balance --help`` (``api/audit/balance.py``): the
events recorded by then, and lots expired by the clock whether or not their EXPIRE was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tangopass.ledger.student import Student


@dataclass
class LotAt:
    """A lot as it stood: when it expires, and how many credits it still held."""

    expires_at: datetime
    remaining: int


@dataclass
class StudentAt:
    """A student as the books stood: the recorded balance and every lot."""

    id: int
    name: str
    recorded_balance: int = 0  # balance_after of the last entry written by then
    lots: dict[int, LotAt] = field(default_factory=dict)

    def available(self, as_of: datetime) -> int:
        """Credits usable at ``as_of``: lots not expired by the clock (expires_at > as_of)."""
        return sum(lot.remaining for lot in self.lots.values() if as_of < lot.expires_at)

    def expired_unrecorded(self, as_of: datetime) -> int:
        """Credits in lots expired by ``as_of`` whose EXPIRE entry was not written by then."""
        return sum(lot.remaining for lot in self.lots.values() if as_of >= lot.expires_at)

    def usable_lots(self, as_of: datetime) -> int:
        return sum(1 for lot in self.lots.values() if as_of < lot.expires_at and lot.remaining > 0)


def balances_as_of(events: Iterable[Any], as_of: datetime, include_backdated: bool = False
                   ) -> list[StudentAt]:
    """Fold the events recorded at or before ``as_of`` (their ``at``), in recorded order.

    A lot counts as expired once ``as_of >= expires_at`` (as moved by the EXTEND
    entries recorded by then), whether or not its EXPIRE entry had been written:
    that is what any read at ``as_of`` would have shown, since every read settles
    expiry first. With ``include_backdated``, a purchase recorded later but
    dated (``purchased_at``) at or before ``as_of`` counts too.
    """
    students: dict[Any, StudentAt] = {}
    for event in events:
        kind = type(event)
        recorded = event.at <= as_of
        if kind is Student.LotPurchased and not recorded and include_backdated \
                and event.purchased_at <= as_of and event.originator_id in students:
            students[event.originator_id].lots[event.lot_id] = LotAt(event.expires_at, event.credits)
            continue
        if not recorded:
            continue
        if kind is Student.Added:
            students[event.originator_id] = StudentAt(event.number, event.name)
            continue
        student = students.get(event.originator_id)
        if student is None or not hasattr(event, "balance_after"):
            continue
        student.recorded_balance = event.balance_after
        if kind in (Student.LotPurchased, Student.LotGranted):
            student.lots[event.lot_id] = LotAt(event.expires_at, event.credits)
            continue
        lot = student.lots.get(getattr(event, "lot_id", None))
        if lot is None:
            continue
        if kind is Student.Registered:
            lot.remaining -= 1
        elif kind is Student.RegistrationCancelled:
            lot.remaining += 1
        elif kind in (Student.CreditsWithdrawn, Student.LotExpired):
            lot.remaining -= event.credits
        elif kind is Student.LotExtended:
            lot.expires_at = event.new_expires_at
    return sorted(students.values(), key=lambda s: s.id)
