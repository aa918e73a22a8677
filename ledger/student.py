"""The student account: one aggregate holding every rule about a student's credits.

Each public command checks its guards, then records events through the private
``@event`` methods below. Every decision (which lot FIFO chose, the new expiry,
the balance after) is an attribute of the event, so replaying history never
depends on the clock or on settings that may have changed since. The event classes
and their topics (``tangopass:Student.X``, what stored events are decoded by) live
here, on the aggregate; lots, registrations and their FIFO queries are in ``lots.py``.

The state is bounded: a lot is dropped from it once it is *closed* (no credit
left and no open registration that could bring one back), and a registration is
dropped once cancelled or cleared. The history stays in the events; the account
only remembers what can still move.
"""

from __future__ import annotations

from copy import copy
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.calendar_math import add_days, add_months
from tangopass.ledger.entries import (
    ADJUST, CANCEL, EXPIRE, EXTEND, OLDEST, PURCHASE, REGISTER, STUDENT, SYSTEM, TEACHER,
)
from tangopass.ledger.errors import InvalidTermsError, NoCreditsError, StudentArchivedError
from tangopass.ledger.limits import EXTEND_DAYS, LOT_CREDITS, check_in, check_not_in_future
from tangopass.ledger.lots import Lot, LotBook, Registration, give_back

# Kept importable from here: ledger/application.py and projections/ import these names.
__all__ = ["ENTRY_TYPE", "STUDENT", "SYSTEM", "TEACHER", "Lot", "Registration", "Student",
           "give_back"]

STUDENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://tangopass.invalid/student")


