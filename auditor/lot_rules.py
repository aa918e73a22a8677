"""The rules of lots, checked on the events: terms, FIFO, withdrawal, expiry, extension.

Each handler takes the ``Verifier`` and one decoded event; it books what the event did and
records a problem for every rule the event breaks. The ranges and the calendar arithmetic
are the auditor's own (``tangopass.auditor.terms``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tangopass.auditor.books import LotBook, StudentBook
from tangopass.auditor.terms import EXTEND_DAYS, LOT_CREDITS, plus_days, plus_months
from tangopass.ledger.instants import iso
from tangopass.ledger.entries import ADJUST, PURCHASE
from tangopass.ledger.student import Student

if TYPE_CHECKING:
    from tangopass.auditor.verify import Verifier

# A LotExtended written before it carried the time zone (class_version 1) can only be checked
# to within a daylight-saving shift.
DST_SLACK = timedelta(hours=2)


def check_fifo(v: Verifier, student: StudentBook, lot: LotBook, at: datetime, label: str) -> None:
    """A credit taken at ``at`` came from a lot valid then, with credit, first in FIFO order."""
    if at >= lot.expires_at:
        v.problem("ledger", f"{label}: took credit from lot {lot.id}, which had expired at"
                  f" {iso(lot.expires_at)}", student)
    if lot.remaining <= 0:
        v.problem("ledger", f"{label}: took credit from lot {lot.id}, which had none left", student)
    first = student.fifo(at)
    if first is not None and first.id != lot.id and at < lot.expires_at and lot.remaining > 0:
        v.problem("ledger", f"{label}: took credit from lot {lot.id}, but FIFO at that moment"
                  f" was lot {first.id} (bought {iso(first.purchased_at)})", student)


def on_new_lot(v: Verifier, e: Any) -> None:
    """PURCHASE or a positive ADJUST: a new lot with credits in range and a correct expiry."""
    student = v.student(e)
    if student is None:
        return
    source = PURCHASE if isinstance(e, Student.LotPurchased) else ADJUST
    label = v.entry(student, e, e.credits, lot_id=e.lot_id, ts=e.purchased_at)
    if e.lot_id in v.lot_owner:
        v.problem("ledger", f"{label}: lot id {e.lot_id} was already used", student)
        return
    if e.credits not in LOT_CREDITS:
        v.problem("ledger", f"{label}: {e.credits} credits is out of range"
                  f" {LOT_CREDITS.start}-{LOT_CREDITS.stop - 1}", student)
    try:
        expected = plus_months(e.purchased_at, e.validity_months, e.tz)
        if expected != e.expires_at:
            v.problem("ledger", f"{label}: expires_at {iso(e.expires_at)} is not purchased_at +"
                      f" {e.validity_months} months in {e.tz} ({iso(expected)})", student)
    except Exception as ex:  # noqa: BLE001 - an unreadable term is a finding
        v.problem("ledger", f"{label}: cannot recompute expires_at: {ex}", student)
    lot = LotBook(e.lot_id, student.number, source, e.seq, e.purchased_at, e.expires_at, e.credits)
    student.lots[lot.id] = lot
    v.lot_owner[lot.id] = student.number
    student.refresh(lot)


def on_withdrawn(v: Verifier, e: Any) -> None:
    """A negative ADJUST: credits taken FIFO, never more than the lot holds."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, -e.credits, lot_id=e.lot_id)
    lot = v.lot(student, e.lot_id, label)
    if lot is None:
        return
    check_fifo(v, student, lot, e.at, label)
    if lot.remaining < e.credits:
        v.problem("ledger", f"{label}: took {e.credits} credits from lot {lot.id},"
                  f" which had {lot.remaining}", student)
    lot.taken += e.credits
    student.refresh(lot)


def on_expired(v: Verifier, e: Any) -> None:
    """EXPIRE: exactly what was left, dated at the lot's expires_at, written after it."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, -e.credits, lot_id=e.lot_id, ts=e.expired_at)
    lot = v.lot(student, e.lot_id, label)
    if lot is None:
        return
    if e.credits != lot.remaining or e.credits <= 0:
        v.problem("ledger", f"{label}: expires {e.credits} credits of lot {lot.id},"
                  f" which had {lot.remaining} left", student)
    if e.expired_at != lot.expires_at:
        v.problem("ledger", f"{label}: dated {iso(e.expired_at)}, but lot {lot.id}"
                  f" expires at {iso(lot.expires_at)}", student)
    if e.at < lot.expires_at:
        v.problem("ledger", f"{label}: written at {iso(e.at)}, before lot {lot.id}"
                  f" expired ({iso(lot.expires_at)})", student)
    lot.expired += e.credits
    student.refresh(lot)


def on_extended(v: Verifier, e: Any) -> None:
    """EXTEND: a lot still valid, with credit, moved by N calendar days in the time zone."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, 0, lot_id=e.lot_id)
    lot = v.lot(student, e.lot_id, label)
    if lot is None:
        return
    if e.at >= lot.expires_at:
        v.problem("ledger", f"{label}: extends lot {lot.id}, which had already expired at"
                  f" {iso(lot.expires_at)}", student)
    if lot.remaining <= 0:
        v.problem("ledger", f"{label}: extends lot {lot.id}, which had no credit left", student)
    if e.days not in EXTEND_DAYS or not _moved_by_days(lot.expires_at, e):
        v.problem("ledger", f"{label}: moves lot {lot.id} from {iso(lot.expires_at)} to"
                  f" {iso(e.new_expires_at)}, which is not {e.days} days", student)
    lot.expires_at = e.new_expires_at


def _moved_by_days(old: datetime, e: Any) -> bool:
    if e.tz is None:  # written before LotExtended carried its time zone
        return abs(e.new_expires_at - old - timedelta(days=e.days)) <= DST_SLACK
    try:
        return plus_days(old, e.days, e.tz) == e.new_expires_at
    except Exception:  # noqa: BLE001 - an unknown time zone is a wrong extension
        return False


HANDLERS = {
    Student.LotPurchased: on_new_lot,
    Student.LotGranted: on_new_lot,
    Student.CreditsWithdrawn: on_withdrawn,
    Student.LotExpired: on_expired,
    Student.LotExtended: on_extended,
}
