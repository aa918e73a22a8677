"""The application: one verb method per command, each returning plain values.

Every command loads the aggregates it needs, settles the student's expired lots
(lazy expiry: a fact of time, kept even when the command is then refused), runs
the domain method, and saves every touched aggregate in one atomic,
version-checked append. A version conflict means someone else changed an
aggregate first: the whole command is reloaded and retried a bounded number of
times, then answered as busy. Nothing here reads the clock: ``now`` comes in.

Lookups (next id, who is registered, which students hold valid lots) go through
the injected ``queries`` object; this module contains no SQL.
"""

from __future__ import annotations

import fcntl
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import (
    JSONTranscoder,
    OperationalError,
    RecordConflictError,
    Transcoding,
)

from tangopass.ledger.errors import (
    LedgerError,
    LessonNotStartedError,
    NoCreditsError,
    NotFoundError,
    NoUpcomingLessonError,
    RegistrationClosedError,
)
from tangopass.ledger.instants import iso
from tangopass.ledger.desk import TeachersDesk, lot_terms
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import promote, refund_all
from tangopass.ledger.schedule import Schedule
from tangopass.ledger.series import Series
from tangopass.ledger.student import STUDENT, TEACHER, Lot, Registration, Student, give_back
from tangopass.ledger.studio import Studio
from tangopass.ledger.week import StudioWeek

T = TypeVar("T")
log = logging.getLogger("tangopass")

MAX_ATTEMPTS = 30


class BusyError(Exception):
    """The command kept colliding with concurrent writes; the client may retry."""


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


@dataclass(frozen=True)
class Terms:
    """Settings whose value at the time of a command is written into its events."""

    tz: ZoneInfo
    window_hours: int = 2


class LotAsDict(Transcoding):
    type = Lot
    name = "tangopass_lot"

    def encode(self, obj: Lot) -> dict:
        return dict(obj.__dict__)

    def decode(self, data: dict) -> Lot:
        return Lot(**data)


class RegistrationAsDict(Transcoding):
    type = Registration
    name = "tangopass_registration"

    def encode(self, obj: Registration) -> dict:
        return dict(obj.__dict__)

    def decode(self, data: dict) -> Registration:
        return Registration(**data)


class TangoPass(TeachersDesk, StudioWeek, Application[UUID]):
    """Tango Pass commands. Construct with an eventsourcing environment."""

    name = "TangoPass"
    # Rebuilding an account reads at most this many events after its snapshot,
    # so a command does not get slower as years of history pile up.
    snapshotting_intervals = {Student: 50, Lesson: 50, Studio: 50, Series: 50, Schedule: 50}

    def __init__(
        self,
        env: dict[str, str],
        *,
        terms: Terms,
        queries: Queries,
        new_token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
    ):
        super().__init__(env)
        self.terms = terms
        self.queries = queries
        self.new_token = new_token
        # Serialises commands inside one process (SQLite has one writer anyway),
        # so they do not collide with each other; correctness across processes
        # still rests on the version check, never on this lock.
        self._write_lock = threading.Lock()
        # The same across worker processes: commands on one SQLite file take an
        # advisory lock file, so two workers do not collide on one aggregate (the
        # shared Lesson) only to sleep and retry. A performance measure: the
        # version check still decides, and TANGOPASS_COMMAND_LOCK=0 turns this off
        # (the storm tests run both ways). The kernel drops it if a worker dies.
        db = self.env.get("SQLITE_DBNAME") or ""
        use_lock = (self.env.get("TANGOPASS_COMMAND_LOCK") or "1") != "0"
        in_memory = ":memory:" in db or "mode=memory" in db
        self._lock_file = open(f"{db}.lock", "a") if use_lock and db and not in_memory else None

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(LotAsDict())
        transcoder.register(RegistrationAsDict())

    def _record(self, processing_event: Any) -> Any:
        # The projections run inside the append: hand them the domain events.
        processing_event.saved_kwargs["projected_events"] = list(processing_event.events)
        recordings = super()._record(processing_event)
        # The version-checked append succeeded, so each saved aggregate is exactly the
        # stored state at its version: cache it, and the next load need not read and
        # decode these events again (the repository hands out copies).
        cache = self.repository.cache
        if cache is not None:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                cache.put(aggregate_id, aggregate)
        return recordings

    def _take_snapshots(self, processing_event: Any) -> None:
        # Runs after the command has committed. A snapshot is only a cache: if
        # writing it fails, the command must still count as done, or the retry
        # loop would run a non-idempotent command (a purchase) a second time.
        try:
            super()._take_snapshots(processing_event)
        except Exception:  # noqa: BLE001 - the next snapshot interval tries again
            log.warning("snapshot not written; accounts will load from more events", exc_info=True)

    # -------------------------------------------------------------- machinery

    def _retrying(self, command: Callable[[], T], idempotency: Any = None) -> T:
        for attempt in range(MAX_ATTEMPTS):
            if idempotency is not None:
                # Checked on every attempt: a twin request that won the race
                # has stored its answer, and this one must answer the same.
                previous = idempotency.previous()
                if previous is not None:
                    return previous
            try:
                with self._write_lock, self._command_lock():
                    return command()
            except (RecordConflictError, OperationalError):
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2**attempt)))
        raise BusyError("the ledger is busy; please retry")

    @contextmanager
    def _command_lock(self) -> Iterator[None]:
        if self._lock_file is None:
            yield
            return
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        super().close()

    def _student(self, student_id: int, now: datetime) -> Student:
        try:
            student: Student = self.repository.get(Student.create_id(student_id))
        except AggregateNotFoundError:
            raise NotFoundError(f"no student with id {student_id}") from None
        student.settle(now)
        return student

    def _lesson(self, lesson_id: int) -> Lesson:
        try:
            return self.repository.get(Lesson.create_id(lesson_id))
        except AggregateNotFoundError:
            raise NotFoundError(f"no lesson with id {lesson_id}") from None

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
        """Write the EXPIRE entries the clock has made due (lazy expiry)."""
        for student_id in student_ids:
            def command(student_id: int = student_id) -> None:
                self.save(self._student(student_id, now))

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