class Student(LotBook, Aggregate):
    """A student's account: name, secret token, open lots, open registrations."""

    TOPIC = "tangopass:Student"

    class Created(Aggregate.Created):
        TOPIC = "tangopass:Student.Created"

    class Snapshot(Aggregate.Snapshot):
        TOPIC = "tangopass:Student.Snapshot"

    @staticmethod
    def create_id(number: int) -> UUID:
        """Student ids are small integers; the aggregate id is derived from them."""
        return uuid5(STUDENT_NAMESPACE, str(number))

    def __deepcopy__(self, memo: dict) -> Student:
        """The repository copies cached accounts for each command. Only the lists and
        each open lot (remaining, expires_at) change in place; the rest is immutable,
        so this is all a deep copy needs (and several times cheaper)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._pending_events = list(self._pending_events)
        clone.lots = [copy(lot) for lot in self.lots]
        clone.registrations = list(self.registrations)
        return clone

    @event("Added", topic="tangopass:Student.Added")
    def __init__(self, number: int, name: str, token: str, at: datetime, by: str):
        self.number = number
        self.name = name
        self.token = token
        self.lots: list[Lot] = []
        self.registrations: list[Registration] = []
        self.balance = 0
        self.seq = 0  # number of ledger entries so far
        self.oldest_ref = 0  # seq named by the newest OLDEST marker (0: none yet)
        self.closed_lots = 0  # lots closed so far
        self.closed_lots_at_marker = 0
        self.archived = False

    # ------------------------------------- guards and commands (queries: LotBook)

    def check_active(self) -> None:
        """Commands naming an archived student are refused until it is unarchived."""
        if getattr(self, "archived", False):  # accounts snapshotted before archiving existed
            raise StudentArchivedError(f"student {self.number} is archived; unarchive first")

    def settle(self, now: datetime) -> int:
        """Expire what the clock has expired; return how many EXPIRE entries were written."""
        due = self.due_to_expire(now)
        for lot in due:
            self._lot_expired(
                lot.id, lot.remaining, lot.expires_at, self.seq + 1, self.balance - lot.remaining,
                now, SYSTEM,
            )
        self.close_books(now)
        return len(due)

    def close_books(self, now: datetime) -> None:
        """Append an OLDEST marker if the first entry that still matters moved forward."""
        if self.closed_lots == self.closed_lots_at_marker:
            return
        open_seqs = [lot.seq for lot in self.lots]
        ref = min(open_seqs) if open_seqs else self.seq + 1  # all closed: names itself
        if ref > self.oldest_ref:
            self._oldest_marked(ref, self.seq + 1, self.balance, now, SYSTEM)

    def purchase(
        self,
        *,
        lot_id: int,
        credits: int,
        validity_months: int,
        purchased_at: datetime,
        now: datetime,
        tz: ZoneInfo,
        note: str | None,
        validity_options: tuple[int, ...] = (1, 3),
        price: str | None = None,
        currency: str | None = None,
    ) -> Lot:
        """Record a bought lot (possibly back-dated); expires after N calendar months.

        ``price`` is a decimal string with two decimals ("120.00") in ``currency``.
        """
        self.check_active()
        check_in("credits", credits, LOT_CREDITS)
        if validity_months not in validity_options:
            options = ", ".join(str(m) for m in validity_options)
            raise InvalidTermsError(f"validity_months must be one of {options}")
        check_not_in_future("purchased_at", purchased_at, now)
        expires_at = add_months(purchased_at, validity_months, tz)
        self._lot_purchased(
            lot_id, credits, validity_months, purchased_at, expires_at, note, tz.key,
            self.seq + 1, self.balance + credits, now, TEACHER, price, currency,
        )
        lot = self.lot(lot_id)
        self.settle(now)  # a lot bought long ago may already be over
        assert lot is not None
        return lot

    def grant(
        self, *, lot_id: int, credits: int, validity_months: int, reason: str,
        now: datetime, tz: ZoneInfo,
    ) -> None:
        """ADJUST +N: a new lot of N credits from now, with the teacher's reason."""
        self.check_active()
        check_in("credits", credits, LOT_CREDITS)
        expires_at = add_months(now, validity_months, tz)
        self._lot_granted(
            lot_id, credits, validity_months, now, expires_at, reason, tz.key,
            self.seq + 1, self.balance + credits, now, TEACHER,
        )

    def withdraw(self, *, credits: int, reason: str, now: datetime) -> None:
        """ADJUST -N: take N credits FIFO, one entry per lot touched; never below 0."""
        self.check_active()
        check_in("credits", credits, LOT_CREDITS)
        if self.usable_credits(now) < credits:
            raise NoCreditsError(
                f"cannot take {credits} credits: only {self.usable_credits(now)} available"
            )
        left = credits
        while left:
            lot = self.fifo_lot(now)
            assert lot is not None
            take = min(left, lot.remaining)
            self._credits_withdrawn(
                lot.id, take, reason, self.seq + 1, self.balance - take, now, TEACHER
            )
            left -= take
        self.close_books(now)

    def register(self, lesson_id: int, now: datetime, by: str = STUDENT) -> int:
        """Take one credit FIFO for the lesson; return the lot it came from.

        Registering again for the same lesson takes nothing and answers the same.
        """
        existing = self.registration(lesson_id)
        if existing is not None:
            return existing.lot_id
        self.check_active()
        lot = self.fifo_lot(now)
        if lot is None:
            raise NoCreditsError("no unexpired credit left")
        self._registered(lesson_id, lot.id, self.seq + 1, self.balance - 1, now, by)
        return lot.id

    def cancel(
        self, lesson_id: int, now: datetime, by: str = STUDENT, note: str | None = None
    ) -> bool:
        """Give the credit back to the lot it came from; False if not registered.

        If that lot has expired meanwhile, the credit expires with it (CANCEL, then EXPIRE).
        ``note`` (a closure's reason) is kept in the CANCEL entry.
        """
        registration = self.registration(lesson_id)
        if registration is None:
            return False
        self._registration_cancelled(
            lesson_id, registration.lot_id, self.seq + 1, self.balance + 1, now, by, note=note
        )
        self.settle(now)
        return True

    def clear(self, lesson_id: int, now: datetime) -> bool:
        """The lesson was held: the registration closes and its credit stays consumed."""
        if not self.is_registered(lesson_id):
            return False
        self._registration_cleared(lesson_id, now, TEACHER)
        self.close_books(now)
        return True

    def extend(self, days: int, now: datetime, tz: ZoneInfo, note: str | None = None) -> int:
        """Move every still-valid lot with credits by N calendar days; return how many.

        ``note`` (a closure's reason) is kept in each EXTEND entry.
        """
        check_in("days", days, EXTEND_DAYS)
        lots = [lot for lot in self.lots if lot.usable(now)]
        for lot in lots:
            new_expiry = add_days(lot.expires_at, days, tz)
            self._lot_extended(
                lot.id, days, new_expiry, tz.key, self.seq + 1, self.balance, now, TEACHER, note
            )
        return len(lots)

    def extend_lot(self, lot_id: int, days: int, reason: str, now: datetime, tz: ZoneInfo) -> Lot:
        """Move one lot not expired now, with credits left, by N calendar days (an illness).

        Raises NoCreditsError for a lot that is expired or used up.
        """
        self.check_active()
        check_in("days", days, EXTEND_DAYS)
        lot = self.lot(lot_id)
        if lot is None or not lot.usable(now):
            raise NoCreditsError(f"lot {lot_id} is expired or used up: nothing to extend")
        new_expiry = add_days(lot.expires_at, days, tz)
        self._lot_extended(
            lot.id, days, new_expiry, tz.key, self.seq + 1, self.balance, now, TEACHER, reason
        )
        return lot

    def rename(self, name: str, now: datetime) -> None:
        """A new name; the event keeps the old one."""
        if name != self.name:
            self._renamed(self.number, self.name, name, now, TEACHER)

    def set_archived(self, archived: bool, now: datetime) -> bool:
        """Archive or unarchive; False when it already was. Registrations are the caller's."""
        if archived == getattr(self, "archived", False):
            return False
        self._archive_changed(self.number, archived, now, TEACHER)
        return True

    def rotate_token(self, token: str, now: datetime) -> None:
        """Replace the secret token; the old link stops working."""
        self._rotate_token(token, now, TEACHER)

    # ------------------------------------------------------ events and applies

    @event("LotPurchased", topic="tangopass:Student.LotPurchased")
    def _lot_purchased(
        self, lot_id: int, credits: int, validity_months: int, purchased_at: datetime,
        expires_at: datetime, note: str | None, tz: str, seq: int, balance_after: int,
        at: datetime, by: str, price: str | None = None, currency: str | None = None,
    ) -> None:
        # price and currency came with the teacher's desk: older events have neither.
        self._apply_new_lot(lot_id, PURCHASE, credits, validity_months, purchased_at, expires_at, seq)

    @event("LotGranted", topic="tangopass:Student.LotGranted")
    def _lot_granted(
        self, lot_id: int, credits: int, validity_months: int, purchased_at: datetime,
        expires_at: datetime, reason: str, tz: str, seq: int, balance_after: int,
        at: datetime, by: str,
    ) -> None:
        self._apply_new_lot(lot_id, ADJUST, credits, validity_months, purchased_at, expires_at, seq)

    @event("CreditsWithdrawn", topic="tangopass:Student.CreditsWithdrawn")
    def _credits_withdrawn(
        self, lot_id: int, credits: int, reason: str, seq: int, balance_after: int,
        at: datetime, by: str,
    ) -> None:
        self._next_entry(-credits)
        self.lot(lot_id).remaining -= credits
        self._prune()

    @event("Registered", topic="tangopass:Student.Registered")
    def _registered(
        self, lesson_id: int, lot_id: int, seq: int, balance_after: int, at: datetime, by: str
    ) -> None:
        self._next_entry(-1)
        self.lot(lot_id).remaining -= 1
        self.registrations.append(Registration(lesson_id, lot_id, at))

    @event("RegistrationCancelled", topic="tangopass:Student.RegistrationCancelled")
    def _registration_cancelled(
        self, lesson_id: int, lot_id: int, seq: int, balance_after: int, at: datetime, by: str,
        note: str | None = None,
    ) -> None:
        self._next_entry(+1)
        self.lot(lot_id).remaining += 1
        self.registrations = [r for r in self.registrations if r.lesson_id != lesson_id]
        self._prune()

    @event("RegistrationCleared", topic="tangopass:Student.RegistrationCleared")
    def _registration_cleared(self, lesson_id: int, at: datetime, by: str) -> None:
        self.registrations = [r for r in self.registrations if r.lesson_id != lesson_id]
        self._prune()

    @event("LotExpired", topic="tangopass:Student.LotExpired")
    def _lot_expired(
        self, lot_id: int, credits: int, expired_at: datetime, seq: int, balance_after: int,
        at: datetime, by: str,
    ) -> None:
        self._next_entry(-credits)
        self.lot(lot_id).remaining -= credits
        self._prune()

    class LotExtended(Aggregate.Event):
        """EXTEND: lot ``lot_id``'s expiry moved by ``days`` calendar days in the studio time
        zone ``tz`` (IANA name) that was in force, with the teacher's ``reason`` for one lot.
        Version 1 (before ``tz`` was recorded) loads with ``tz = None``."""

        TOPIC = "tangopass:Student.LotExtended"
        class_version = 2
        lot_id: int
        days: int
        new_expires_at: datetime
        tz: str | None
        seq: int
        balance_after: int
        at: datetime
        by: str
        reason: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["tz"] = None
            state.setdefault("reason", None)  # written before extendLot existed

    @event(LotExtended)
    def _lot_extended(
        self, lot_id: int, days: int, new_expires_at: datetime, tz: str | None, seq: int,
        balance_after: int, at: datetime, by: str, reason: str | None = None,
    ) -> None:
        self._next_entry(0)
        self.lot(lot_id).expires_at = new_expires_at

    @event("OldestMarked", topic="tangopass:Student.OldestMarked")
    def _oldest_marked(
        self, ref_seq: int, seq: int, balance_after: int, at: datetime, by: str
    ) -> None:
        self._next_entry(0)
        self.oldest_ref = ref_seq
        self.closed_lots_at_marker = self.closed_lots

    @event("Renamed", topic="tangopass:Student.Renamed")
    def _renamed(self, number: int, old_name: str, name: str, at: datetime, by: str) -> None:
        self.name = name

    @event("ArchiveChanged", topic="tangopass:Student.ArchiveChanged")
    def _archive_changed(self, number: int, archived: bool, at: datetime, by: str) -> None:
        self.archived = archived

    @event("TokenRotated", topic="tangopass:Student.TokenRotated")
    def _rotate_token(self, token: str, at: datetime, by: str) -> None:
        self.token = token


# The ledger entry each event writes (projections and the auditor name entries from this).
ENTRY_TYPE: dict[type, str] = {
    Student.LotPurchased: PURCHASE,
    Student.LotGranted: ADJUST,
    Student.CreditsWithdrawn: ADJUST,
    Student.Registered: REGISTER,
    Student.RegistrationCancelled: CANCEL,
    Student.LotExpired: EXPIRE,
    Student.LotExtended: EXTEND,
    Student.OldestMarked: OLDEST,
}

