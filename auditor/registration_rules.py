"""The rules of a student's account, checked on the events: added once, registrations and
their window, cancels back to the lot they came from, clears, and OLDEST markers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tangopass.auditor.books import StudentBook
from tangopass.auditor.lot_rules import check_fifo
from tangopass.ledger.instants import iso
from tangopass.ledger.student import Student
from tangopass.ledger.studio import Studio

if TYPE_CHECKING:
    from tangopass.auditor.verify import Verifier


def on_added(v: Verifier, e: Any) -> None:
    """A student is added once, under the aggregate id derived from their number."""
    if e.originator_id in v.students or e.number in v.by_number:
        v.problem("ledger", f"event #{v.nid}: student {e.number} added twice")
        return
    student = StudentBook(e.number, e.name, e.originator_id)
    if Student.create_id(e.number) != e.originator_id:
        v.problem("ledger", f"event #{v.nid}: student {e.number} has a foreign aggregate id",
                  student)
    v.students[e.originator_id] = student
    v.by_number[e.number] = student


def on_token(v: Verifier, e: Any) -> None:
    v.student(e)


def on_renamed(v: Verifier, e: Any) -> None:
    """A new name (the problems name the student as they are called now)."""
    student = v.student(e)
    if student is not None:
        student.name = e.name


def no_credit_moves(v: Verifier, e: Any) -> None:
    """Archiving moves no credit; the studio's settings are checked by ``verify_report``."""


def on_registered(v: Verifier, e: Any) -> None:
    """REGISTER: once per lesson, a scheduled lesson, inside the window for a student, FIFO."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, -1, lot_id=e.lot_id, lesson_id=e.lesson_id)
    if e.lesson_id in student.open_registrations:
        v.problem("ledger", f"{label}: already registered for lesson {e.lesson_id}", student)
    lesson = v.lesson_by_number.get(e.lesson_id)
    if lesson is None:
        v.problem("ledger", f"{label}: lesson {e.lesson_id} was never scheduled", student)
    elif lesson.status != "scheduled":
        v.problem("ledger", f"{label}: lesson {e.lesson_id} was already {lesson.status}", student)
    elif e.by == "student" and e.at >= lesson.closes_at:
        v.problem("ledger", f"{label}: registration for lesson {e.lesson_id} had closed at"
                  f" {iso(lesson.closes_at)}", student)
    lot = v.lot(student, e.lot_id, label)
    if lot is None:
        return
    check_fifo(v, student, lot, e.at, label)
    lot.taken += 1
    student.open_registrations[e.lesson_id] = lot.id
    student.registrations[e.lesson_id] = (lot.id, "open")
    student.held[lot.id] += 1
    student.refresh(lot)


def on_cancelled(v: Verifier, e: Any) -> None:
    """CANCEL: an open registration, its credit back to the lot it came from."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, +1, lot_id=e.lot_id, lesson_id=e.lesson_id)
    held = student.open_registrations.pop(e.lesson_id, None)
    if held is None:
        v.problem("ledger", f"{label}: cancels lesson {e.lesson_id}, but there was no open"
                  " registration for it", student)
    elif held != e.lot_id:
        v.problem("ledger", f"{label}: gives the credit back to lot {e.lot_id}, but the"
                  f" registration took it from lot {held}", student)
    lesson = v.lesson_by_number.get(e.lesson_id)
    if lesson is not None and e.by == "student" and e.at >= lesson.closes_at:
        v.problem("ledger", f"{label}: cancelled by the student after the window closed at"
                  f" {iso(lesson.closes_at)}", student)
    if held is not None:
        student.held[held] -= 1
    student.registrations[e.lesson_id] = (e.lot_id, "cancelled")
    lot = v.lot(student, e.lot_id, label)
    if lot is None:
        return
    lot.returned += 1
    student.refresh(lot)
    if held is not None and held != e.lot_id and held in student.lots:
        student.refresh(student.lots[held])


def on_cleared(v: Verifier, e: Any) -> None:
    """A cleared lesson closes an open registration; its credit stays consumed."""
    student = v.student(e)
    if student is None:
        return
    held = student.open_registrations.pop(e.lesson_id, None)
    if held is None:
        v.problem("ledger", f"{v.who(student)}: event #{v.nid} clears lesson"
                  f" {e.lesson_id}, but there was no open registration for it", student)
        return
    student.held[held] -= 1
    student.registrations[e.lesson_id] = (held, "cleared")
    if held in student.lots:
        student.refresh(student.lots[held])


def on_oldest(v: Verifier, e: Any) -> None:
    """OLDEST: moves forward, never past itself, and every lot before it is closed."""
    student = v.student(e)
    if student is None:
        return
    label = v.entry(student, e, 0)
    student.entries[e.seq].ref_seq = e.ref_seq
    if e.ref_seq <= student.oldest_ref:
        v.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, not past the previous"
                  f" marker's seq {student.oldest_ref}", student)
    if e.ref_seq > e.seq:
        v.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, after itself", student)
    _check_closed_before(v, student, e.ref_seq, label)
    if e.ref_seq != e.seq:
        named = next((lot for lot in student.lots.values() if lot.seq == e.ref_seq), None)
        if named is None:
            v.problem("ledger", f"{label}: points at entry seq {e.ref_seq}, which is not a"
                      " PURCHASE or ADJUST that made a lot", student)
        elif named.id not in student.open_lots:
            v.problem("ledger", f"{label}: points at lot {named.id}, which is closed: the"
                      " marker should be further on", student)
    student.oldest_ref = e.ref_seq
    student.oldest_seq = e.seq


def _check_closed_before(v: Verifier, student: StudentBook, ref_seq: int, label: str) -> None:
    still_open = sorted((lot for lot in student.open_lots.values() if lot.seq < ref_seq),
                        key=lambda lot: lot.seq)
    for lot in still_open:
        reason = (f"{lot.remaining} credit(s) left" if lot.remaining
                  else "an open registration on it")
        v.problem("ledger", f"{label}: points at entry seq {ref_seq}, but lot {lot.id} (bought at"
                  f" seq {lot.seq}) is still open ({reason})", student)


HANDLERS = {
    Student.Added: on_added,
    Student.TokenRotated: on_token,
    Student.Registered: on_registered,
    Student.RegistrationCancelled: on_cancelled,
    Student.RegistrationCleared: on_cleared,
    Student.OldestMarked: on_oldest,
    Student.Renamed: on_renamed,
    Student.ArchiveChanged: no_credit_moves,
    Studio.Opened: no_credit_moves,
    Studio.SettingsChanged: no_credit_moves,
    Studio.CurrencyLocked: no_credit_moves,
}
