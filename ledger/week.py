"""The studio's week: lessons with terms, weekly series, capacity, walk-ins, closures.

A mixin of verb methods for the application (``TangoPass``); each returns plain
values and saves every aggregate it touched in one atomic, version-checked
append, retried as a whole on a version conflict. Nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tangopass.ledger.errors import InvalidTermsError, LedgerError, NoCreditsError, NotFoundError
from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.places import Touched, promote, refund_all
from tangopass.ledger.schedule import Schedule
from tangopass.ledger.series import HORIZON, Series
from tangopass.ledger.entries import SYSTEM, TEACHER


def full_lesson_view(lesson: Lesson) -> dict:
    """The contract's lesson object, from the aggregate."""
    return {
        "id": lesson.number,
        "starts_at": iso(lesson.starts_at),
        "registration_closes_at": iso(lesson.closes_at),
        "title": lesson.title,
        "capacity": lesson.capacity,
        "role_balance": lesson.role_balance,
        "series_id": lesson.series_id,
        "status": lesson.status,
        "registered_count": len(lesson.attendees),
        "waitlist_count": len(lesson.waitlist),
    }


def series_view(series: Series) -> dict:
    return {
        "id": series.number, "weekday": series.weekday, "time": series.wall,
        "starts_on": series.starts_on, "ends_on": series.ends_on, "title": series.title,
        "capacity": series.capacity, "role_balance": series.role_balance,
    }


def day_bounds(from_on: date, to_on: date, tz: ZoneInfo) -> tuple[str, str]:
    """UTC instants [start of ``from_on``, start of the day after ``to_on``) in ``tz``."""
    start = datetime.combine(from_on, time(0), tzinfo=tz)
    end = datetime.combine(to_on + timedelta(days=1), time(0), tzinfo=tz)
    return iso(start), iso(end)


def _bind(idempotency: Any, body: dict) -> Any:
    return None if idempotency is None else idempotency.answer(body)


