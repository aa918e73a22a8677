"""The projections against what the events imply, after the verifier has read every event.

``students.credits_available`` and ``oldest_entry_id``, every lot's ``credits_remaining``
(total − taken + returned − expired), the registrations, each lesson's attendees, and the
journal (``ledger_events``) entry by entry with its own running balances.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from tangopass.auditor.books import Problem, StudentBook
from tangopass.ledger.instants import iso

if TYPE_CHECKING:
    from tangopass.auditor.verify import Verifier

JOURNAL_COLUMNS = ("type", "delta_credits", "balance_after", "ts", "ref_lot_id", "ref_lesson_id")
JOURNAL = (f"SELECT id, student_id, seq, {', '.join(JOURNAL_COLUMNS)}, ref_event_id"
           " FROM ledger_events ORDER BY id")


class _Findings:
    """Names students and records projection problems on the verifier's report."""

    def __init__(self, v: Verifier):
        self.v = v
        self.names = {number: s.name for number, s in v.by_number.items()}

    def bad(self, message: str, student: int | None = None, area: str = "projection") -> None:
        self.v.report.problems.append(Problem(area, message, None, student))

    def who(self, number: int) -> str:
        return f"student {number}" + (f" ({self.names[number]})" if number in self.names else "")


def check_projections(v: Verifier, conn: sqlite3.Connection) -> None:
    """Every projection row against the books (call after the last event was read)."""
    found = _Findings(v)
    _check_students(v, conn, found)
    _check_lots(v, conn, found)
    _check_registrations(v, conn, found)
    _check_attendees(v, found)
    _check_journal(v, conn, found)


def _check_students(v: Verifier, conn: sqlite3.Connection, f: _Findings) -> None:
    seen = set()
    for number, name, credits, oldest in conn.execute(
        "SELECT id, name, credits_available, oldest_entry_id FROM students"
    ):
        seen.add(number)
        student = v.by_number.get(number)
        if student is None:
            f.bad(f"students row {number} ({name}) has no StudentAdded event", number)
            continue
        if student.delta_sum != student.balance:
            f.bad(f"{f.who(number)}: the entries' deltas add up to {student.delta_sum}, but the"
                  f" last balance_after is {student.balance}", number)
        if credits != student.delta_sum:
            f.bad(f"{f.who(number)}: credits_available is {credits}, but the deltas of the"
                  f" events add up to {student.delta_sum}", number)
        from_lots = sum(lot.remaining for lot in student.lots.values())
        if from_lots != student.delta_sum:
            f.bad(f"{f.who(number)}: the lots hold {from_lots} credits, but the balance is"
                  f" {student.delta_sum}", number)
        _check_oldest_entry(v, student, oldest, f)
    for number in sorted(set(v.by_number) - seen):
        f.bad(f"{f.who(number)}: added by the events, but has no students row", number)


def _check_oldest_entry(v: Verifier, student: StudentBook, oldest: int | None,
                        f: _Findings) -> None:
    if student.oldest_seq is None:
        return
    number = student.number
    marker = v.ledger_ids.get((number, student.oldest_seq))
    target = (marker if student.oldest_ref == student.oldest_seq
              else v.ledger_ids.get((number, student.oldest_ref)))
    if oldest != target:
        f.bad(f"{f.who(number)}: oldest_entry_id is {oldest}, but the newest OLDEST marker"
              f" names ledger #{target}", number)


def _check_lots(v: Verifier, conn: sqlite3.Connection, f: _Findings) -> None:
    seen = set()
    for lot_id, student_id, *found in conn.execute(
        "SELECT id, student_id, source, purchased_at, expires_at, credits_total,"
        " credits_remaining FROM lots"
    ):
        seen.add(lot_id)
        owner = v.lot_owner.get(lot_id)
        if owner is None:
            f.bad(f"lot {lot_id} of {f.who(student_id)} has no purchase or ADJUST event",
                  student_id)
            continue
        lot = v.by_number[owner].lots[lot_id]
        expected = {"student_id": lot.student, "source": lot.source,
                    "purchased_at": iso(lot.purchased_at), "expires_at": iso(lot.expires_at),
                    "credits_total": lot.total, "credits_remaining": lot.remaining}
        for (column, value), got in zip(expected.items(), [student_id, *found]):
            if got != value:
                extra = (f" (total {lot.total} - taken {lot.taken} + returned {lot.returned}"
                         f" - expired {lot.expired})" if column == "credits_remaining" else "")
                f.bad(f"lot {lot_id} of {f.who(lot.student)}: {column} is {got!r},"
                      f" the events say {value!r}{extra}", lot.student)
    for lot_id in sorted(set(v.lot_owner) - seen):
        f.bad(f"lot {lot_id} of {f.who(v.lot_owner[lot_id])}: in the events, missing from lots",
              v.lot_owner[lot_id])


