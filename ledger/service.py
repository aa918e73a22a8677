"""The application's machinery: loading, saving and running a command as one append.

The command methods themselves are mixins (teacher_commands, student_commands,
desk, week) composed into ``TangoPass`` in ledger/application.py.

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

from tangopass.ledger.errors import LedgerError, NotFoundError, NoUpcomingLessonError
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student

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
    def students_to_settle(self, now: str, student_id: int | None = None) -> list[int]: ...


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

class Service:
    """Commands over an injected event store, command runner and queries (no command here)."""

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

    def settle(self, student_ids: list[int], now: datetime) -> None:
        """Write the EXPIRE entries the clock has made due (lazy expiry), in one append."""

        def command() -> None:
            self.save(*(self._student(student_id, now) for student_id in student_ids))

        if student_ids:
            self._retrying(command)

    def settle_due(self, now: datetime, student_id: int | None = None) -> None:
        """Lazy expiry before a read: settle every student (or one) holding a lot whose
        time is up, in one append. The one place that decides who is due (no cron)."""
        self.settle(self.queries.students_to_settle(iso(now), student_id), now)


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


def _answer(idempotency: Any, body: dict) -> Any:
    """Bind the answer to the pending idempotency record, if the request had a key."""
    return None if idempotency is None else idempotency.answer(body)
