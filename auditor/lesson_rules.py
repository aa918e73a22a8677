"""The rules of lessons, checked on the events: scheduled once, attendees who hold a
registration, closed (cleared or cancelled) once with the list it had."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tangopass.auditor.books import LessonBook
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.schedule import Schedule
from tangopass.ledger.series import Series

if TYPE_CHECKING:
    from tangopass.auditor.verify import Verifier


def on_scheduled(v: Verifier, e: Any) -> None:
    if e.number in v.lesson_by_number:
        v.problem("ledger", f"event #{v.nid}: lesson {e.number} scheduled twice")
        return
    lesson = LessonBook(e.number, e.starts_at, e.closes_at)
    v.lessons[e.originator_id] = lesson
    v.lesson_by_number[e.number] = lesson


def _lesson(v: Verifier, e: Any) -> LessonBook | None:
    lesson = v.lessons.get(e.originator_id)
    if lesson is None:
        v.problem("ledger", f"event #{v.nid} is for a lesson that was never scheduled")
    return lesson


def on_attendee_added(v: Verifier, e: Any) -> None:
    lesson = _lesson(v, e)
    if lesson is None:
        return
    student = v.by_number.get(e.student_number)
    if student is None or student.open_registrations.get(lesson.number) is None:
        v.problem("ledger", f"event #{v.nid}: lesson {lesson.number} admits student"
                  f" {e.student_number}, who holds no registration for it")
    lesson.attendees.append(e.student_number)


def on_attendee_removed(v: Verifier, e: Any) -> None:
    lesson = _lesson(v, e)
    if lesson is None:
        return
    if e.student_number not in lesson.attendees:
        v.problem("ledger", f"event #{v.nid}: lesson {lesson.number} releases student"
                  f" {e.student_number}, who was not on its list")
    else:
        lesson.attendees.remove(e.student_number)


def on_lesson_closed(v: Verifier, e: Any) -> None:
    lesson = _lesson(v, e)
    if lesson is None:
        return
    status = "cleared" if isinstance(e, Lesson.Cleared) else "cancelled"
    if lesson.status != "scheduled":
        v.problem("ledger", f"event #{v.nid}: lesson {lesson.number} {status} after it"
                  f" was already {lesson.status}")
    if sorted(e.attendees) != sorted(lesson.attendees):
        v.problem("ledger", f"event #{v.nid}: lesson {lesson.number} {status} with attendees"
                  f" {sorted(e.attendees)}, but its list was {sorted(lesson.attendees)}")
    lesson.status = status


def on_no_credit_fact(v: Verifier, e: Any) -> None:
    """Waitlist, capacity, series and closure events move no credit: the credit rules they
    imply (a promotion's REGISTER, a closure's CANCEL) are checked on the students' events."""


HANDLERS = {
    **{cls: on_no_credit_fact for cls in (
        Lesson.Waitlisted, Lesson.WaitlistLeft, Lesson.CapacitySet,
        Series.Added, Series.LessonsMade, Series.DatesClosed, Series.Ended,
        Schedule.Opened, Schedule.SeriesAdded, Schedule.ClosureAdded,
    )},
    Lesson.Scheduled: on_scheduled,
    Lesson.AttendeeAdded: on_attendee_added,
    Lesson.AttendeeRemoved: on_attendee_removed,
    Lesson.Cleared: on_lesson_closed,
    Lesson.Cancelled: on_lesson_closed,
}
