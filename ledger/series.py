"""A weekly lesson: one weekday, one wall time, a run of dates.

The series makes its own lessons lazily, like expiry: whoever looks at the
schedule first makes the lessons the horizon now covers. Each made date is
recorded here (``LessonsMade``), so two workers making the same date collide on
this aggregate's version and one of them reloads and finds it made: exactly
once. A closure records its dates here too (``DatesClosed``), so a closure and
a maker running at the same moment collide the same way instead of trusting
order.

Dates are ISO strings (``YYYY-MM-DD``) and wall times ``HH:MM``, in the studio
time zone the series was created in; a lesson's start is that wall time on that
date, so daylight-saving changes never move it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.entries import SYSTEM, TEACHER

SERIES_NAMESPACE = uuid5(NAMESPACE_URL, "https://tangopass.invalid/series")
HORIZON = timedelta(days=56)
WEEK = timedelta(days=7)


def first_on_or_after(day: date, weekday: int) -> date:
    """The first date on or after ``day`` that falls on ISO ``weekday`` (Monday = 1)."""
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def wall_time_at(day: date, wall: str, tz: ZoneInfo) -> datetime:
    """``HH:MM`` on ``day`` in ``tz``, as a UTC instant (a spring-forward gap reads fold=0)."""
    hours, minutes = (int(part) for part in wall.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz).astimezone(UTC)


class Series(Aggregate):
    """A weekly lesson with the terms (window, capacity, balance) of the day it was set."""

    TOPIC = "tangopass:Series"

    class Created(Aggregate.Created):
        TOPIC = "tangopass:Series.Created"

    class Snapshot(Aggregate.Snapshot):
        TOPIC = "tangopass:Series.Snapshot"

    @staticmethod
    def create_id(number: int) -> UUID:
        return uuid5(SERIES_NAMESPACE, str(number))

    @classmethod
    def start(
        cls, *, number: int, weekday: int, wall: str, starts_on: date, ends_on: date | None,
        title: str | None, capacity: int | None, role_balance: int | None,
        window_hours: int, tz: ZoneInfo, closed: list[tuple[str, str]], now: datetime,
    ) -> Series:
        first = first_on_or_after(starts_on, weekday)
        over = ends_on is not None and first > ends_on
        return cls(
            number=number, weekday=weekday, wall=wall, starts_on=starts_on.isoformat(),
            ends_on=None if ends_on is None else ends_on.isoformat(), title=title,
            capacity=capacity, role_balance=role_balance, window_hours=window_hours,
            tz=tz.key, closed=[list(span) for span in closed], next_on=first.isoformat(),
            next_start_at=None if over else wall_time_at(first, wall, tz), at=now, by=TEACHER,
        )

    @event("Added", topic="tangopass:Series.Added")
    def __init__(
        self, number: int, weekday: int, wall: str, starts_on: str, ends_on: str | None,
        title: str | None, capacity: int | None, role_balance: int | None, window_hours: int,
        tz: str, closed: list, next_on: str, next_start_at: datetime | None, at: datetime,
        by: str,
    ):
        self.number = number
        self.weekday = weekday
        self.wall = wall
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.title = title
        self.capacity = capacity
        self.role_balance = role_balance
        self.window_hours = window_hours
        self.tz = tz
        self.closed = [list(span) for span in closed]
        self.next_on = next_on
        self.ended_on: str | None = None
        self.made: dict[str, int] = {}  # date -> lesson number

    # ----------------------------------------------------------------- queries

    def starts_at(self, day: date) -> datetime:
        return wall_time_at(day, self.wall, ZoneInfo(self.tz))

    def last_on(self) -> date | None:
        """The last date the series may make (its end, or where the teacher ended it)."""
        ends = [date.fromisoformat(d) for d in (self.ends_on, self.ended_on) if d is not None]
        return min(ends) if ends else None

    def is_closed(self, day: date) -> bool:
        text = day.isoformat()
        return any(start <= text <= end for start, end in self.closed)

    def next_start_at(self) -> datetime | None:
        """When the next date not yet considered starts; None once the series is over."""
        day = date.fromisoformat(self.next_on)
        last = self.last_on()
        return None if last is not None and day > last else self.starts_at(day)

    def due(self, now: datetime) -> tuple[list[date], date]:
        """The dates to make now (start within the horizon, not closed), and the next date.

        Dates already past or closed are passed over without a lesson.
        """
        day, last, dates = date.fromisoformat(self.next_on), self.last_on(), []
        while (last is None or day <= last) and self.starts_at(day) < now + HORIZON:
            if self.starts_at(day) > now and not self.is_closed(day):
                dates.append(day)
            day += WEEK
        return dates, day

    # ---------------------------------------------------------------- commands

    def record_made(self, made: list[tuple[date, int]], next_on: date, now: datetime) -> None:
        """Record the lessons made for these dates (numbers decided by the caller)."""
        if next_on.isoformat() == self.next_on and not made:
            return
        after = date.fromisoformat(self.next_on)
        following = self._start_after(next_on)
        self._lessons_made(
            self.number, [[d.isoformat(), n] for d, n in made], after.isoformat(),
            next_on.isoformat(), following, now, SYSTEM,
        )

    def close_dates(self, closure_id: int, from_on: date, to_on: date, now: datetime) -> None:
        self._dates_closed(self.number, closure_id, from_on.isoformat(), to_on.isoformat(), now, TEACHER)

    def end(self, last_on: date, now: datetime) -> list[int]:
        """Make no lesson after ``last_on``; return the made lessons after it."""
        after = [n for d, n in sorted(self.made.items()) if d > last_on.isoformat()]
        ended = last_on.isoformat() if self.ended_on is None else min(
            self.ended_on, last_on.isoformat()
        )
        last = min(d for d in (ended, self.ends_on) if d is not None)
        following = None if self.next_on > last else self.starts_at(date.fromisoformat(self.next_on))
        self._ended(self.number, ended, after, following, now, TEACHER)
        return after

    def _start_after(self, next_on: date) -> datetime | None:
        last = self.last_on()
        return None if last is not None and next_on > last else self.starts_at(next_on)

    # ------------------------------------------------------ events and applies

    @event("LessonsMade", topic="tangopass:Series.LessonsMade")
    def _lessons_made(
        self, series_id: int, made: list, from_on: str, next_on: str,
        next_start_at: datetime | None, at: datetime, by: str,
    ) -> None:
        self.made = {**self.made, **{d: n for d, n in made}}
        self.next_on = next_on

    @event("DatesClosed", topic="tangopass:Series.DatesClosed")
    def _dates_closed(
        self, series_id: int, closure_id: int, from_on: str, to_on: str, at: datetime, by: str
    ) -> None:
        self.closed = [*self.closed, [from_on, to_on]]

    @event("Ended", topic="tangopass:Series.Ended")
    def _ended(
        self, series_id: int, last_on: str, cancelled: list, next_start_at: datetime | None,
        at: datetime, by: str,
    ) -> None:
        self.ended_on = last_on
