"""Reads of the studio's week: lessons with their terms and counts, rosters, waitlists.

A mixin of ``Queries`` (which provides ``snapshot()``); every method runs in one
read transaction. Instants are the API's UTC text (``2026-11-24T19:00:00Z``).
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tangopass.ledger.instants import from_iso, iso

HORIZON = timedelta(days=56)

LESSON_SELECT = (
    "SELECT l.id, l.starts_at, l.registration_closes_at, l.title, l.capacity, l.role_balance,"
    " l.series_id, l.status,"
    " (SELECT COUNT(*) FROM lesson_roster r WHERE r.lesson_id = l.id"
    "   AND r.status = 'registered') AS registered_count,"
    " (SELECT COUNT(*) FROM lesson_waitlist w WHERE w.lesson_id = l.id) AS waitlist_count"
    " FROM lesson_events l"
)


def horizon_end(now: str) -> str:
    return iso(from_iso(now) + HORIZON)


def spots_left(lesson: dict) -> int | None:
    """Never below 0: the teacher's walk-ins may take a lesson over its capacity."""
    if lesson["capacity"] is None:
        return None
    return max(0, lesson["capacity"] - lesson["registered_count"])


class WeekQueries:
    """Lesson, series and waitlist reads (mixed into ``Queries``)."""

    # -------------------------------------------------------- for commands

    def due_series(self, horizon_end: str) -> list[int]:
        """Series whose next date not yet made starts before ``horizon_end``."""
        with self.snapshot() as c:
            return [row[0] for row in c.execute(
                "SELECT id FROM series WHERE next_start_at IS NOT NULL AND next_start_at < ?"
                " ORDER BY id", (horizon_end,),
            )]

    def last_role(self, student_id: int) -> str | None:
        """The role of the student's latest registration that had one (the default role)."""
        return self._scalar(
            "SELECT role FROM lesson_roster WHERE student_id = ? AND role IS NOT NULL"
            " ORDER BY added_at DESC, lesson_id DESC LIMIT 1", (student_id,),
        )

    def waitlisted_lessons(self, student_id: int) -> list[int]:
        """Lessons where the student holds a place in line."""
        with self.snapshot() as c:
            return [row[0] for row in c.execute(
                "SELECT lesson_id FROM lesson_waitlist WHERE student_id = ? ORDER BY lesson_id",
                (student_id,),
            )]

    def scheduled_lessons_between(self, start: str, end: str) -> list[int]:
        """Scheduled lessons with ``start <= starts_at < end`` (past ones included)."""
        with self.snapshot() as c:
            return [row[0] for row in c.execute(
                "SELECT id FROM lesson_events WHERE status = 'scheduled' AND starts_at >= ?"
                " AND starts_at < ? ORDER BY starts_at, id", (start, end),
            )]

    # -------------------------------------------------------------- views

    @staticmethod
    def full_lesson(c: sqlite3.Cursor, lesson_id: int) -> dict | None:
        row = c.execute(f"{LESSON_SELECT} WHERE l.id = ?", (lesson_id,)).fetchone()
        return None if row is None else dict(row)

    def lessons_between(self, start: str, end: str) -> list[dict]:
        """Every lesson starting in [start, end), cancelled ones included, with its
        registrations (role, attendance) and waitlist in line order."""
        with self.snapshot() as c:
            lessons = [dict(row) for row in c.execute(
                f"{LESSON_SELECT} WHERE l.starts_at >= ? AND l.starts_at < ?"
                " ORDER BY l.starts_at, l.id", (start, end),
            )]
            for lesson in lessons:
                lesson["registrations"] = [dict(row) for row in c.execute(
                    "SELECT r.student_id, s.name, r.added_at AS registered_at, r.role,"
                    " r.attendance, r.added_by AS registered_by FROM lesson_roster r"
                    " JOIN students s ON s.id = r.student_id"
                    " WHERE r.lesson_id = ? AND r.status = 'registered'"
                    " ORDER BY r.added_at, r.student_id", (lesson["id"],),
                )]
                lesson["waitlist"] = [dict(row) for row in c.execute(
                    "SELECT w.student_id, s.name, w.since, w.role FROM lesson_waitlist w"
                    " JOIN students s ON s.id = w.student_id WHERE w.lesson_id = ?"
                    " ORDER BY w.place", (lesson["id"],),
                )]
        return lessons

    @staticmethod
    def upcoming_for(c: sqlite3.Cursor, student_id: int, now: str) -> list[dict]:
        """Every scheduled lesson within the horizon, as the student sees it."""
        rows = [dict(row) for row in c.execute(
            f"{LESSON_SELECT} WHERE l.status = 'scheduled' AND l.starts_at > ?"
            " AND l.starts_at < ? ORDER BY l.starts_at, l.id", (now, horizon_end(now)),
        )]
        mine = {row[0]: row[1] for row in c.execute(
            "SELECT lesson_id, status FROM lesson_roster WHERE student_id = ?", (student_id,)
        )}
        waiting = {row[0]: row[1] for row in c.execute(
            "SELECT w.lesson_id, (SELECT COUNT(*) FROM lesson_waitlist o"
            "  WHERE o.lesson_id = w.lesson_id AND o.place <= w.place)"
            " FROM lesson_waitlist w WHERE w.student_id = ?", (student_id,),
        )}
        return [{
            "id": lesson["id"], "starts_at": lesson["starts_at"],
            "registration_closes_at": lesson["registration_closes_at"],
            "title": lesson["title"], "registration_open": now < lesson["registration_closes_at"],
            "registered": mine.get(lesson["id"]) == "registered",
            "waitlisted": lesson["id"] in waiting, "spots_left": spots_left(lesson),
            "waitlist_position": waiting.get(lesson["id"]), "capacity": lesson["capacity"],
            "series_id": lesson["series_id"],
        } for lesson in rows]

    def calendar_lessons(self, student_id: int) -> list[dict]:
        """Lessons the student holds or held a place in, and those called off while they did."""
        with self.snapshot() as c:
            return [dict(row) for row in c.execute(
                "SELECT l.id, l.starts_at, l.status, l.title FROM lesson_roster r"
                " JOIN lesson_events l ON l.id = r.lesson_id"
                " WHERE r.student_id = ? AND r.status IN ('registered', 'called_off')"
                " ORDER BY l.starts_at, l.id", (student_id,),
            )]

    def series_list(self) -> list[dict]:
        with self.snapshot() as c:
            return [dict(row) for row in c.execute(
                "SELECT id, weekday, time, starts_on, ends_on, title, capacity, role_balance,"
                " ended_on FROM series ORDER BY id"
            )]

    def closures(self) -> list[dict]:
        with self.snapshot() as c:
            return [dict(row) for row in c.execute(
                "SELECT id, from_on AS \"from\", to_on AS \"to\", reason FROM closures ORDER BY id"
            )]
