"""Places in a lesson: who fits, who waits, and the promotion walk.

Shared by every command that changes a lesson's registrations, capacity or
balance. Promotion consumes the promoted student's credit in the same command,
so the cancel that freed the place, the lesson and every promoted account are
saved in one atomic, version-checked write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tangopass.ledger.lesson import Lesson
from tangopass.ledger.entries import SYSTEM
from tangopass.ledger.student import Student

LoadStudent = Callable[[int], Student]


class Touched:
    """The students a command has loaded (and maybe changed), by number, in load order."""

    def __init__(self, load: LoadStudent):
        self._load = load
        self.students: dict[int, Student] = {}

    def get(self, number: int) -> Student:
        student = self.students.get(number)
        if student is None:
            student = self.students[number] = self._load(number)
        return student

    def add(self, student: Student) -> Student:
        self.students.setdefault(student.number, student)
        return student

    def all(self) -> list[Student]:
        return list(self.students.values())


def promote(lesson: Lesson, now: datetime, touched: Touched) -> list[int]:
    """Walk the waitlist from the front while the window is open; return who was promoted.

    A student without a usable credit leaves the line; one whose registration now
    fits is registered (actor ``system``); anyone else keeps their place. The walk
    repeats until it promotes nobody.
    """
    promoted: list[int] = []
    if not lesson.window_open(now):
        return promoted
    while True:
        moved = False
        for entry in list(lesson.waitlist):
            number, role = entry["student"], entry["role"]
            student = touched.get(number)
            if getattr(student, "archived", False):
                lesson.leave_waitlist(number, "archived", now, SYSTEM)
            elif student.fifo_lot(now) is None:
                lesson.leave_waitlist(number, "no_credit", now, SYSTEM)
            elif lesson.fits(role):
                student.register(lesson.number, now, by=SYSTEM)
                lesson.admit(number, now, SYSTEM, role=role)
                promoted.append(number)
                moved = True
        if not moved:
            return promoted


def refund_all(
    lesson: Lesson, attendees: list[int], now: datetime, touched: Touched, by: str,
    note: str | None = None,
) -> tuple[int, int]:
    """Give back every attendee's credit; return (refunded, expired_on_return)."""
    refunded = expired = 0
    for number in attendees:
        student = touched.get(number)
        registration = student.registration(lesson.number)
        if registration is None:
            continue
        lot = student.lot(registration.lot_id)
        if lot is not None and lot.expires_at <= now:
            expired += 1
        student.cancel(lesson.number, now, by=by, note=note)
        refunded += 1
    return refunded, expired
