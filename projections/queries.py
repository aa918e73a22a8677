"""Reads from the projections: what the API shows and what commands need to look up.

Each public method runs in one read transaction, so it sees one consistent
snapshot of the database (WAL readers never block the writer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tangopass.projections.desk_queries import DeskQueries
from tangopass.projections.week_queries import LESSON_SELECT, WeekQueries

LESSON_COLUMNS = "id, starts_at, registration_closes_at"


def _rows(cursor: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in cursor.fetchall()]


class Queries(DeskQueries, WeekQueries):
    """Read-model queries against a store (a SQLite path is opened as one).

    Inside a command (the runner's write transaction on this thread) they read
    on that transaction, so what a command decides from them is the state under
    the write lock, including what the command itself has appended.
    """

    def __init__(self, store: Any):
        if isinstance(store, str):
            from tangopass.projections.storage.stores import open_store

            store = open_store(store)
        self.store = store

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """One read transaction: every query inside sees the same state."""
        with self.store.read() as cursor:
            yield cursor

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------- ids and lookups

    def installation_id(self) -> str:
        """This database's random UUID (schema 004), the same for every worker, forever."""
        cached = getattr(self, "_installation_id", None)
        if cached is None:
            cached = self._installation_id = self._scalar("SELECT uuid FROM installation WHERE id = 1")
        return cached

    def _scalar(self, sql: str, params: tuple = ()) -> Any:
        with self.snapshot() as c:
            row = c.execute(sql, params).fetchone()
            return None if row is None else row[0]

    def next_student_id(self) -> int:
        return self._scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM students")

    def next_lot_id(self) -> int:
        return self._scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM lots")

    def next_lesson_id(self) -> int:
        return self._scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM lesson_events")

    def student_exists(self, student_id: int) -> bool:
        return self._scalar("SELECT 1 FROM students WHERE id = ?", (student_id,)) is not None

    def student_by_token(self, token: str) -> int | None:
        return self._scalar("SELECT id FROM students WHERE token = ?", (token,))

    def lesson(self, lesson_id: int) -> dict | None:
        with self.snapshot() as c:
            row = c.execute(
                f"SELECT {LESSON_COLUMNS}, status FROM lesson_events WHERE id = ?", (lesson_id,)
            ).fetchone()
            return None if row is None else dict(row)

    def next_lesson(self, now: str) -> dict | None:
        """The earliest lesson neither cleared nor cancelled that starts after ``now``."""
        with self.snapshot() as c:
            return self._next_lesson(c, now)

    @staticmethod
    def _next_lesson(c: Any, now: str) -> dict | None:
        row = c.execute(
            f"{LESSON_SELECT} WHERE l.status = 'scheduled'"
            " AND l.starts_at > ? ORDER BY l.starts_at, l.id LIMIT 1",
            (now,),
        ).fetchone()
        return None if row is None else dict(row)

    def latest_begun_lesson(self, now: str) -> int | None:
        """The latest lesson that has begun and is still open (the default to clear)."""
        return self._scalar(
            "SELECT id FROM lesson_events WHERE status = 'scheduled' AND starts_at <= ?"
            " ORDER BY starts_at DESC, id DESC LIMIT 1",
            (now,),
        )

    def students_to_settle(self, now: str, student_id: int | None = None) -> list[int]:
        """Students holding a lot whose time is up but whose EXPIRE is not written yet."""
        sql = "SELECT DISTINCT student_id FROM lots WHERE credits_remaining > 0 AND expires_at <= ?"
        params: tuple = (now,)
        if student_id is not None:
            sql += " AND student_id = ?"
            params += (student_id,)
        with self.snapshot() as c:
            return [row[0] for row in c.execute(sql + " ORDER BY student_id", params)]

    def students_with_valid_lots(self, now: str) -> list[int]:
        with self.snapshot() as c:
            return [
                row[0]
                for row in c.execute(
                    "SELECT DISTINCT student_id FROM lots WHERE credits_remaining > 0"
                    " AND expires_at > ? ORDER BY student_id",
                    (now,),
                )
            ]

    def idempotent_answer(self, endpoint: str, key: str) -> dict | None:
        with self.snapshot() as c:
            row = c.execute(
                "SELECT request_hash, status, body FROM idempotency_keys"
                " WHERE endpoint = ? AND key = ?",
                (endpoint, key),
            ).fetchone()
            return None if row is None else dict(row)

    # ------------------------------------------------------------------- views

    def status(self, student_id: int, now: str) -> dict:
        """What the student's phone shows (without the ledger)."""
        with self.snapshot() as c:
            student = dict(
                c.execute(
                    "SELECT id, name, credits_available FROM students WHERE id = ?", (student_id,)
                ).fetchone()
            )
            every_lot = self._lots(c, student_id, now)
            lesson = self._next_lesson(c, now)
            registered = lesson is not None and self._is_registered(c, lesson["id"], student_id)
            lessons = self.upcoming_for(c, student_id, now)
        return {
            "now": now,
            "student": {"id": student["id"], "name": student["name"]},
            "credits_available": student["credits_available"],
            "lots": [lot for lot in every_lot if lot["status"] == "active"],
            "past_lots": self.past_lots(every_lot, now),
            "next_lesson": lesson,
            "registration_open": lesson is not None and now < lesson["registration_closes_at"],
            "registered": registered,
            "lessons": lessons,
        }

    @staticmethod
    def _is_registered(c: Any, lesson_id: int, student_id: int) -> bool:
        row = c.execute(
            "SELECT 1 FROM registrations WHERE lesson_id = ? AND student_id = ? AND status = 'open'",
            (lesson_id, student_id),
        ).fetchone()
        return row is not None

    def ledger(self, student_id: int, everything: bool) -> list[dict]:
        """The student's entries by id, from the newest OLDEST marker unless ``everything``."""
        with self.snapshot() as c:
            start = 0
            if not everything:
                start = c.execute(
                    "SELECT COALESCE(oldest_entry_id, 0) FROM students WHERE id = ?", (student_id,)
                ).fetchone()[0]
            return self._entries(c, student_id, start)

    def overview(self, now: str, archived: bool = False) -> dict:
        """The teacher's list: students (archived ones only with ``archived``), the next
        lesson, open registrations."""
        with self.snapshot() as c:
            lesson = self._next_lesson(c, now)
            next_id = lesson["id"] if lesson else None
            students = _rows(
                c.execute(
                    "SELECT s.id, s.name, s.token, s.credits_available,"
                    " EXISTS (SELECT 1 FROM registrations r WHERE r.student_id = s.id"
                    "   AND r.lesson_id = ? AND r.status = 'open') AS registered_next,"
                    " s.archived FROM students s WHERE s.archived = ? ORDER BY s.id",
                    (next_id, int(archived)),
                )
            )
            expiries = self.next_expiries(c, now)
            registrations = _rows(
                c.execute(
                    "SELECT r.student_id, s.name, r.lesson_id, r.registered_at, r.lot_id"
                    " AS consumed_lot_id FROM registrations r"
                    " JOIN students s ON s.id = r.student_id"
                    " JOIN lesson_events l ON l.id = r.lesson_id"
                    " WHERE r.status = 'open' AND l.status = 'scheduled'"
                    " ORDER BY l.starts_at, r.lesson_id, r.registered_at, r.student_id"
                )
            )
        for student in students:
            student["registered_next"] = bool(student["registered_next"])
            student["archived"] = bool(student["archived"])
            student["next_expiry"] = expiries.get(student["id"])
        return {"students": students, "next_lesson": lesson, "registrations": registrations}

    def student_lessons(self, student_id: int) -> list[dict]:
        """For the calendar: held or holding a place, or called off while holding one."""
        return self.calendar_lessons(student_id)

    def student_card(self, student_id: int) -> dict | None:
        with self.snapshot() as c:
            row = c.execute(
                "SELECT id, name, token FROM students WHERE id = ?", (student_id,)
            ).fetchone()
            return None if row is None else dict(row)
