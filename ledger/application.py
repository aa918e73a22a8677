"""The application: one verb method per command, each returning plain values.

Every command loads the aggregates it needs, settles the student's expired lots
(lazy expiry: a fact of time, kept even when the command is then refused), runs
the domain method, and saves every touched aggregate. The injected ``runner``
runs the whole command in ONE write transaction of the store (the write lock
held before anything is read), so all its saves are one atomic append, and
retries it on a version conflict a bounded number of times before answering
busy. The injected ``events`` store loads aggregates and appends their events
with the projections, the hash chain and the idempotent answer. Nothing here
reads the clock, the environment or a file, sleeps, or writes SQL: ``now``
comes in, and lookups (next id, who is registered, which students hold valid
lots) go through the injected ``queries``, which inside a command read on the
command's own transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from tangopass.ledger.errors import (
    BusyError,
    LedgerError,
    LessonNotStartedError,
    NoCreditsError,
    NotFoundError,
    NoUpcomingLessonError,
    RegistrationClosedError,
)
from tangopass.ledger.desk import TeachersDesk, lot_terms
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import promote, refund_all
from tangopass.ledger.student import STUDENT, TEACHER, Lot, Student, give_back
from tangopass.ledger.week import StudioWeek

__all__ = ["BusyError", "TangoPass", "Terms"]

T = TypeVar("T")


class Queries(Protocol):
    def next_student_id(self) -> int: ...
    def next_lot_id(self) -> int: ...
    def next_lesson_id(self) -> int: ...
    def next_lesson(self, now: str) -> dict | None: ...
    def lesson(self, lesson_id: int) -> dict | None: ...
    def latest_begun_lesson(self, now: str) -> int | None: ...
    def students_with_valid_lots(self, now: str) -> list[int]: ...
    def lot_owner(self, lot_id: int) -> int | None: ...
    def waitlisted_lessons(self, student_id: int) -> list[int]: ...
    def due_series(self, horizon_end: str) -> list[int]: ...
    def last_role(self, student_id: int) -> str | None: ...
    def scheduled_lessons_between(self, start: str, end: str) -> list[int]: ...


class Events(Protocol):
    """Loads aggregates and appends their pending events (projections/storage/event_store.py)."""

    def load(self, aggregate_id: UUID) -> Any | None: ...
    def append(self, aggregates: list, idempotency: Any = None) -> list[int]: ...


class Runner(Protocol):
    """Runs a command in one transaction with retries (projections/storage/runner.py)."""

    def run(self, command: Callable[[], T], idempotency: Any = None) -> T: ...


@dataclass(frozen=True)
class Terms:
    """Settings whose value at the time of a command is written into its events."""

    tz: ZoneInfo
    window_hours: int = 2


class TangoPass(TeachersDesk, StudioWeek):
    """Tango Pass commands over an injected event store, command runner and queries."""

    def __init__(
        self,
        events: Events,
        runner: Runner,
        *,
        terms: Terms,
        queries: Queries,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
        on_close: Callable[[], None] = lambda: None,
    ):
        self.events = events
        self.runner = runner
        self.terms = terms
        self.queries = queries
        self.new_token = new_token
        self._on_close = on_close

    # -------------------------------------------------------------- machinery

    def _retrying(self, command: Callable[[], T], idempotency: Any = None) -> T:
        """Run ``command`` as one atomic append (see the runner)."""
        return self.runner.run(command, idempotency)

    def save(self, *aggregates: Any, idempotency: Any = None) -> list[int]:
        """Append the aggregates' pending events in the command's transaction."""
        return self.events.append(list(aggregates), idempotency)

    def get(self, aggregate_id: UUID) -> Any:
        """An aggregate at its latest committed version; NotFoundError if none."""
        found = self.events.load(aggregate_id)
        if found is None:
            raise NotFoundError(f"nothing stored under {aggregate_id}")
        return found

    @property
    def mapper(self) -> Any:
        """The event codec (``mapper.to_domain_event(stored)`` decodes a stored event)."""
        return self.events.mapper

    def close(self) -> None:
        self._on_close()

    def _student(self, student_id: int, now: datetime) -> Student:
        student = self.events.load(Student.create_id(student_id))
        if student is None:
            raise NotFoundError(f"no student with id {student_id}")
        student.settle(now)  # lazy expiry: saved with the command's own events
        return student

    def _lesson(self, lesson_id: int) -> Lesson:
        lesson = self.events.load(Lesson.create_id(lesson_id))
        if lesson is None:
            raise NotFoundError(f"no lesson with id {lesson_id}")
        return lesson

    def _upcoming_lesson_id(self, lesson_id: int | None, now: datetime) -> int:
        if lesson_id is not None:
            return lesson_id
        lesson = self.queries.next_lesson(iso(now))
        if lesson is None:
            raise NoUpcomingLessonError("no upcoming lesson is set")
        return lesson["id"]

    # ------------------------------------------------------ teacher commands

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

    # ------------------------------------------------------ student commands

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

    def settle(self, student_ids: list[int], now: datetime) -> None:
        """Write the EXPIRE entries the clock has made due (lazy expiry), in one append."""

        def command() -> None:
            self.save(*(self._student(student_id, now) for student_id in student_ids))

        if student_ids:
            self._retrying(command)

    # ------------------------------------------------------------------ shared

    def _decide_and_save(
        self, student: Student, decide: Callable[[], T], others: list, idempotency: Any,
        respond: Callable[[T], dict],
    ) -> dict:
        """Run ``decide``; on a refusal, keep what settling wrote, then refuse."""
        try:
            result = decide()
        except LedgerError:
            self.save(student)
            raise
        body = respond(result)
        self.save(student, *others, idempotency=_answer(idempotency, body))
        return body


def _waitlisted(lesson_id: int, position: int) -> dict:
    return {"registered": False, "waitlisted": True, "lesson_id": lesson_id, "position": position}


def _answer(idempotency: Any, body: dict) -> Any:
    """Bind the answer to the pending idempotency record, if the request had a key."""
    return None if idempotency is None else idempotency.answer(body)
