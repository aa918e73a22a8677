"""The application's verbs on in-memory persistence with a fake read side (milliseconds each).

Written against the public verb methods only (``add_student``, ``add_purchase``,
``set_next_lesson``, ``register``, ``cancel``, ``cancel_registration``, ``clear_registrations``,
``extend_validity``, ``adjust``), which return plain values, so they hold for any plumbing
behind them. HTTP and storage are covered by the integration and end-to-end tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tangopass.ledger.errors import (
    LessonClearedError, LessonNotStartedError, NoCreditsError, NotFoundError,
    NoUpcomingLessonError, RegistrationClosedError,
)
from tangopass.ledger.student import Student
from tests.support.fake_reads import service

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def app():
    application = service()
    yield application
    application.close()


def _student_with(app, credits: int, *, bought: datetime = NOW, months: int = 1) -> int:
    student = app.add_student("Ana", NOW)["id"]
    if credits:
        app.add_purchase(student, credits, months, bought, None, NOW)
    return student


def test_verbs_answer_plain_values(app):
    student = app.add_student("Ana", NOW)
    bought = app.add_purchase(student["id"], 4, 1, None, None, NOW)
    lesson = app.set_next_lesson(NOW + DAY, NOW)
    assert student["id"] == 1 and isinstance(student["token"], str)
    assert bought["credits_available"] == 4 and bought["lot"]["expires_at"] == "2026-12-23T10:00:00Z"
    assert lesson["lesson"]["registration_closes_at"] == "2026-11-24T08:00:00Z"


def test_registering_twice_consumes_one_credit(app):
    student = _student_with(app, 3)
    app.set_next_lesson(NOW + DAY, NOW)
    first = app.register(student, None, NOW)
    again = app.register(student, None, NOW + timedelta(minutes=1))
    assert first == again == {"registered": True, "lesson_id": 1, "consumed_lot_id": 1,
                               "credits_available": 2}


def test_fifo_takes_the_oldest_purchase_first_even_when_recorded_later(app):
    student = _student_with(app, 2)  # lot 1, bought now
    app.add_purchase(student, 2, 3, NOW - 5 * DAY, None, NOW)  # lot 2, bought earlier
    app.set_next_lesson(NOW + DAY, NOW)
    assert app.register(student, None, NOW)["consumed_lot_id"] == 2


def test_no_credit_no_registration(app):
    student = _student_with(app, 0)
    app.set_next_lesson(NOW + DAY, NOW)
    with pytest.raises(NoCreditsError):
        app.register(student, None, NOW)


def test_an_expired_lot_gives_no_credit(app):
    student = _student_with(app, 2, bought=NOW - 40 * DAY)
    app.set_next_lesson(NOW + DAY, NOW)
    with pytest.raises(NoCreditsError):
        app.register(student, None, NOW)


def test_nothing_to_register_for(app):
    student = _student_with(app, 1)
    with pytest.raises(NoUpcomingLessonError):
        app.register(student, None, NOW)
    with pytest.raises(NotFoundError):
        app.register(99, None, NOW)


def test_the_window_binds_the_student_but_not_the_teacher(app):
    student = _student_with(app, 2)
    app.set_next_lesson(NOW + timedelta(hours=3), NOW)
    app.register(student, None, NOW)
    closes = NOW + timedelta(hours=1)
    with pytest.raises(RegistrationClosedError):
        app.cancel(student, 1, closes)  # at exactly the closing instant: closed
    answer = app.cancel_registration(student, 1, closes)
    assert answer == {"cancelled": True, "credits_available": 2, "expired_on_return": 0}


def test_a_cancel_after_the_lot_expired_gives_the_credit_back_and_expires_it(app):
    student = _student_with(app, 1, bought=datetime(2026, 10, 23, 11, 0, tzinfo=UTC))  # ends 11:00
    app.set_next_lesson(NOW + DAY, NOW)
    app.register(student, None, NOW)
    later = NOW + timedelta(hours=2)  # the lot expired an hour ago
    assert app.cancel_registration(student, 1, later)["credits_available"] == 0


def test_extend_skips_a_lot_whose_time_has_passed(app):
    _student_with(app, 2, bought=datetime(2026, 10, 23, 9, 0, tzinfo=UTC))  # ended 09:00 today
    _student_with(app, 2)
    assert app.extend_validity(7, NOW) == {"extended_lots": 1}


def test_clearing_needs_a_begun_lesson_and_keeps_the_credit(app):
    student = _student_with(app, 2)
    app.set_next_lesson(NOW + DAY, NOW)
    app.register(student, None, NOW)
    with pytest.raises(LessonNotStartedError):
        app.clear_registrations(None, NOW)
    assert app.clear_registrations(None, NOW + DAY) == {"lesson_id": 1, "cleared": 1, "attended": 1,
                                                         "no_shows": 0}
    with pytest.raises(LessonClearedError):
        app.cancel_registration(student, 1, NOW + DAY)


def test_cancelling_a_lesson_refunds_everyone(app):
    ana, bea = _student_with(app, 1), _student_with(app, 1)
    app.set_next_lesson(NOW + DAY, NOW)
    app.register(ana, None, NOW)
    app.register(bea, None, NOW)
    assert app.cancel_lesson(1, NOW) == {"lesson_id": 1, "refunded": 2, "expired_on_return": 0}
    with pytest.raises(LessonClearedError):
        app.cancel(ana, 1, NOW)


def test_adjust_adds_a_lot_or_takes_credits_never_below_zero(app):
    student = _student_with(app, 1)
    assert app.adjust(student, 2, "bonus", None, NOW) == {"credits_available": 3}
    assert app.adjust(student, -3, "mistake", None, NOW) == {"credits_available": 0}
    with pytest.raises(NoCreditsError):
        app.adjust(student, -1, "again", None, NOW)


def _stored_count(app) -> int:
    with app.events.store.read() as cursor:
        return cursor.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]


def test_settle_due_writes_the_expiry_once_and_only_when_due(app):
    student = _student_with(app, 3)  # a 1-month lot, bought now
    fresh = app.add_student("Bea", NOW)["id"]
    app.add_purchase(fresh, 2, 3, NOW, None, NOW)  # 3 months: still valid below
    before = _stored_count(app)
    app.settle_due(NOW + 20 * DAY, student)  # not due yet: nothing appended
    assert _stored_count(app) == before
    untouched = app.get(Student.create_id(fresh)).version
    app.settle_due(NOW + 40 * DAY)
    settled = app.get(Student.create_id(student))
    assert settled.balance == 0 and settled.closed_lots == 1  # the EXPIRE entry is written
    assert app.get(Student.create_id(fresh)).version == untouched  # nothing due: no event
    after = _stored_count(app)
    assert after > before
    app.settle_due(NOW + 41 * DAY)  # already settled: a second call appends nothing
    assert _stored_count(app) == after
