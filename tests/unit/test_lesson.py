"""The Lesson aggregate's rules, without storage: window, attendees, clear and cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tangopass.ledger.errors import (
    LessonClearedError, LessonNotStartedError, RegistrationClosedError,
)
from tangopass.ledger.lesson import CANCELLED, CLEARED, Lesson

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=1)


def _lesson(window_hours: int = 2) -> Lesson:
    return Lesson.schedule(1, STARTS, window_hours, NOW)


def test_the_window_closes_the_set_hours_before_the_start():
    assert _lesson(3).closes_at == STARTS - timedelta(hours=3)


def test_the_window_is_open_until_just_before_it_closes_and_closed_from_then_on():
    lesson = _lesson()
    lesson.check_window_open(lesson.closes_at - timedelta(seconds=1))
    for moment in (lesson.closes_at, STARTS):
        with pytest.raises(RegistrationClosedError):
            lesson.check_window_open(moment)


def test_admitting_twice_lists_a_student_once_and_release_removes_them():
    lesson = _lesson()
    lesson.admit(7, NOW, "student")
    lesson.admit(7, NOW, "student")
    assert lesson.attendees == [7]
    lesson.release(7, NOW, "teacher")
    lesson.release(7, NOW, "teacher")
    assert lesson.attendees == []


def test_a_lesson_is_cleared_only_once_it_has_begun():
    lesson = _lesson()
    lesson.admit(7, NOW, "student")
    with pytest.raises(LessonNotStartedError):
        lesson.clear(STARTS - timedelta(seconds=1))
    assert lesson.clear(STARTS) == [7]
    assert lesson.status == CLEARED


@pytest.mark.parametrize("close", ["clear", "cancel"])
def test_a_closed_lesson_changes_no_more(close):
    lesson = _lesson()
    lesson.admit(7, NOW, "student")
    getattr(lesson, close)(STARTS)
    for attempt in (lambda: lesson.admit(8, STARTS, "student"),
                    lambda: lesson.release(7, STARTS, "teacher"),
                    lambda: lesson.cancel(STARTS), lambda: lesson.clear(STARTS),
                    lesson.check_changeable):
        with pytest.raises(LessonClearedError):
            attempt()


def test_cancelling_returns_who_was_registered():
    lesson = _lesson()
    lesson.admit(7, NOW, "student")
    lesson.admit(9, NOW, "student")
    assert lesson.cancel(NOW) == [7, 9]
    assert lesson.status == CANCELLED
