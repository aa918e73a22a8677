"""A fake read side for service-layer unit tests: the ``Queries`` the application asks, answered
by folding the application's own events (the real write path on a SQLite database in memory).

Only for ``tests/unit``: integration and end-to-end tests use the real SQLite read models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from tangopass.api.wiring import open_ledger
from tangopass.ledger.application import TangoPass, Terms
from tangopass.projections.storage.stores import memory_store
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.series import Series
from tangopass.ledger.student import Student


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class FakeReads:
    """Ids, lessons and lots as the events say them; ``app`` is set once the app exists."""

    def __init__(self) -> None:
        self.app: TangoPass | None = None

    def _events(self) -> list:
        with self.app.events.store.read() as cursor:
            found = cursor.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_events"
                " ORDER BY rowid"
            ).fetchall()
        return [self.app.events.decode(UUID(row[0]), row[1], row[2], row[3]) for row in found]

    def _lessons(self) -> dict[int, dict]:
        lessons: dict[int, dict] = {}
        by_id = {}
        for e in self._events():
            if isinstance(e, Lesson.Scheduled):
                lessons[e.number] = {"id": e.number, "starts_at": e.starts_at,
                                     "status": "scheduled"}
                by_id[e.originator_id] = e.number
            elif isinstance(e, (Lesson.Cleared, Lesson.Cancelled)):
                lessons[by_id[e.originator_id]]["status"] = "closed"
        return lessons

    def _count(self, kinds: tuple[type, ...], attribute: str) -> int:
        return max([getattr(e, attribute) for e in self._events() if isinstance(e, kinds)],
                   default=0) + 1

    def next_student_id(self) -> int:
        return self._count((Student.Added,), "number")

    def next_lot_id(self) -> int:
        return self._count((Student.LotPurchased, Student.LotGranted), "lot_id")

    def next_lesson_id(self) -> int:
        return self._count((Lesson.Scheduled,), "number")

    def next_lesson(self, now: str) -> dict | None:
        upcoming = [l for l in self._lessons().values()
                    if l["status"] == "scheduled" and l["starts_at"] > _instant(now)]
        return min(upcoming, key=lambda l: (l["starts_at"], l["id"]), default=None)

    def lesson(self, lesson_id: int) -> dict | None:
        return self._lessons().get(lesson_id)

    def latest_begun_lesson(self, now: str) -> int | None:
        begun = [l for l in self._lessons().values()
                 if l["status"] == "scheduled" and l["starts_at"] <= _instant(now)]
        return max(begun, key=lambda l: (l["starts_at"], l["id"]), default={"id": None})["id"]

    def students_with_valid_lots(self, now: str) -> list[int]:
        # Every student: a superset the domain narrows down (it extends only usable lots).
        return sorted(e.number for e in self._events() if isinstance(e, Student.Added))

    def students_to_settle(self, now: str, student_id: int | None = None) -> list[int]:
        # Every student (or the one): settling one with nothing due appends nothing.
        everyone = self.students_with_valid_lots(now)
        return everyone if student_id is None else [n for n in everyone if n == student_id]

    # the week (part 2)

    def last_role(self, student_id: int) -> str | None:
        roles = {}
        for e in self._events():
            if isinstance(e, Lesson.AttendeeAdded) and e.student_number == student_id:
                roles[getattr(e, "lesson_id", None)] = (e.at, getattr(e, "lesson_id", 0) or 0,
                                                       getattr(e, "role", None))
        with_role = [r for r in roles.values() if r[2]]
        return max(with_role)[2] if with_role else None

    def due_series(self, horizon_end: str) -> list[int]:
        nexts: dict[int, datetime | None] = {}
        for e in self._events():
            if isinstance(e, (Series.Added, Series.LessonsMade, Series.Ended)):
                nexts[getattr(e, "number", None) or e.series_id] = e.next_start_at
        return sorted(n for n, at in nexts.items() if at is not None and at < _instant(horizon_end))

    def scheduled_lessons_between(self, start: str, end: str) -> list[int]:
        return sorted(l["id"] for l in self._lessons().values() if l["status"] == "scheduled"
                      and _instant(start) <= l["starts_at"] < _instant(end))

    def waitlisted_lessons(self, student_id: int) -> list[int]:
        waiting: set[int] = set()
        for e in self._events():
            if isinstance(e, Lesson.Waitlisted) and e.student_number == student_id:
                waiting.add(e.lesson_id)
            elif isinstance(e, Lesson.WaitlistLeft) and e.student_number == student_id:
                waiting.discard(e.lesson_id)
            elif isinstance(e, (Lesson.Cleared, Lesson.Cancelled)):
                waiting.discard(getattr(e, "lesson_id", None))
        return sorted(waiting)


def service(tz: str = "UTC", window_hours: int = 2) -> TangoPass:
    """The application on in-memory persistence with the fake read side."""
    reads = FakeReads()
    app = open_ledger("", Terms(ZoneInfo(tz), window_hours), reads, store=memory_store())
    reads.app = app
    return app