class StudioWeek:
    """Verb methods for the week; mixed into ``TangoPass`` (which provides the machinery)."""

    # ------------------------------------------------------------- loading

    def _series(self, series_id: int) -> Series:
        series = self.events.load(Series.create_id(series_id))
        if series is None:
            raise NotFoundError(f"no series with id {series_id}")
        return series

    def _schedule(self, now: datetime) -> Schedule:
        schedule = self.events.load(Schedule.create_id())
        return schedule if schedule is not None else Schedule(at=now, by=TEACHER)

    def _lesson_terms(self) -> tuple[int, int | None]:
        """(window hours, default capacity) in force now."""
        in_force = getattr(self, "settings_in_force", None)
        if in_force is not None:  # the studio's settings, once they exist
            settings = in_force()
            return settings.window_hours, settings.default_capacity
        return self.terms.window_hours, getattr(self.terms, "default_capacity", None)

    def _touched(self, now: datetime) -> Touched:
        return Touched(lambda number: self._student(number, now))

    def _save_touched(self, touched: Touched, lessons: list, decide, idempotency: Any, respond):
        """Run ``decide``; on a refusal keep only what settling wrote, then refuse."""
        try:
            result = decide()
        except LedgerError:
            self.save(*touched.all())
            raise
        body = respond(result)
        # Students first: a lesson's admission follows the account's REGISTER entry.
        self.save(*touched.all(), *lessons, idempotency=_bind(idempotency, body))
        return body

    # ------------------------------------------------------------- lessons

    def add_lesson(
        self, starts_at: datetime, now: datetime, idempotency: Any = None, *,
        title: str | None = None, capacity: int | None = None, role_balance: int | None = None,
    ) -> dict:
        def command() -> dict:
            window_hours, default_capacity = self._lesson_terms()
            lesson = Lesson.schedule(
                self.queries.next_lesson_id(), starts_at, window_hours, now, title=title,
                capacity=capacity if capacity is not None else default_capacity,
                role_balance=role_balance,
            )
            body = {"lesson": full_lesson_view(lesson)}
            self.save(lesson, idempotency=_bind(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def set_capacity(
        self, lesson_id: int, capacity: int | None, now: datetime, idempotency: Any = None
    ) -> dict:
        def command() -> dict:
            lesson = self._lesson(lesson_id)
            touched = self._touched(now)

            def decide() -> None:
                lesson.set_capacity(capacity, now)
                promote(lesson, now, touched)

            return self._save_touched(
                touched, [lesson], decide, idempotency, lambda _: {"lesson": full_lesson_view(lesson)}
            )

        return self._retrying(command, idempotency)

    def register_student(
        self, student_id: int, lesson_id: int | None, role: str | None, now: datetime,
        idempotency: Any = None,
    ) -> dict:
        """The teacher's override: after the window, after the start, over capacity."""

        def command() -> dict:
            touched = self._touched(now)
            student = touched.get(student_id)
            lessons: list[Lesson] = []

            def decide() -> dict:
                lesson = self._lesson(self._upcoming_lesson_id(lesson_id, now))
                lesson.check_changeable()
                registration = student.registration(lesson.number)
                if registration is None:
                    if student.fifo_lot(now) is None:
                        raise NoCreditsError("no unexpired credit left")
                    chosen = role or lesson.waiting_role(student.number) or \
                        self.queries.last_role(student.number)
                    lot_id = student.register(lesson.number, now, by=TEACHER)
                    lesson.admit(student.number, now, TEACHER, role=chosen)
                    promote(lesson, now, touched)
                    lessons.append(lesson)
                else:
                    lot_id = registration.lot_id
                return {"registered": True, "lesson_id": lesson.number, "consumed_lot_id": lot_id}

            return self._save_touched(
                touched, lessons, decide, idempotency,
                lambda result: {**result, "credits_available": student.balance},
            )

        return self._retrying(command, idempotency)

    # -------------------------------------------------------------- series

    def add_series(
        self, *, weekday: int, wall: str, starts_on: date, ends_on: date | None,
        title: str | None, capacity: int | None, role_balance: int | None, now: datetime,
        idempotency: Any = None,
    ) -> dict:
        """A weekly lesson; its lessons within the horizon are made in the same command."""

        def command() -> dict:
            schedule = self._schedule(now)
            window_hours, default_capacity = self._lesson_terms()
            series = Series.start(
                number=schedule.add_series(now), weekday=weekday, wall=wall,
                starts_on=starts_on, ends_on=ends_on, title=title,
                capacity=capacity if capacity is not None else default_capacity,
                role_balance=role_balance, window_hours=window_hours, tz=self.terms.tz,
                closed=schedule.closed_spans(), now=now,
            )
            lessons = self._make(series, now)
            body = {"series": series_view(series), "lessons": [full_lesson_view(x) for x in lessons]}
            self.save(schedule, series, *lessons, idempotency=_bind(idempotency, body))
            return body

        return self._retrying(command, idempotency)

    def make_due_lessons(self, now: datetime) -> int:
        """Lazy making: write the series' lessons the horizon now covers; return how many."""
        made = 0
        for series_id in self.queries.due_series(iso(now + HORIZON)):
            def command(series_id: int = series_id) -> int:
                series = self._series(series_id)
                lessons = self._make(series, now)
                self.save(series, *lessons)
                return len(lessons)

            made += self._retrying(command)
        return made

    def _make(self, series: Series, now: datetime) -> list[Lesson]:
        dates, next_on = series.due(now)
        first = self.queries.next_lesson_id() if dates else 0
        lessons = [
            Lesson.schedule(
                first + i, series.starts_at(day), series.window_hours, now, title=series.title,
                capacity=series.capacity, role_balance=series.role_balance,
                series_id=series.number, by=SYSTEM,
            )
            for i, day in enumerate(dates)
        ]
        series.record_made([(day, first + i) for i, day in enumerate(dates)], next_on, now)
        return lessons

    def end_series(
        self, series_id: int, last_on: date, now: datetime, idempotency: Any = None
    ) -> dict:
        def command() -> dict:
            series = self._series(series_id)
            touched = self._touched(now)
            saved: list = [series]  # then each lesson it cancels

            def decide() -> dict:
                refunded = expired = 0
                for number in series.end(last_on, now):
                    lesson = self._lesson(number)
                    if lesson.status != "scheduled":
                        continue
                    r, e = refund_all(lesson, lesson.cancel(now), now, touched, TEACHER)
                    refunded, expired = refunded + r, expired + e
                    saved.append(lesson)
                return {"series_id": series_id, "cancelled": len(saved) - 1,
                        "refunded": refunded, "expired_on_return": expired}

            return self._save_touched(touched, saved, decide, idempotency, lambda b: b)

        return self._retrying(command, idempotency)

    # ------------------------------------------------------------ closures

    def add_closure(
        self, from_on: date, to_on: date, reason: str, extend_passes: bool, now: datetime,
        idempotency: Any = None,
    ) -> dict:
        """Cancel the lessons on those dates, close the series' dates, maybe extend passes."""
        if not from_on <= to_on <= from_on + timedelta(days=365):
            raise InvalidTermsError("to: must be on or after from, and at most 365 days after it")

        def command() -> dict:
            schedule = self._schedule(now)
            closure = schedule.add_closure(from_on, to_on, reason, extend_passes, now)
            series_list = [self._series(n) for n in range(1, schedule.series_count + 1)]
            for series in series_list:  # saved too: a concurrent maker collides with this
                series.close_dates(closure["id"], from_on, to_on, now)
            touched = self._touched(now)
            lessons = [
                self._lesson(n)
                for n in self.queries.scheduled_lessons_between(*day_bounds(from_on, to_on, self.terms.tz))
            ]
            refunded = expired = 0
            for lesson in lessons:
                r, e = refund_all(lesson, lesson.cancel(now, reason), now, touched, TEACHER, reason)
                refunded, expired = refunded + r, expired + e
            extended = 0
            if extend_passes:
                for number in self.queries.students_with_valid_lots(iso(now)):
                    touched.get(number)
                days = (to_on - from_on).days + 1
                extended = sum(
                    s.extend(days, now, self.terms.tz, note=reason) for s in touched.all()
                )
            body = {"closure": closure, "cancelled_lessons": len(lessons), "refunded": refunded,
                    "expired_on_return": expired, "extended_lots": extended}
            self.save(schedule, *series_list, *touched.all(), *lessons,
                      idempotency=_bind(idempotency, body))
            return body

        return self._retrying(command, idempotency)
