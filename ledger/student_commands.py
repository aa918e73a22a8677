"""The student's two commands: register (one credit, FIFO, or the waitlist) and cancel.

A mixin of ``TangoPass``: it relies on the machinery of ``Service``
(ledger/service.py) and the week's ``_touched`` / ``_save_touched``.
"""

from __future__ import annotations

from datetime import datetime

from tangopass.ledger.errors import NoCreditsError, RegistrationClosedError
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import promote
from tangopass.ledger.student import STUDENT, give_back


class StudentCommands:

    def register(
        self, student_id: int, lesson_id: int | None, now: datetime, role: str | None = None
    ) -> dict:
        """Take one credit FIFO for the lesson (the next one by default), or join its
        waitlist when it is full; idempotent either way."""

        def command() -> dict:
            touched = self._touched(now)
            student = touched.get(student_id)
            lessons: list[Lesson] = []

            def decide() -> dict:
                student.check_active()  # STUDENT_ARCHIVED first among the refusals
                lesson = self._lesson(self._upcoming_lesson_id(lesson_id, now))
                registration = student.registration(lesson.number)
                if registration is not None:
                    return {"registered": True, "lesson_id": lesson.number,
                            "consumed_lot_id": registration.lot_id}
                position = lesson.waitlist_position(student.number)
                if position is not None:
                    return _waitlisted(lesson.number, position)
                lesson.check_window_open(now)
                if student.fifo_lot(now) is None:
                    raise NoCreditsError("no unexpired credit left")
                chosen = role or self.queries.last_role(student.number)
                lessons.append(lesson)
                if not lesson.fits(chosen):
                    return _waitlisted(
                        lesson.number, lesson.join_waitlist(student.number, chosen, now, STUDENT)
                    )
                lot_id = student.register(lesson.number, now, by=STUDENT)
                lesson.admit(student.number, now, STUDENT, role=chosen)
                promote(lesson, now, touched)  # a follower may let a waiting leader in
                return {"registered": True, "lesson_id": lesson.number, "consumed_lot_id": lot_id}

            return self._save_touched(
                touched, lessons, decide, None,
                lambda result: {**result, "credits_available": student.balance},
            )

        return self._retrying(command)

    def cancel(self, student_id: int, lesson_id: int | None, now: datetime) -> dict:
        """Give the credit back (a freed place promotes), or leave the waitlist (until the
        lesson starts: no credit is involved, so the window does not apply); a no-op answer
        when neither registered nor waiting."""

        def command() -> dict:
            touched = self._touched(now)
            student = touched.get(student_id)
            lessons: list[Lesson] = []

            def decide() -> dict:
                student.check_active()
                lesson = self._lesson(self._upcoming_lesson_id(lesson_id, now))
                lesson.check_changeable()  # a held or called-off lesson: LESSON_CLEARED
                answer = {"registered": False, "lesson_id": lesson.number, "expired_on_return": 0}
                if lesson.waitlist_position(student.number) is not None:
                    if lesson.has_begun(now):
                        raise RegistrationClosedError(f"lesson {lesson.number} has started")
                    lesson.leave_waitlist(student.number, "cancelled", now, STUDENT)
                    lessons.append(lesson)
                    return {**answer, "waitlisted": False}
                if student.is_registered(lesson.number):
                    lesson.check_window_open(now, by=STUDENT)
                    _, expired = give_back([student], lesson.number, now, STUDENT)
                    lesson.release(student.number, now, STUDENT)
                    promote(lesson, now, touched)
                    lessons.append(lesson)
                    answer["expired_on_return"] = expired
                return answer

            return self._save_touched(
                touched, lessons, decide, None,
                lambda answer: {**answer, "credits_available": student.balance},
            )

        return self._retrying(command)


def _waitlisted(lesson_id: int, position: int) -> dict:
    return {"registered": False, "waitlisted": True, "lesson_id": lesson_id, "position": position}
