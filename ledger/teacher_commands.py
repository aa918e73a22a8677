"""The teacher's commands on students, purchases, lessons and attendance (contract part 1).

A mixin of ``TangoPass``: it relies on the machinery of ``Service``
(ledger/service.py) and the week's ``_touched`` / ``_save_touched``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tangopass.ledger.desk import lot_terms
from tangopass.ledger.errors import LessonNotStartedError
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import promote, refund_all
from tangopass.ledger.service import _answer
from tangopass.ledger.student import TEACHER, Lot, Student, give_back


class TeacherCommands:

    def add_student(self, name: str, now: datetime, idempotency: Any = None) -> dict:
        def command() -> dict:
            number = self.queries.next_student_id()
            student = Student(number=number, name=name, token=self.new_token(), at=now, by=TEACHER)
            body = {"id": number, "name": name, "token": student.token}
            self.save(student, idempotency=_answer(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def rotate_token(self, student_id: int, now: datetime) -> dict:
        def command() -> dict:
            student = self._student(student_id, now)
            student.rotate_token(self.new_token(), now)
            self.save(student)
            return {"id": student.number, "name": student.name, "token": student.token}

        return self._retrying(command)

    def add_purchase(
        self, student_id: int, credits: int, validity_months: int, purchased_at: datetime | None,
        note: str | None, now: datetime, idempotency: Any = None, price: str | None = None,
    ) -> dict:
        """``price``: a decimal string with two decimals, in the studio's currency."""

        def command() -> dict:
            student = self._student(student_id, now)
            settings = self.settings_in_force()
            others: list = []

            def decide() -> Lot:
                student.check_active()
                settings.check_validity(validity_months)
                studio, currency = self._lock_currency_if_priced(price, now)
                others.extend(studio)
                return student.purchase(
                    lot_id=self.queries.next_lot_id(), credits=credits,
                    validity_months=validity_months, purchased_at=purchased_at or now, now=now,
                    tz=self.terms.tz, note=note, validity_options=settings.validity_options,
                    price=price, currency=currency,
                )

            return self._decide_and_save(
                student, decide, others, idempotency,
                lambda lot: {"lot": lot_terms(lot), "credits_available": student.balance},
            )

        return self._retrying(command, idempotency)

    def set_next_lesson(self, starts_at: datetime, now: datetime, idempotency: Any = None) -> dict:
        """Kept from part 1: the same as ``add_lesson`` with no title, capacity or balance."""
        return self.add_lesson(starts_at, now, idempotency)

    def cancel_lesson(
        self, lesson_id: int, now: datetime, idempotency: Any = None, reason: str | None = None
    ) -> dict:
        """Call a lesson off: every credit back, the waitlist emptied (no credit was held)."""

        def command() -> dict:
            lesson = self._lesson(lesson_id)
            touched = self._touched(now)

            def decide() -> dict:
                refunded, expired = refund_all(lesson, lesson.cancel(now, reason), now, touched, TEACHER)
                return {"lesson_id": lesson_id, "refunded": refunded, "expired_on_return": expired}

            return self._save_touched(touched, [lesson], decide, idempotency, lambda body: body)

        return self._retrying(command, idempotency)

    def cancel_registration(
        self, student_id: int, lesson_id: int | None, now: datetime, idempotency: Any = None
    ) -> dict:
        """The teacher cancels for a student (or takes them off the waitlist): allowed
        after the window too, until cleared. A freed place promotes while the window is open."""

        def command() -> dict:
            touched = self._touched(now)
            student = touched.get(student_id)
            lessons: list[Lesson] = []

            def decide() -> tuple[int, int]:
                lesson = self._lesson(self._upcoming_lesson_id(lesson_id, now))
                lesson.check_changeable()
                lessons.append(lesson)
                if lesson.leave_waitlist(student.number, "cancelled", now, TEACHER):
                    return True, 0
                refunded, expired = give_back([student], lesson.number, now, TEACHER)
                if not refunded:
                    return False, 0
                lesson.release(student.number, now, TEACHER)
                promote(lesson, now, touched)
                return True, expired

            return self._save_touched(
                touched, lessons, decide, idempotency,
                lambda given: {"cancelled": given[0], "credits_available": student.balance,
                               "expired_on_return": given[1]},
            )

        return self._retrying(command, idempotency)

    def clear_registrations(
        self, lesson_id: int | None, now: datetime, idempotency: Any = None,
        no_shows: list[int] | None = None,
    ) -> dict:
        """Close a lesson that has begun; ``no_shows`` are registered students who did not come."""

        def command() -> dict:
            chosen = lesson_id
            if chosen is None:
                chosen = self.queries.latest_begun_lesson(iso(now))
                if chosen is None:
                    raise LessonNotStartedError("no lesson has begun that is not cleared yet")
            lesson = self._lesson(chosen)
            attendees = lesson.clear(now, no_shows)
            students = [self._student(n, now) for n in attendees]
            for student in students:
                student.clear(chosen, now)
            absent = len(set(no_shows or ()))
            body = {"lesson_id": chosen, "cleared": len(students),
                    "attended": len(students) - absent, "no_shows": absent}
            self.save(lesson, *students, idempotency=_answer(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def extend_validity(self, days: int, now: datetime, idempotency: Any = None) -> dict:
        """Every lot still valid by the clock and with credits moves by N days, atomically."""

        def command() -> dict:
            students = [
                self._student(n, now) for n in self.queries.students_with_valid_lots(iso(now))
            ]
            extended = sum(student.extend(days, now, self.terms.tz) for student in students)
            body = {"extended_lots": extended}
            self.save(*students, idempotency=_answer(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def adjust(
        self, student_id: int, delta: int, reason: str, validity_months: int | None,
        now: datetime, idempotency: Any = None,
    ) -> dict:
        def command() -> dict:
            student = self._student(student_id, now)

            def decide() -> None:
                student.check_active()
                if delta > 0:
                    student.grant(
                        lot_id=self.queries.next_lot_id(), credits=delta,
                        validity_months=validity_months or 1, reason=reason, now=now,
                        tz=self.terms.tz,
                    )
                else:
                    student.withdraw(credits=-delta, reason=reason, now=now)

            return self._decide_and_save(
                student, decide, [], idempotency,
                lambda _: {"credits_available": student.balance},
            )

        return self._retrying(command, idempotency)
