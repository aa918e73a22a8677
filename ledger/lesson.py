"""A dated class: its window, who is in, who waits, and whether it was held.

Registrations touch both the student's account and the lesson, and both are
saved in one atomic, version-checked write: a concurrent clear, cancel or
change of capacity can never disagree with a student's account.

Capacity, role balance and the waitlist live here, so the version check on the
lesson is what keeps thirty parallel registrations from overfilling it.
Attendance (who came, who did not) is a fact on the lesson, not a credit
movement: the ledger gains no entry type for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.errors import (
    CapacityTooLowError,
    InvalidTermsError,
    LessonClearedError,
    LessonNotStartedError,
    RegistrationClosedError,
)
from tangopass.ledger.limits import check_in_future
from tangopass.ledger.entries import STUDENT, TEACHER

LESSON_NAMESPACE = uuid5(NAMESPACE_URL, "https://tangopass.invalid/lesson")

SCHEDULED, CLEARED, CANCELLED = "scheduled", "cleared", "cancelled"
LEADER, FOLLOWER = "leader", "follower"
ROLES = (LEADER, FOLLOWER)


class Lesson(Aggregate):
    """One lesson, with the terms (window hours, capacity, balance) it was set with."""

    TOPIC = "tangopass:Lesson"

    # Defaults for lessons whose history (or snapshot) predates these fields.
    # Collections are only ever replaced, never changed in place, so sharing
    # these immutable class-level defaults is safe.
    # (No annotations: annotated class attributes would become dataclass fields.)
    title = None
    capacity = None
    role_balance = None
    series_id = None
    roles = {}  # str(student number) -> role or None, for each attendee  # noqa: RUF012
    waitlist = ()  # ({"student", "role", "since"}, ...) in line order
    joins = 0  # places in line handed out so far: each join's number orders the line
    attendance = {}  # str(student number) -> "attended" | "no_show", once cleared  # noqa: RUF012

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
    def schedule(
        cls, number: int, starts_at: datetime, window_hours: int, now: datetime, *,
        title: str | None = None, capacity: int | None = None,
        role_balance: int | None = None, series_id: int | None = None, by: str = TEACHER,
    ) -> Lesson:
        """Set a lesson (``starts_at`` after ``now``); students may register until
        ``window_hours`` before it starts."""
        check_in_future("starts_at", starts_at, now)
        closes_at = starts_at - timedelta(hours=window_hours)
        return cls(
            number=number, starts_at=starts_at, closes_at=closes_at,
            window_hours=window_hours, at=now, by=by, title=title, capacity=capacity,
            role_balance=role_balance, series_id=series_id,
        )

    @event("Scheduled", topic="tangopass:Lesson.Scheduled")
    def __init__(
        self, number: int, starts_at: datetime, closes_at: datetime, window_hours: int,
        at: datetime, by: str, title: str | None = None, capacity: int | None = None,
        role_balance: int | None = None, series_id: int | None = None,
    ):
        self.number = number
        self.starts_at = starts_at
        self.closes_at = closes_at
        self.window_hours = window_hours
        self.status = SCHEDULED
        self.attendees: list[int] = []
        self.title = title
        self.capacity = capacity
        self.role_balance = role_balance
        self.series_id = series_id
        self.roles = {}
        self.waitlist = ()
        self.attendance = {}

    # ----------------------------------------------------------------- queries

    def has_begun(self, now: datetime) -> bool:
        return now >= self.starts_at

    def window_open(self, now: datetime) -> bool:
        return self.status == SCHEDULED and now < self.closes_at

    def role_of(self, student_number: int) -> str | None:
        return self.roles.get(str(student_number))

    def role_counts(self) -> tuple[int, int]:
        """(leaders, followers) among the attendees; those without a role count for neither."""
        roles = [self.role_of(n) for n in self.attendees]
        return roles.count(LEADER), roles.count(FOLLOWER)

    def fits(self, role: str | None) -> bool:
        """Whether one more registration with ``role`` keeps capacity and balance."""
        if self.capacity is not None and len(self.attendees) >= self.capacity:
            return False
        if self.role_balance is None or role is None:
            return True
        leaders, followers = self.role_counts()
        if role == LEADER:
            return leaders + 1 - followers <= self.role_balance
        return followers + 1 - leaders <= self.role_balance

    def spots_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - len(self.attendees))

    def waitlist_position(self, student_number: int) -> int | None:
        """1 = first in line; None when not waiting."""
        for index, entry in enumerate(self.waitlist):
            if entry["student"] == student_number:
                return index + 1
        return None

    def waiting_role(self, student_number: int) -> str | None:
        position = self.waitlist_position(student_number)
        return None if position is None else self.waitlist[position - 1]["role"]

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

    def admit(self, student_number: int, now: datetime, by: str, role: str | None = None) -> None:
        self.check_window_open(now, by)  # the teacher's walk-ins and promotions bypass it
        if student_number in self.attendees:
            return
        if self.waitlist_position(student_number) is not None:
            self._waitlist_left(self.number, student_number, "registered", now, by)
        self._attendee_added(student_number, now, by, lesson_id=self.number, role=role)

    def release(self, student_number: int, now: datetime, by: str) -> None:
        self.check_window_open(now, by)
        if student_number in self.attendees:
            self._attendee_removed(student_number, now, by, lesson_id=self.number)

    def join_waitlist(self, student_number: int, role: str | None, now: datetime, by: str) -> int:
        """Join the end of the line (or keep one's place); return the position."""
        self.check_changeable()
        position = self.waitlist_position(student_number)
        if position is None:
            self._waitlisted(self.number, student_number, role, now, by, place=self.joins + 1)
            position = len(self.waitlist)
        return position

    def leave_waitlist(self, student_number: int, reason: str, now: datetime, by: str) -> bool:
        if self.waitlist_position(student_number) is None:
            return False
        self._waitlist_left(self.number, student_number, reason, now, by)
        return True

    def set_capacity(self, capacity: int | None, now: datetime) -> None:
        """Change the limit; never below the number already registered."""
        self.check_changeable()
        if capacity is not None and capacity < len(self.attendees):
            raise CapacityTooLowError(
                f"capacity {capacity} is below the {len(self.attendees)} already registered"
                f" for lesson {self.number}"
            )
        if capacity != self.capacity:
            self._capacity_set(self.number, capacity, now, TEACHER)

    def clear(self, now: datetime, no_shows: list[int] | None = None) -> list[int]:
        """Close the lesson after it has begun; return who was registered."""
        self.check_changeable()
        if not self.has_begun(now):
            raise LessonNotStartedError(f"lesson {self.number} has not begun yet")
        missing = sorted(set(no_shows or ()) - set(self.attendees))
        if missing:
            raise InvalidTermsError(
                f"no_shows: student(s) {missing} are not registered for lesson {self.number}"
            )
        attendees = list(self.attendees)
        self._cleared(attendees, now, TEACHER, lesson_id=self.number,
                      no_shows=sorted(set(no_shows or ())))
        return attendees

    def cancel(self, now: datetime, reason: str | None = None) -> list[int]:
        """Call the lesson off; return who was registered (their credits go back)."""
        self.check_changeable()
        attendees = list(self.attendees)
        waiting = [entry["student"] for entry in self.waitlist]
        self._cancelled(attendees, now, TEACHER, lesson_id=self.number, waitlist=waiting,
                        reason=reason)
        return attendees

    # ------------------------------------------------------ events and applies

    @event("AttendeeAdded", topic="tangopass:Lesson.AttendeeAdded")
    def _attendee_added(
        self, student_number: int, at: datetime, by: str, lesson_id: int | None = None,
        role: str | None = None,
    ) -> None:
        self.attendees.append(student_number)
        self.roles = {**self.roles, str(student_number): role}

    @event("AttendeeRemoved", topic="tangopass:Lesson.AttendeeRemoved")
    def _attendee_removed(
        self, student_number: int, at: datetime, by: str, lesson_id: int | None = None
    ) -> None:
        self.attendees.remove(student_number)
        self.roles = {k: v for k, v in self.roles.items() if k != str(student_number)}

    @event("Waitlisted", topic="tangopass:Lesson.Waitlisted")
    def _waitlisted(
        self, lesson_id: int, student_number: int, role: str | None, at: datetime, by: str,
        place: int | None = None,
    ) -> None:
        # The line is the order of the joins (``place``), not of their clock times: two
        # workers' clocks may disagree by a second, the version check on this lesson may not.
        self.joins = place or self.joins + 1
        self.waitlist = (*self.waitlist, {"student": student_number, "role": role, "since": at})

    @event("WaitlistLeft", topic="tangopass:Lesson.WaitlistLeft")
    def _waitlist_left(
        self, lesson_id: int, student_number: int, reason: str, at: datetime, by: str
    ) -> None:
        self.waitlist = tuple(e for e in self.waitlist if e["student"] != student_number)

    @event("CapacitySet", topic="tangopass:Lesson.CapacitySet")
    def _capacity_set(self, lesson_id: int, capacity: int | None, at: datetime, by: str) -> None:
        self.capacity = capacity

    @event("Cleared", topic="tangopass:Lesson.Cleared")
    def _cleared(
        self, attendees: list[int], at: datetime, by: str, lesson_id: int | None = None,
        no_shows: list[int] | None = None,
    ) -> None:
        self.status = CLEARED
        self.waitlist = ()  # held: nobody waits any more (no credit was held)
        absent = set(no_shows or ())
        self.attendance = {
            str(n): "no_show" if n in absent else "attended" for n in attendees
        }

    @event("Cancelled", topic="tangopass:Lesson.Cancelled")
    def _cancelled(
        self, attendees: list[int], at: datetime, by: str, lesson_id: int | None = None,
        waitlist: list[int] | None = None, reason: str | None = None,
    ) -> None:
        self.status = CANCELLED
        self.waitlist = ()
