"""The auditor's verification: every balance and lot follows from the events.

One pass over the event store, in notification order, inside one read
transaction (a server may keep appending: the check sees one snapshot):

* the hash chain (projections/chain.py): each event's link is recomputed from
  the stored bytes and the link before it; an event without a link (appended
  with plain SQL), a link without an event (the event was deleted) and a link
  that does not match (edited, reordered) are each named;
* the ledger rules, from the decoded events alone: running balances, no credit
  taken from a lot expired at that moment (EXTEND entries move ``expires_at``),
  FIFO order, CANCEL back to the lot the registration took from, EXPIRE of
  exactly what was left, at the lot's ``expires_at``, OLDEST markers pointing at
  the first entry that still matters;
* then the projections are cross-checked against what the events imply:
  ``students.credits_available``, every lot's ``credits_remaining`` (total −
  taken + returned − expired), registrations, the journal (``ledger_events``)
  entry by entry and its own running balances.

Nothing here writes: the connection is read-only.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.persistence import StoredEvent

from tangopass.ledger.calendar_math import add_months
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.ledger.studio import Studio
from tangopass.projections.chain import CHAIN_TABLE, GENESIS, Head, next_link
from tangopass.projections.rebuild import has_table, stored_rows, to_stored_event

ENTRY_TYPES: dict[type, str] = {
    Student.LotPurchased: "PURCHASE",
    Student.LotGranted: "ADJUST",
    Student.CreditsWithdrawn: "ADJUST",
    Student.Registered: "REGISTER",
    Student.RegistrationCancelled: "CANCEL",
    Student.LotExpired: "EXPIRE",
    Student.LotExtended: "EXTEND",
    Student.OldestMarked: "OLDEST",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule, named as precisely as the evidence allows."""

    area: str  # "chain", "ledger" (rules on the events) or "projection"
    message: str
    notification_id: int | None = None
    student_id: int | None = None

    def __str__(self) -> str:
        return f"[{self.area}] {self.message}"


@dataclass
class LotBook:
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
    number: int
    starts_at: datetime
    closes_at: datetime
    status: str = "scheduled"
    attendees: list[int] = field(default_factory=list)


@dataclass
class VerifyReport:
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


