"""Projectors for the studio's week: a lesson's roster and waitlist, series, closures.

Each is a function from one event (which carries every decided value) to SQL
statements; none reads back a row the same append wrote. Lesson events written
before part 2 carry no ``lesson_id``: for those alone the lesson is found by its
aggregate id inside the statement (its row was written by an earlier append).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.schedule import Schedule
from tangopass.ledger.series import Series
from tangopass.projections.projectors import projects


def _lesson_ref(event: Any) -> tuple[str, Any]:
    """SQL for the lesson's number, and its parameter."""
    number = getattr(event, "lesson_id", None)
    if number is not None:
        return "?", number
    return "(SELECT id FROM lesson_events WHERE aggregate_id = ?)", str(event.originator_id)


def _maybe_iso(instant: Any) -> str | None:
    return None if instant is None else iso(instant)


# ------------------------------------------------------------------- lessons


@projects(Lesson.AttendeeAdded)
def attendee_added(cursor: sqlite3.Cursor, event: Any) -> None:
    ref, param = _lesson_ref(event)
    cursor.execute(
        "INSERT INTO lesson_roster (lesson_id, student_id, role, added_at, added_by, status)"
        f" VALUES ({ref}, ?, ?, ?, ?, 'registered')"
        " ON CONFLICT (lesson_id, student_id) DO UPDATE SET role = excluded.role,"
        " added_at = excluded.added_at, added_by = excluded.added_by, status = 'registered',"
        " attendance = NULL",
        (param, event.student_number, getattr(event, "role", None), iso(event.at), event.by),
    )


@projects(Lesson.AttendeeRemoved)
def attendee_removed(cursor: sqlite3.Cursor, event: Any) -> None:
    ref, param = _lesson_ref(event)
    cursor.execute(
        f"UPDATE lesson_roster SET status = 'left' WHERE lesson_id = {ref} AND student_id = ?",
        (param, event.student_number),
    )


@projects(Lesson.Waitlisted)
def waitlisted(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "INSERT INTO lesson_waitlist (lesson_id, student_id, role, since, place)"
        " VALUES (?, ?, ?, ?, ?)",
        (event.lesson_id, event.student_number, event.role, iso(event.at), event.place),
    )


@projects(Lesson.WaitlistLeft)
def waitlist_left(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "DELETE FROM lesson_waitlist WHERE lesson_id = ? AND student_id = ?",
        (event.lesson_id, event.student_number),
    )


@projects(Lesson.CapacitySet)
def capacity_set(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "UPDATE lesson_events SET capacity = ? WHERE id = ?", (event.capacity, event.lesson_id)
    )


@projects(Lesson.Cleared)
def lesson_cleared(cursor: sqlite3.Cursor, event: Any) -> None:
    ref, param = _lesson_ref(event)
    cursor.execute(
        f"UPDATE lesson_events SET status = 'cleared', closed_at = ? WHERE id = {ref}",
        (iso(event.at), param),
    )
    absent = list(getattr(event, "no_shows", None) or ())
    marks = ", ".join("?" for _ in absent) or "NULL"
    cursor.execute(
        f"UPDATE lesson_roster SET attendance = CASE WHEN student_id IN ({marks})"
        f" THEN 'no_show' ELSE 'attended' END WHERE lesson_id = {ref} AND status = 'registered'",
        (*absent, param),
    )
    cursor.execute(f"DELETE FROM lesson_waitlist WHERE lesson_id = {ref}", (param,))


@projects(Lesson.Cancelled)
def lesson_cancelled(cursor: sqlite3.Cursor, event: Any) -> None:
    ref, param = _lesson_ref(event)
    cursor.execute(
        f"UPDATE lesson_events SET status = 'cancelled', closed_at = ? WHERE id = {ref}",
        (iso(event.at), param),
    )
    cursor.execute(
        f"UPDATE lesson_roster SET status = 'called_off' WHERE lesson_id = {ref}"
        " AND status = 'registered'",
        (param,),
    )
    cursor.execute(f"DELETE FROM lesson_waitlist WHERE lesson_id = {ref}", (param,))


# -------------------------------------------------------------------- series


@projects(Series.Added)
def series_added(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "INSERT INTO series (id, aggregate_id, weekday, time, starts_on, ends_on, title,"
        " capacity, role_balance, window_hours, tz, next_start_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.number, str(event.originator_id), event.weekday, event.wall, event.starts_on,
            event.ends_on, event.title, event.capacity, event.role_balance, event.window_hours,
            event.tz, _maybe_iso(event.next_start_at), iso(event.at),
        ),
    )


@projects(Series.LessonsMade)
def series_lessons_made(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "UPDATE series SET next_start_at = ? WHERE id = ?",
        (_maybe_iso(event.next_start_at), event.series_id),
    )


@projects(Series.Ended)
def series_ended(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "UPDATE series SET ended_on = ?, next_start_at = ? WHERE id = ?",
        (event.last_on, _maybe_iso(event.next_start_at), event.series_id),
    )


@projects(Schedule.ClosureAdded)
def closure_added(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "INSERT INTO closures (id, from_on, to_on, reason, extend_passes, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (event.closure_id, event.from_on, event.to_on, event.reason, int(event.extend_passes),
         iso(event.at)),
    )
