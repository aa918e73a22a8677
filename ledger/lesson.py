"""A dated class: its registration window, who is in, and whether it was held.

Registrations touch both the student's account and the lesson, and both are
saved in one atomic, version-checked write: a concurrent clear or cancel of the
lesson can never disagree with a student's account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.errors import (
    LessonClearedError,
    LessonNotStartedError,
    RegistrationClosedError,
)
from tangopass.ledger.limits import check_in_future
from tangopass.ledger.student import STUDENT, TEACHER

LESSON_NAMESPACE = uuid5(NAMESPACE_URL, "https://tangopass.invalid/lesson")

SCHEDULED, CLEARED, CANCELLED = "scheduled", "cleared", "cancelled"


class Lesson(Aggregate):
    """One lesson, with the window hours that were in force when it was set."""

    TOPIC = "tangopass:Lesson"

    class Created(Aggregate.Created):
        TOPIC = "tangopass:Lesson.Created"

    class Snapshot(Aggregate.Snapshot):
        TOPIC = "tangopass:Lesson.Snapshot"

    @staticmethod
    def create_id(number: int) -> UUID:
        return uuid5(LESSON_NAMESPACE, str(number))

    def __deepcopy__(self, memo: dict) -> Lesson:
        """Only the attendee list changes in place; see Student.__deepcopy__."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._pending_events = list(self._pending_events)
        clone.attendees = list(self.attendees)
        return clone

    @classmethod
    def schedule(cls, number: int, starts_at: datetime, window_hours: int, now: datetime) -> Lesson:
        """Set a lesson (``starts_at`` after ``now``); students may register until
        ``window_hours`` before it starts."""
        check_in_future("starts_at", starts_at, now)
        closes_at = starts_at - timedelta(hours=window_hours)
        return cls(
            number=number, starts_at=starts_at, closes_at=closes_at,
            window_hours=window_hours, at=now, by=TEACHER,
        )

    @event("Scheduled", topic="tangopass:Lesson.Scheduled")
    def __init__(
        self, number: int, starts_at: datetime, closes_at: datetime, window_hours: int,
        at: datetime, by: str,
    ):
        self.number = number
        self.starts_at = starts_at
        self.closes_at = closes_at
        self.window_hours = window_hours
        self.status = SCHEDULED
        self.attendees: list[int] = []

    # ----------------------------------------------------------------- queries

    def has_begun(self, now: datetime) -> bool:
        return now >= self.starts_at

    # ------------------------------------------------------------------ guards

    def check_changeable(self) -> None:
        if self.status != SCHEDULED:
            raise LessonClearedError(f"lesson {self.number} is already {self.status}")

    def check_window_open(self, now: datetime, by: str = STUDENT) -> None:
        """The registration window: a student may register or cancel while
        ``now < closes_at``; the teacher may act on a registration until the lesson is
        cleared or cancelled. Raises LessonClearedError, RegistrationClosedError."""
        self.check_changeable()
        if by == STUDENT and now >= self.closes_at:
            raise RegistrationClosedError(
                f"registration for lesson {self.number} closed at "
                f"{self.closes_at.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            )

    # ---------------------------------------------------------------- commands

    def admit(self, student_number: int, now: datetime, by: str) -> None:
        self.check_window_open(now, by)
        if student_number not in self.attendees:
            self._attendee_added(student_number, now, by)

    def release(self, student_number: int, now: datetime, by: str) -> None:
        self.check_window_open(now, by)
        if student_number in self.attendees:
            self._attendee_removed(student_number, now, by)

    def clear(self, now: datetime) -> list[int]:
        """Close the lesson after it has begun; return who attended."""
        self.check_changeable()
        if not self.has_begun(now):
            raise LessonNotStartedError(f"lesson {self.number} has not begun yet")
        attendees = list(self.attendees)
        self._cleared(attendees, now, TEACHER)
        return attendees

    def cancel(self, now: datetime) -> list[int]:
        """Call the lesson off; return who was registered (their credits go back)."""
        self.check_changeable()
        attendees = list(self.attendees)
        self._cancelled(attendees, now, TEACHER)
        return attendees

    # ------------------------------------------------------ events and applies

    @event("AttendeeAdded", topic="tangopass:Lesson.AttendeeAdded")
    def _attendee_added(self, student_number: int, at: datetime, by: str) -> None:
        self.attendees.append(student_number)

    @event("AttendeeRemoved", topic="tangopass:Lesson.AttendeeRemoved")
    def _attendee_removed(self, student_number: int, at: datetime, by: str) -> None:
        self.attendees.remove(student_number)

    @event("Cleared", topic="tangopass:Lesson.Cleared")
    def _cleared(self, attendees: list[int], at: datetime, by: str) -> None:
        self.status = CLEARED

    @event("Cancelled", topic="tangopass:Lesson.Cancelled")
    def _cancelled(self, attendees: list[int], at: datetime, by: str) -> None:
        self.status = CANCELLED
