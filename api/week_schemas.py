"""Request and answer shapes of the studio's week (contract part 2: lessons, series,
capacity, attendance, walk-ins, closures). They validate requests and generate
``/openapi.json`` like ``schemas``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from tangopass.api.schemas import (
    ID_MAX,
    LessonView,
    Answer,
    Id,
    Instant,
    Moment,
    Name,
    Request,
    Text,
    _integral,
    whole,
)
from tangopass.api.student_schemas import Status

Capacity = whole(1, 500)
Balance = whole(1, 20, description="leaders and followers may differ by at most this many")
Weekday = whole(1, 7, description="ISO weekday, Monday = 1")
Role = Literal["leader", "follower"]
WallTime = Annotated[
    str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 00:00-23:59",
               examples=["19:30"]),
]
Day = Annotated[date, Field(description="YYYY-MM-DD in the studio time zone")]


def _sane_day(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return value


# ------------------------------------------------------------------- requests


class AddLesson(Request):
    """Add one lesson, with an optional title, capacity and role balance."""

    starts_at: Moment = Field(description="in the future")
    title: Name | None = None
    capacity: Capacity | None = None
    role_balance: Balance | None = None


class AddSeries(Request):
    """Add a weekly lesson; its lessons within the next 56 days are made at once."""

    weekday: Weekday
    time: WallTime
    starts_on: Day = Field(description="not in the past")
    ends_on: Day | None = Field(None, description="on or after starts_on; none = open-ended")
    title: Name | None = None
    capacity: Capacity | None = None
    role_balance: Balance | None = None

    @model_validator(mode="after")
    def _check(self) -> AddSeries:
        _sane_day(self.starts_on)
        _sane_day(self.ends_on)
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must be on or after starts_on")
        return self


class EndSeries(Request):
    """End a series: its lessons after last_on are cancelled (credits back)."""

    series_id: Id
    last_on: Day | None = Field(None, description="default: today")


class SetCapacity(Request):
    """Change a lesson's capacity (null = no limit); raising it promotes from the waitlist."""

    lesson_id: Id
    capacity: Capacity | None


class RegisterStudent(Request):
    """The teacher registers a student (walk-in, phone booking): after the window too."""

    student_id: Id
    lesson_id: Id | None = None
    role: Role | None = None


class AddClosure(Request):
    """Close the studio for some dates: cancel their lessons, optionally extend passes."""

    from_: Day = Field(alias="from")
    to: Day
    reason: Text
    extend_passes: bool

    @model_validator(mode="after")
    def _check(self) -> AddClosure:
        _sane_day(self.from_)
        _sane_day(self.to)
        if self.to < self.from_:
            raise ValueError("to must be on or after from")
        if (self.to - self.from_).days > 365:
            raise ValueError("to must be at most 365 days after from")
        return self


class RegisterChoice(Request):
    lesson_id: Id | None = None
    role: Role | None = None


class ClearRegistrations(Request):
    lesson_id: Id | None = None
    no_shows: list[Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(_integral)]] | None = Field(
        None, max_length=500, description="registered students who did not come"
    )


# ------------------------------------------------------------------- answers


# The lesson object of the contract is one model, wherever a lesson appears.
Lesson = LessonView


class LessonSet(Answer):
    lesson: Lesson


class Series(Answer):
    id: int
    weekday: int
    time: str
    starts_on: str
    ends_on: str | None
    title: str | None
    capacity: int | None
    role_balance: int | None


class SeriesAdded(Answer):
    series: Series
    lessons: list[Lesson]


class SeriesEnded(Answer):
    series_id: int
    cancelled: int
    refunded: int
    expired_on_return: int


class RosterEntry(Answer):
    student_id: int
    name: str
    registered_at: Instant
    role: Role | None
    attendance: Literal["attended", "no_show"] | None
    registered_by: Literal["student", "teacher", "system"]


class WaitlistEntry(Answer):
    student_id: int
    name: str
    since: Instant
    role: Role | None


class LessonWithRoster(Lesson):
    registrations: list[RosterEntry]
    waitlist: list[WaitlistEntry]


class Lessons(Answer):
    lessons: list[LessonWithRoster]


class StudentLesson(Answer):
    id: int
    starts_at: Instant
    registration_closes_at: Instant
    title: str | None
    registration_open: bool
    registered: bool
    waitlisted: bool
    spots_left: int | None = Field(description="null = no limit; never below 0")
    waitlist_position: int | None
    capacity: int | None
    series_id: int | None


class Registration(Answer):
    """Registered (a credit taken) or, when the lesson is full, waitlisted (none taken)."""

    registered: bool
    waitlisted: bool | None = None
    lesson_id: int
    consumed_lot_id: int | None = None
    position: int | None = None
    credits_available: int


class Closure(Answer):
    id: int
    from_: str = Field(alias="from")
    to: str
    reason: str


class ClosureAdded(Answer):
    closure: Closure
    cancelled_lessons: int
    refunded: int
    expired_on_return: int
    extended_lots: int


class LessonCancelled(Answer):
    lesson_id: int
    refunded: int
    expired_on_return: int


class Cleared(Answer):
    lesson_id: int
    cleared: int
    attended: int
    no_shows: int


class StudentStatus(Status):
    lessons: list[StudentLesson] = Field(
        description="every scheduled lesson from now to the horizon's end (56 days)"
    )