class Verifier:
    """Folds the events into books, checking each rule as it goes."""

    def __init__(self, decode: Callable[[StoredEvent], Any], expect_head: Head | None = None):
        self.decode = decode
        self.report = VerifyReport(expected_head=expect_head)
        self.students: dict[UUID, StudentBook] = {}
        self.by_number: dict[int, StudentBook] = {}
        self.lessons: dict[UUID, LessonBook] = {}
        self.lesson_by_number: dict[int, LessonBook] = {}
        self.lot_owner: dict[int, int] = {}
        self.nid = 0
        self.ledger_ids: dict[tuple[int, int], int] = {}  # (student, seq) -> ledger id (projection)

    # ---------------------------------------------------------------- problems

    def problem(self, area: str, message: str, student: StudentBook | None = None) -> None:
        self.report.problems.append(Problem(
            area, message, self.nid, None if student is None else student.number
        ))

    def who(self, student: StudentBook) -> str:
        return f"student {student.number} ({student.name})"

    def entry_label(self, student: StudentBook, kind: str, event: Any) -> str:
        seq = getattr(event, "seq", None)
        ledger_id = self.ledger_ids.get((student.number, seq))
        where = f"ledger #{ledger_id}, " if ledger_id is not None else ""
        return (
            f"{self.who(student)}: {kind} entry seq {seq} ({where}event #{self.nid},"
            f" at {iso(event.at)})"
        )

    # ------------------------------------------------------------------ walk

    def run(self, conn: sqlite3.Connection, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Verify everything readable on ``conn`` (call inside a read transaction)."""
        self._load_ledger_ids(conn)
        stored_chain = self._chain_rows(conn)
        chained = stored_chain is not None
        pending_links = iter(stored_chain or ())
        link_row = next(pending_links, None)
        previous_stored: bytes | None = GENESIS
        strict = GENESIS  # the chain recomputed from the genesis over the events as they are
        expect = self.report.expected_head
        last_stored: tuple[int, str] | None = None
        count = 0
        if not chained:
            self.problem("chain", f"the database has no {CHAIN_TABLE} table (schema 003 not applied)")
        for row in stored_rows(conn):
            nid = row[0]
            self.nid = nid
            # Links for notification ids with no event: those events were deleted.
            while link_row is not None and link_row[0] < nid:
                self.problem(
                    "chain",
                    f"chain link #{link_row[0]} has no event: event #{link_row[0]} was deleted",
                )
                previous_stored = bytes.fromhex(link_row[1])
                last_stored = link_row
                link_row = next(pending_links, None)
            strict = next_link(strict, row)
            if expect is not None and nid == expect.notification_id:
                self._check_expected(strict)
            if chained:
                if link_row is not None and link_row[0] == nid:
                    stored = bytes.fromhex(link_row[1])
                    if previous_stored is not None and next_link(previous_stored, row) != stored:
                        self.problem(
                            "chain",
                            f"event #{nid} does not match its chain link (edited, reordered or"
                            " its link rewritten after it was written)",
                        )
                    previous_stored = stored
                    last_stored = link_row
                    link_row = next(pending_links, None)
                else:
                    self.problem(
                        "chain",
                        f"event #{nid} has no chain link: it was not appended by the"
                        " application (inserted with plain SQL?)",
                    )
            self._event(row)
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        while link_row is not None:
            self.nid = link_row[0]
            self.problem("chain", f"chain link #{link_row[0]} has no event: event #{link_row[0]} was deleted")
            last_stored = link_row
            link_row = next(pending_links, None)
        if progress and count % 1000:
            progress(count % 1000)
        self.report.events = count
        chain_problems = any(p.area == "chain" for p in self.report.problems)
        self.report.chain_intact = chained and not chain_problems
        if self.report.chain_intact and last_stored is not None:
            self.report.head = Head(last_stored[0], last_stored[1])
        if expect is not None and self.report.expected_head_ok is None:
            last = self.nid_max(conn)
            self.nid = expect.notification_id
            self.report.expected_head_ok = False
            why = (f"the history now ends at #{last}" if expect.notification_id > last
                   else "that event no longer exists")
            self.problem(
                "chain",
                f"expected head {expect}: there is no event #{expect.notification_id} ({why});"
                " events were deleted",
            )
        self.nid = 0
        self._cross_check(conn)
        self.report.students = len(self.students)
        self.report.lots = len(self.lot_owner)
        return self.report

    @staticmethod
    def nid_max(conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]

    def _check_expected(self, strict: bytes) -> None:
        expect = self.report.expected_head
        assert expect is not None
        self.report.expected_head_ok = strict.hex() == expect.link
        if not self.report.expected_head_ok:
            self.problem(
                "chain",
                f"expected head {expect} does not match: the events up to #{expect.notification_id}"
                f" now hash to {strict.hex()}; history before that point was rewritten",
            )

    def _chain_rows(self, conn: sqlite3.Connection) -> list[tuple[int, str]] | None:
        if not has_table(conn, CHAIN_TABLE):
            return None
        return conn.execute(
            f"SELECT notification_id, link FROM {CHAIN_TABLE} ORDER BY notification_id"
        ).fetchall()

    def _load_ledger_ids(self, conn: sqlite3.Connection) -> None:
        self.ledger_ids = {
            (student, seq): entry_id
            for entry_id, student, seq in conn.execute("SELECT id, student_id, seq FROM ledger_events")
        }

    # ---------------------------------------------------------------- events

    def _event(self, row: tuple) -> None:
        try:
            event = self.decode(to_stored_event(row))
        except Exception as ex:  # noqa: BLE001 - any failure to decode is a finding
            self.problem("ledger", f"event #{row[0]} ({row[3]}) cannot be decoded: {ex}")
            return
        handler = HANDLERS.get(type(event))
        if handler is None:
            self.problem("ledger", f"event #{row[0]} has a topic nobody knows: {row[3]}")
            return
        handler(self, event)

    def _student(self, event: Any) -> StudentBook | None:
        student = self.students.get(event.originator_id)
        if student is None:
            self.problem("ledger", f"event #{self.nid} is for a student that was never added")
        return student

    def _lot(self, student: StudentBook, lot_id: int, label: str) -> LotBook | None:
        lot = student.lots.get(lot_id)
        if lot is None:
            owner = self.lot_owner.get(lot_id)
            whose = "no such lot" if owner is None else f"lot {lot_id} belongs to student {owner}"
            self.problem("ledger", f"{label}: names lot {lot_id}, but {whose}", student)
        return lot

    def _entry(self, student: StudentBook, event: Any, delta: int, *, lot_id: int | None = None,
               lesson_id: int | None = None, ts: datetime | None = None) -> str:
        """Check the entry's place in the running balance; return its label."""
        kind = ENTRY_TYPES[type(event)]
        label = self.entry_label(student, kind, event)
        if event.seq != student.seq + 1:
            self.problem(
                "ledger", f"{label}: entry number {event.seq} follows {student.seq}"
                " (an entry is missing or out of order)", student,
            )
        if event.balance_after != student.balance + delta:
            self.problem(
                "ledger", f"{label}: balance_after is {event.balance_after}, but the balance"
                f" before was {student.balance} and the entry moves {delta:+d}"
                f" (expected {student.balance + delta})", student,
            )
        student.seq = event.seq
        student.balance = event.balance_after
        student.delta_sum += delta
        student.entries[event.seq] = EntryBook(
            event.seq, self.nid, kind, delta, event.balance_after, iso(ts or event.at),
            lot_id, lesson_id,
        )
        return label

    def _check_fifo(self, student: StudentBook, lot: LotBook, at: datetime, label: str) -> None:
        if at >= lot.expires_at:
            self.problem(
                "ledger", f"{label}: took credit from lot {lot.id}, which had expired at"
                f" {iso(lot.expires_at)}", student,
            )
        if lot.remaining <= 0:
            self.problem("ledger", f"{label}: took credit from lot {lot.id}, which had none left", student)
        first = student.fifo(at)
        if first is not None and first.id != lot.id and at < lot.expires_at and lot.remaining > 0:
            self.problem(
                "ledger", f"{label}: took credit from lot {lot.id}, but FIFO at that moment"
                f" was lot {first.id} (bought {iso(first.purchased_at)})", student,
            )

    # students

    def on_added(self, e: Any) -> None:
        if e.originator_id in self.students or e.number in self.by_number:
            self.problem("ledger", f"event #{self.nid}: student {e.number} added twice")
            return
        student = StudentBook(e.number, e.name, e.originator_id)
        if Student.create_id(e.number) != e.originator_id:
            self.problem("ledger", f"event #{self.nid}: student {e.number} has a foreign aggregate id", student)
        self.students[e.originator_id] = student
        self.by_number[e.number] = student

    def on_renamed(self, e: Any) -> None:
        student = self._student(e)
        if student is not None:
            student.name = e.name

    def on_token(self, e: Any) -> None:
        self._student(e)

    def on_new_lot(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        source = "PURCHASE" if isinstance(e, Student.LotPurchased) else "ADJUST"
        label = self._entry(student, e, e.credits, lot_id=e.lot_id, ts=e.purchased_at)
        if e.lot_id in self.lot_owner:
            self.problem("ledger", f"{label}: lot id {e.lot_id} was already used", student)
            return
        if not 1 <= e.credits <= 100:
            self.problem("ledger", f"{label}: {e.credits} credits is out of range 1-100", student)
        try:
            expected = add_months(e.purchased_at, e.validity_months, ZoneInfo(e.tz))
            if expected != e.expires_at:
                self.problem(
                    "ledger", f"{label}: expires_at {iso(e.expires_at)} is not purchased_at +"
                    f" {e.validity_months} months in {e.tz} ({iso(expected)})", student,
                )
        except Exception as ex:  # noqa: BLE001
            self.problem("ledger", f"{label}: cannot recompute expires_at: {ex}", student)
        lot = LotBook(e.lot_id, student.number, source, e.seq, e.purchased_at, e.expires_at, e.credits)
        student.lots[lot.id] = lot
        self.lot_owner[lot.id] = student.number
        student.refresh(lot)

    def on_withdrawn(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, -e.credits, lot_id=e.lot_id)
        lot = self._lot(student, e.lot_id, label)
        if lot is None:
            return
        self._check_fifo(student, lot, e.at, label)
        if lot.remaining < e.credits:
            self.problem("ledger", f"{label}: took {e.credits} credits from lot {lot.id},"
                         f" which had {lot.remaining}", student)
        lot.taken += e.credits
        student.refresh(lot)

    def on_registered(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, -1, lot_id=e.lot_id, lesson_id=e.lesson_id)
        if e.lesson_id in student.open_registrations:
            self.problem("ledger", f"{label}: already registered for lesson {e.lesson_id}", student)
        lesson = self.lesson_by_number.get(e.lesson_id)
        if lesson is None:
            self.problem("ledger", f"{label}: lesson {e.lesson_id} was never scheduled", student)
        elif lesson.status != "scheduled":
            self.problem("ledger", f"{label}: lesson {e.lesson_id} was already {lesson.status}", student)
        elif e.by == "student" and e.at >= lesson.closes_at:
            self.problem("ledger", f"{label}: registration for lesson {e.lesson_id} had closed at"
                         f" {iso(lesson.closes_at)}", student)
        lot = self._lot(student, e.lot_id, label)
        if lot is None:
            return
        self._check_fifo(student, lot, e.at, label)
        lot.taken += 1
        student.open_registrations[e.lesson_id] = lot.id
        student.registrations[e.lesson_id] = (lot.id, "open")
        student.held[lot.id] += 1
        student.refresh(lot)

    def on_cancelled(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, +1, lot_id=e.lot_id, lesson_id=e.lesson_id)
        held = student.open_registrations.pop(e.lesson_id, None)
        if held is None:
            self.problem("ledger", f"{label}: cancels lesson {e.lesson_id}, but there was no open"
                         " registration for it", student)
        elif held != e.lot_id:
            self.problem("ledger", f"{label}: gives the credit back to lot {e.lot_id}, but the"
                         f" registration took it from lot {held}", student)
        lesson = self.lesson_by_number.get(e.lesson_id)
        if lesson is not None and e.by == "student" and e.at >= lesson.closes_at:
            self.problem("ledger", f"{label}: cancelled by the student after the window closed at"
                         f" {iso(lesson.closes_at)}", student)
        if held is not None:
            student.held[held] -= 1
        student.registrations[e.lesson_id] = (e.lot_id, "cancelled")
        lot = self._lot(student, e.lot_id, label)
        if lot is None:
            return
        lot.returned += 1
        student.refresh(lot)
        if held is not None and held != e.lot_id and held in student.lots:
            student.refresh(student.lots[held])

    def on_cleared(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        held = student.open_registrations.pop(e.lesson_id, None)
        if held is None:
            self.problem("ledger", f"{self.who(student)}: event #{self.nid} clears lesson"
                         f" {e.lesson_id}, but there was no open registration for it", student)
            return
        student.held[held] -= 1
        student.registrations[e.lesson_id] = (held, "cleared")
        if held in student.lots:
            student.refresh(student.lots[held])

    def on_expired(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, -e.credits, lot_id=e.lot_id, ts=e.expired_at)
        lot = self._lot(student, e.lot_id, label)
        if lot is None:
            return
        if e.credits != lot.remaining or e.credits <= 0:
            self.problem("ledger", f"{label}: expires {e.credits} credits of lot {lot.id},"
                         f" which had {lot.remaining} left", student)
        if e.expired_at != lot.expires_at:
            self.problem("ledger", f"{label}: dated {iso(e.expired_at)}, but lot {lot.id}"
                         f" expires at {iso(lot.expires_at)}", student)
        if e.at < lot.expires_at:
            self.problem("ledger", f"{label}: written at {iso(e.at)}, before lot {lot.id}"
                         f" expired ({iso(lot.expires_at)})", student)
        lot.expired += e.credits
        student.refresh(lot)

    def on_extended(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, 0, lot_id=e.lot_id)
        lot = self._lot(student, e.lot_id, label)
        if lot is None:
            return
        if e.at >= lot.expires_at:
            self.problem("ledger", f"{label}: extends lot {lot.id}, which had already expired at"
                         f" {iso(lot.expires_at)}", student)
        if lot.remaining <= 0:
            self.problem("ledger", f"{label}: extends lot {lot.id}, which had no credit left", student)
        moved = e.new_expires_at - lot.expires_at
        if not 1 <= e.days <= 366 or abs(moved - timedelta(days=e.days)) > timedelta(hours=2):
            self.problem("ledger", f"{label}: moves lot {lot.id} from {iso(lot.expires_at)} to"
                         f" {iso(e.new_expires_at)}, which is not {e.days} days", student)
        lot.expires_at = e.new_expires_at

    def on_oldest(self, e: Any) -> None:
        student = self._student(e)
        if student is None:
            return
        label = self._entry(student, e, 0)
        student.entries[e.seq].ref_seq = e.ref_seq
        if e.ref_seq <= student.oldest_ref:
            self.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, not past the previous"
                         f" marker's seq {student.oldest_ref}", student)
        if e.ref_seq > e.seq:
            self.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, after itself", student)
        still_open = sorted(
            (lot for lot in student.open_lots.values() if lot.seq < e.ref_seq), key=lambda lot: lot.seq
        )
        for lot in still_open:
            reason = (f"{lot.remaining} credit(s) left" if lot.remaining
                      else "an open registration on it")
            self.problem(
                "ledger", f"{label}: points at entry seq {e.ref_seq}, but lot {lot.id} (bought at"
                f" seq {lot.seq}) is still open ({reason})", student,
            )
        if e.ref_seq != e.seq:
            named = next((lot for lot in student.lots.values() if lot.seq == e.ref_seq), None)
            if named is None:
                self.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, which is not a"
                             " PURCHASE or ADJUST that made a lot", student)
            elif named.id not in student.open_lots:
                self.problem("ledger", f"{label}: points at lot {named.id}, which is closed: the"
                             " marker should be further on", student)
        student.oldest_ref = e.ref_seq
        student.oldest_seq = e.seq

    # lessons

    def on_scheduled(self, e: Any) -> None:
        if e.number in self.lesson_by_number:
            self.problem("ledger", f"event #{self.nid}: lesson {e.number} scheduled twice")
            return
        lesson = LessonBook(e.number, e.starts_at, e.closes_at)
        self.lessons[e.originator_id] = lesson
        self.lesson_by_number[e.number] = lesson

    def _lesson(self, e: Any) -> LessonBook | None:
        lesson = self.lessons.get(e.originator_id)
        if lesson is None:
            self.problem("ledger", f"event #{self.nid} is for a lesson that was never scheduled")
        return lesson

    def on_attendee_added(self, e: Any) -> None:
        lesson = self._lesson(e)
        if lesson is None:
            return
        student = self.by_number.get(e.student_number)
        if student is None or student.open_registrations.get(lesson.number) is None:
            self.problem("ledger", f"event #{self.nid}: lesson {lesson.number} admits student"
                         f" {e.student_number}, who holds no registration for it")
        lesson.attendees.append(e.student_number)

    def on_attendee_removed(self, e: Any) -> None:
        lesson = self._lesson(e)
        if lesson is None:
            return
        if e.student_number not in lesson.attendees:
            self.problem("ledger", f"event #{self.nid}: lesson {lesson.number} releases student"
                         f" {e.student_number}, who was not on its list")
        else:
            lesson.attendees.remove(e.student_number)

    def on_lesson_closed(self, e: Any) -> None:
        lesson = self._lesson(e)
        if lesson is None:
            return
        status = "cleared" if isinstance(e, Lesson.Cleared) else "cancelled"
        if lesson.status != "scheduled":
            self.problem("ledger", f"event #{self.nid}: lesson {lesson.number} {status} after it"
                         f" was already {lesson.status}")
        if sorted(e.attendees) != sorted(lesson.attendees):
            self.problem("ledger", f"event #{self.nid}: lesson {lesson.number} {status} with"
                         f" attendees {sorted(e.attendees)}, but its list was {sorted(lesson.attendees)}")
        lesson.status = status

    # ------------------------------------------------------------ projections

    def _cross_check(self, conn: sqlite3.Connection) -> None:
        def bad(message: str, student: int | None = None) -> None:
            self.report.problems.append(Problem("projection", message, None, student))

        names = {number: s.name for number, s in self.by_number.items()}

        def who(number: int) -> str:
            return f"student {number}" + (f" ({names[number]})" if number in names else "")

        # students: their balance follows from the deltas
        seen = set()
        for number, name, credits, oldest in conn.execute(
            "SELECT id, name, credits_available, oldest_entry_id FROM students"
        ):
            seen.add(number)
            student = self.by_number.get(number)
            if student is None:
                bad(f"students row {number} ({name}) has no StudentAdded event", number)
                continue
            if student.delta_sum != student.balance:
                bad(f"{who(number)}: the entries' deltas add up to {student.delta_sum}, but the"
                    f" last balance_after is {student.balance}", number)
            if credits != student.delta_sum:
                bad(f"{who(number)}: credits_available is {credits}, but the deltas of the"
                    f" events add up to {student.delta_sum}", number)
            from_lots = sum(lot.remaining for lot in student.lots.values())
            if from_lots != student.delta_sum:
                bad(f"{who(number)}: the lots hold {from_lots} credits, but the balance is"
                    f" {student.delta_sum}", number)
            if student.oldest_seq is not None:
                marker = self.ledger_ids.get((number, student.oldest_seq))
                target = (marker if student.oldest_ref == student.oldest_seq
                          else self.ledger_ids.get((number, student.oldest_ref)))
                if oldest != target:
                    bad(f"{who(number)}: oldest_entry_id is {oldest}, but the newest OLDEST marker"
                        f" names ledger #{target}", number)
        for number in sorted(set(self.by_number) - seen):
            bad(f"{who(number)}: added by the events, but has no students row", number)

        # lots: credits_remaining = total - taken + returned - expired
        lots_seen = set()
        for lot_id, student_id, source, purchased, expires, total, remaining in conn.execute(
            "SELECT id, student_id, source, purchased_at, expires_at, credits_total,"
            " credits_remaining FROM lots"
        ):
            lots_seen.add(lot_id)
            owner = self.lot_owner.get(lot_id)
            lot = None if owner is None else self.by_number[owner].lots[lot_id]
            if lot is None:
                bad(f"lot {lot_id} of {who(student_id)} has no purchase or ADJUST event", student_id)
                continue
            expected = {
                "student_id": lot.student, "source": lot.source,
                "purchased_at": iso(lot.purchased_at), "expires_at": iso(lot.expires_at),
                "credits_total": lot.total, "credits_remaining": lot.remaining,
            }
            found = {
                "student_id": student_id, "source": source, "purchased_at": purchased,
                "expires_at": expires, "credits_total": total, "credits_remaining": remaining,
            }
            for column, value in expected.items():
                if found[column] != value:
                    extra = ""
                    if column == "credits_remaining":
                        extra = (f" (total {lot.total} - taken {lot.taken} + returned"
                                 f" {lot.returned} - expired {lot.expired})")
                    bad(f"lot {lot_id} of {who(lot.student)}: {column} is {found[column]!r},"
                        f" the events say {value!r}{extra}", lot.student)
        for lot_id in sorted(set(self.lot_owner) - lots_seen):
            bad(f"lot {lot_id} of {who(self.lot_owner[lot_id])}: in the events, missing from lots",
                self.lot_owner[lot_id])

        # registrations: one row per (lesson, student), status from REGISTER/CANCEL/clear
        regs_seen = set()
        for lesson_id, student_id, lot_id, status in conn.execute(
            "SELECT lesson_id, student_id, lot_id, status FROM registrations"
        ):
            regs_seen.add((lesson_id, student_id))
            student = self.by_number.get(student_id)
            expected = None if student is None else student.registrations.get(lesson_id)
            if expected is None:
                bad(f"registration of {who(student_id)} for lesson {lesson_id} has no REGISTER"
                    " event", student_id)
            elif expected != (lot_id, status):
                bad(f"registration of {who(student_id)} for lesson {lesson_id}: lot {lot_id},"
                    f" {status}; the events say lot {expected[0]}, {expected[1]}", student_id)
        regs_by_student: dict[int, set[int]] = {}
        for lesson_id, student_id in regs_seen:
            regs_by_student.setdefault(student_id, set()).add(lesson_id)
        for student in self.by_number.values():
            for lesson_id in sorted(set(student.registrations) - regs_by_student.get(student.number, set())):
                bad(f"registration of {who(student.number)} for lesson {lesson_id}: in the"
                    " events, missing from registrations", student.number)
        for lesson in self.lesson_by_number.values():
            if lesson.status != "scheduled":
                continue
            holding = sorted(
                s.number for s in self.by_number.values() if lesson.number in s.open_registrations
            )
            if holding != sorted(lesson.attendees):
                self.report.problems.append(Problem(
                    "ledger", f"lesson {lesson.number}: its attendees {sorted(lesson.attendees)}"
                    f" differ from the students registered for it {holding}",
                ))

        # the journal, entry by entry, and its own running balances
        running: dict[int, int] = {}
        delta_sums: dict[int, int] = {}
        entries_seen = set()
        for (entry_id, student_id, seq, ts, kind, delta, balance_after, lot_id, lesson_id,
             ref_event_id) in conn.execute(
            "SELECT id, student_id, seq, ts, type, delta_credits, balance_after, ref_lot_id,"
            " ref_lesson_id, ref_event_id FROM ledger_events ORDER BY id"
        ):
            entries_seen.add((student_id, seq))
            label = f"ledger #{entry_id} ({who(student_id)}, seq {seq}, {kind})"
            # Each entry against the one before it (not the running sum), so one
            # rewritten row is named once instead of every row after it.
            before = running.get(student_id, 0)
            if balance_after != before + delta:
                bad(f"{label}: balance_after {balance_after} is not the previous entry's"
                    f" {before} {delta:+d} = {before + delta}", student_id)
            running[student_id] = balance_after
            delta_sums[student_id] = delta_sums.get(student_id, 0) + delta
            student = self.by_number.get(student_id)
            entry = None if student is None else student.entries.get(seq)
            if entry is None:
                bad(f"{label}: no event made this entry", student_id)
                continue
            expected = (entry.type, entry.delta, entry.balance_after, entry.ts, entry.lot_id,
                        entry.lesson_id)
            found = (kind, delta, balance_after, ts, lot_id, lesson_id)
            columns = ("type", "delta_credits", "balance_after", "ts", "ref_lot_id", "ref_lesson_id")
            for column, exp, got in zip(columns, expected, found):
                if exp != got:
                    bad(f"{label}: {column} is {got!r}, event #{entry.notification_id} says {exp!r}",
                        student_id)
            if entry.ref_seq is not None:
                target = (entry_id if entry.ref_seq == entry.seq
                          else self.ledger_ids.get((student_id, entry.ref_seq)))
                if ref_event_id != target:
                    bad(f"{label}: ref_event_id is {ref_event_id}, the marker names seq"
                        f" {entry.ref_seq} (ledger #{target})", student_id)
        for number, credits in conn.execute("SELECT id, credits_available FROM students"):
            if delta_sums.get(number, 0) != credits:
                bad(f"{who(number)}: the delta_credits in ledger_events add up to"
                    f" {delta_sums.get(number, 0)}, but credits_available is {credits}", number)
        seqs_by_student: dict[int, set[int]] = {}
        for student_id, seq in entries_seen:
            seqs_by_student.setdefault(student_id, set()).add(seq)
        for student in self.by_number.values():
            for seq in sorted(set(student.entries) - seqs_by_student.get(student.number, set())):
                entry = student.entries[seq]
                bad(f"{who(student.number)}: {entry.type} entry seq {seq} (event"
                    f" #{entry.notification_id}) is missing from ledger_events", student.number)


HANDLERS: dict[type, Callable[[Verifier, Any], None]] = {
    Student.Added: Verifier.on_added,
    Student.TokenRotated: Verifier.on_token,
    Student.LotPurchased: Verifier.on_new_lot,
    Student.LotGranted: Verifier.on_new_lot,
    Student.CreditsWithdrawn: Verifier.on_withdrawn,
    Student.Registered: Verifier.on_registered,
    Student.RegistrationCancelled: Verifier.on_cancelled,
    Student.RegistrationCleared: Verifier.on_cleared,
    Student.LotExpired: Verifier.on_expired,
    Student.LotExtended: Verifier.on_extended,
    Student.OldestMarked: Verifier.on_oldest,
    Student.Renamed: Verifier.on_renamed,
    Student.ArchiveChanged: lambda verifier, event: None,  # no credit moves
    Studio.Opened: lambda verifier, event: None,  # settings: checked by verify_report
    Studio.SettingsChanged: lambda verifier, event: None,
    Studio.CurrencyLocked: lambda verifier, event: None,
    Lesson.Scheduled: Verifier.on_scheduled,
    Lesson.AttendeeAdded: Verifier.on_attendee_added,
    Lesson.AttendeeRemoved: Verifier.on_attendee_removed,
    Lesson.Cleared: Verifier.on_lesson_closed,
    Lesson.Cancelled: Verifier.on_lesson_closed,
}


def verify_connection(
    conn: sqlite3.Connection,
    decode: Callable[[StoredEvent], Any],
    *,
    expect_head: Head | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Verify the database on ``conn`` in one read snapshot (``conn`` in autocommit mode)."""
    conn.execute("BEGIN")
    try:
        return Verifier(decode, expect_head).run(conn, progress)
    finally:
        conn.execute("ROLLBACK")


def iter_problems(report: VerifyReport) -> Iterator[Problem]:
    """Chain problems first (the first broken link leads), then the ledger, then projections."""
    order = {"chain": 0, "ledger": 1, "projection": 2}
    yield from sorted(report.problems, key=lambda p: order.get(p.area, 3))
