"""Projectors for the studio's week: a lesson's roster and waitlist, series, closures.

Each is ``fn(event, number) -> list[Statement]`` like the ledger's projectors
(see projections/projectors.py): ``number`` is the lesson's or the series' own
small integer id (``lesson_events.id`` / ``series.id``; None for the one
Schedule), known to the live append from the aggregate and to the rebuild from
the aggregate's first event. None reads back a row; lesson events written
before part 2 carry no ``lesson_id`` and need none, the number says it.
"""

from __future__ import annotations

from typing import Any

from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.schedule import Schedule
from tangopass.ledger.series import Series
from tangopass.projections.projectors import projects
from tangopass.projections.storage.port import Statement


def _maybe_iso(instant: Any) -> str | None:
    return None if instant is None else iso(instant)


# ------------------------------------------------------------------- lessons


@projects(Lesson.AttendeeAdded)
def attendee_added(event: Any, number: int) -> list[Statement]:
    return [(
        "INSERT INTO lesson_roster (lesson_id, student_id, role, added_at, added_by, status)"
        " VALUES (?, ?, ?, ?, ?, 'registered')"
        " ON CONFLICT (lesson_id, student_id) DO UPDATE SET role = excluded.role,"
        " added_at = excluded.added_at, added_by = excluded.added_by, status = 'registered',"
        " attendance = NULL",
        (number, event.student_number, getattr(event, "role", None), iso(event.at), event.by),
    )]


@projects(Lesson.AttendeeRemoved)
def attendee_removed(event: Any, number: int) -> list[Statement]:
    return [(
        "UPDATE lesson_roster SET status = 'left' WHERE lesson_id = ? AND student_id = ?",
        (number, event.student_number),
    )]


@projects(Lesson.Waitlisted)
def waitlisted(event: Any, number: int) -> list[Statement]:
    return [(
        "INSERT INTO lesson_waitlist (lesson_id, student_id, role, since, place)"
        " VALUES (?, ?, ?, ?, ?)",
        (number, event.student_number, event.role, iso(event.at), event.place),
    )]


@projects(Lesson.WaitlistLeft)
def waitlist_left(event: Any, number: int) -> list[Statement]:
    return [(
        "DELETE FROM lesson_waitlist WHERE lesson_id = ? AND student_id = ?",
        (number, event.student_number),
    )]


@projects(Lesson.CapacitySet)
def capacity_set(event: Any, number: int) -> list[Statement]:
    return [("UPDATE lesson_events SET capacity = ? WHERE id = ?", (event.capacity, number))]


@projects(Lesson.Cleared)
def lesson_cleared(event: Any, number: int) -> list[Statement]:
    absent = list(getattr(event, "no_shows", None) or ())
    marks = ", ".join("?" for _ in absent) or "NULL"
    return [
        (
            "UPDATE lesson_events SET status = 'cleared', closed_at = ? WHERE id = ?",
            (iso(event.at), number),
        ),
        (
            f"UPDATE lesson_roster SET attendance = CASE WHEN student_id IN ({marks})"
            " THEN 'no_show' ELSE 'attended' END WHERE lesson_id = ? AND status = 'registered'",
            (*absent, number),
        ),
        ("DELETE FROM lesson_waitlist WHERE lesson_id = ?", (number,)),
    ]


@projects(Lesson.Cancelled)
def lesson_cancelled(event: Any, number: int) -> list[Statement]:
    return [
        (
            "UPDATE lesson_events SET status = 'cancelled', closed_at = ? WHERE id = ?",
            (iso(event.at), number),
        ),
        (
            "UPDATE lesson_roster SET status = 'called_off' WHERE lesson_id = ?"
            " AND status = 'registered'",
            (number,),
        ),
        ("DELETE FROM lesson_waitlist WHERE lesson_id = ?", (number,)),
    ]


# -------------------------------------------------------------------- series


@projects(Series.Added)
def series_added(event: Any, number: int) -> list[Statement]:
    return [(
        "INSERT INTO series (id, aggregate_id, weekday, time, starts_on, ends_on, title,"
        " capacity, role_balance, window_hours, tz, next_start_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            number, str(event.originator_id), event.weekday, event.wall, event.starts_on,
            event.ends_on, event.title, event.capacity, event.role_balance, event.window_hours,
            event.tz, _maybe_iso(event.next_start_at), iso(event.at),
        ),
    )]


@projects(Series.LessonsMade)
def series_lessons_made(event: Any, number: int) -> list[Statement]:
    return [(
        "UPDATE series SET next_start_at = ? WHERE id = ?",
        (_maybe_iso(event.next_start_at), number),
    )]


@projects(Series.Ended)
def series_ended(event: Any, number: int) -> list[Statement]:
    return [(
        "UPDATE series SET ended_on = ?, next_start_at = ? WHERE id = ?",
        (event.last_on, _maybe_iso(event.next_start_at), number),
    )]


@projects(Schedule.ClosureAdded)
def closure_added(event: Any, number: int | None) -> list[Statement]:
    return [(
        "INSERT INTO closures (id, from_on, to_on, reason, extend_passes, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event.closure_id, event.from_on, event.to_on, event.reason, int(event.extend_passes),
         iso(event.at)),
    )]