def _check_registrations(v: Verifier, conn: sqlite3.Connection, f: _Findings) -> None:
    """One row per (lesson, student), its lot and status from REGISTER, CANCEL and clears."""
    seen: dict[int, set[int]] = {}
    for lesson_id, student_id, lot_id, status in conn.execute(
        "SELECT lesson_id, student_id, lot_id, status FROM registrations"
    ):
        seen.setdefault(student_id, set()).add(lesson_id)
        student = v.by_number.get(student_id)
        expected = None if student is None else student.registrations.get(lesson_id)
        if expected is None:
            f.bad(f"registration of {f.who(student_id)} for lesson {lesson_id} has no REGISTER"
                  " event", student_id)
        elif expected != (lot_id, status):
            f.bad(f"registration of {f.who(student_id)} for lesson {lesson_id}: lot {lot_id},"
                  f" {status}; the events say lot {expected[0]}, {expected[1]}", student_id)
    for student in v.by_number.values():
        for lesson_id in sorted(set(student.registrations) - seen.get(student.number, set())):
            f.bad(f"registration of {f.who(student.number)} for lesson {lesson_id}: in the"
                  " events, missing from registrations", student.number)


def _check_attendees(v: Verifier, f: _Findings) -> None:
    """A scheduled lesson's attendee list is exactly the students registered for it."""
    for lesson in v.lesson_by_number.values():
        if lesson.status != "scheduled":
            continue
        holding = sorted(s.number for s in v.by_number.values()
                         if lesson.number in s.open_registrations)
        if holding != sorted(lesson.attendees):
            f.bad(f"lesson {lesson.number}: its attendees {sorted(lesson.attendees)}"
                  f" differ from the students registered for it {holding}", area="ledger")


def _check_journal(v: Verifier, conn: sqlite3.Connection, f: _Findings) -> None:
    """``ledger_events`` entry by entry, its running balances, and no entry missing."""
    running: dict[int, int] = {}
    seen: dict[int, set[int]] = {}
    for entry_id, student_id, seq, *found, ref_event_id in conn.execute(JOURNAL):
        seen.setdefault(student_id, set()).add(seq)
        kind, delta, balance_after = found[:3]
        label = f"ledger #{entry_id} ({f.who(student_id)}, seq {seq}, {kind})"
        # Each entry against the one before it (not the running sum), so one rewritten row is
        # named once instead of every row after it.
        before = running.get(student_id, 0)
        if balance_after != before + delta:
            f.bad(f"{label}: balance_after {balance_after} is not the previous entry's"
                  f" {before} {delta:+d} = {before + delta}", student_id)
        running[student_id] = balance_after
        student = v.by_number.get(student_id)
        entry = None if student is None else student.entries.get(seq)
        if entry is None:
            f.bad(f"{label}: no event made this entry", student_id)
            continue
        expected = (entry.type, entry.delta, entry.balance_after, entry.ts, entry.lot_id,
                    entry.lesson_id)
        for column, exp, got in zip(JOURNAL_COLUMNS, expected, found):
            if exp != got:
                f.bad(f"{label}: {column} is {got!r}, event #{entry.notification_id} says"
                      f" {exp!r}", student_id)
        if entry.ref_seq is not None:
            target = (entry_id if entry.ref_seq == entry.seq
                      else v.ledger_ids.get((student_id, entry.ref_seq)))
            if ref_event_id != target:
                f.bad(f"{label}: ref_event_id is {ref_event_id}, the marker names seq"
                      f" {entry.ref_seq} (ledger #{target})", student_id)
    _check_journal_sums(v, conn, f, seen)


def _check_journal_sums(v: Verifier, conn: sqlite3.Connection, f: _Findings,
                        seen: dict[int, set[int]]) -> None:
    sums = dict(conn.execute(
        "SELECT student_id, SUM(delta_credits) FROM ledger_events GROUP BY student_id"))
    for number, credits in conn.execute("SELECT id, credits_available FROM students"):
        if sums.get(number, 0) != credits:
            f.bad(f"{f.who(number)}: the delta_credits in ledger_events add up to"
                  f" {sums.get(number, 0)}, but credits_available is {credits}", number)
    for student in v.by_number.values():
        for seq in sorted(set(student.entries) - seen.get(student.number, set())):
            entry = student.entries[seq]
            f.bad(f"{f.who(student.number)}: {entry.type} entry seq {seq} (event"
                  f" #{entry.notification_id}) is missing from ledger_events", student.number)
