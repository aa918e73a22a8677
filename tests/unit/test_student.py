"""The student account's rules, with ``now`` passed in (no storage, no clock)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tangopass.ledger.errors import NoCreditsError
from tangopass.ledger.student import Student

UTC_TZ = ZoneInfo("UTC")
T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def new_student() -> Student:
    return Student(number=1, name="Ana", token="tok", at=T0, by="teacher")


def buy(student: Student, lot_id: int, credits: int = 2, *, at: datetime = T0,
        now: datetime | None = None, months: int = 1) -> None:
    """A purchase recorded at ``now`` (by default when it happened, and never before T0)."""
    student.purchase(lot_id=lot_id, credits=credits, validity_months=months, purchased_at=at,
                     now=now or max(at, T0), tz=UTC_TZ, note=None)


def entries(student: Student) -> list[tuple[str, int | None, int | None]]:
    """(event name, seq, balance_after) of what the account recorded."""
    return [
        (type(e).__name__, getattr(e, "seq", None), getattr(e, "balance_after", None))
        for e in student.collect_events()
    ]


def test_registering_takes_from_the_lot_bought_first():
    student = new_student()
    buy(student, lot_id=1, at=T0)
    buy(student, lot_id=2, at=T0 - timedelta(days=3))  # recorded later, bought earlier

    assert student.register(lesson_id=7, now=T0) == 2
    assert student.balance == 3


def test_fifo_ties_on_purchase_time_go_to_the_lower_lot_id():
    student = new_student()
    buy(student, lot_id=5)
    buy(student, lot_id=4)

    assert student.register(7, T0) == 4


def test_registering_twice_for_one_lesson_takes_one_credit():
    student = new_student()
    buy(student, 1)

    first = student.register(7, T0)
    second = student.register(7, T0 + timedelta(minutes=1))

    assert first == second == 1
    assert student.balance == 1
    assert [name for name, *_ in entries(student)].count("Registered") == 1


def test_a_lot_expiring_in_a_second_is_still_chosen_now():
    student = new_student()
    buy(student, 1, at=T0, months=1)
    buy(student, 2, at=T0 + timedelta(days=1), months=1)
    expires = student.lot(1).expires_at

    assert student.register(7, expires - timedelta(seconds=1)) == 1


def test_a_lot_is_expired_at_its_expiry_instant_even_unsettled():
    student = new_student()
    buy(student, 1, credits=1)
    expires = student.lot(1).expires_at

    with pytest.raises(NoCreditsError):
        student.register(7, expires)


def test_settling_writes_expire_dated_at_the_lot_expiry():
    student = new_student()
    buy(student, 1, credits=3)
    expires = student.lot(1).expires_at
    student.collect_events()

    written = student.settle(expires + timedelta(days=5))

    events = student.collect_events()
    expired = [e for e in events if type(e).__name__ == "LotExpired"]
    assert written == 1
    assert expired[0].credits == 3 and expired[0].expired_at == expires
    assert student.balance == 0


def test_a_lot_used_up_before_expiry_gets_no_expire_entry():
    student = new_student()
    buy(student, 1, credits=1)
    student.register(7, T0)
    student.clear(7, T0 + timedelta(hours=3))
    student.collect_events()

    assert student.settle(T0 + timedelta(days=60)) == 0
    assert not [e for e in student.collect_events() if type(e).__name__ == "LotExpired"]


def test_cancel_after_the_lot_expired_gives_the_credit_back_then_expires_it():
    student = new_student()
    buy(student, 1, credits=1)
    student.register(7, T0)
    later = student.lot(1).expires_at + timedelta(hours=1)
    student.settle(later)
    student.collect_events()

    assert student.cancel(7, later)

    names = [name for name, *_ in entries(student)]
    assert names[:2] == ["RegistrationCancelled", "LotExpired"]
    assert student.balance == 0


def test_cancel_when_not_registered_changes_nothing():
    student = new_student()
    buy(student, 1)
    student.collect_events()

    assert student.cancel(7, T0) is False
    assert student.collect_events() == []


def test_extend_moves_only_lots_valid_by_the_clock():
    student = new_student()
    buy(student, 1, at=T0 - timedelta(days=40), now=T0 - timedelta(days=40))  # expired already
    buy(student, 2, at=T0)
    now = T0 + timedelta(hours=1)
    student.settle(now)

    assert student.extend(7, now, UTC_TZ) == 1
    assert student.lot(2).expires_at == datetime(2026, 2, 17, 12, 0, tzinfo=UTC)
    assert student.lot(1) is None  # expired and settled: closed, gone from the state


def test_withdraw_takes_fifo_across_lots_and_never_below_zero():
    student = new_student()
    buy(student, 1, credits=2)
    buy(student, 2, credits=2, at=T0 + timedelta(days=1))

    with pytest.raises(NoCreditsError):
        student.withdraw(credits=5, reason="typo", now=T0 + timedelta(days=1))
    student.withdraw(credits=3, reason="typo", now=T0 + timedelta(days=1))

    assert student.lot(1) is None
    assert student.lot(2).remaining == 1
    assert student.balance == 1


def test_running_balance_and_sequence_follow_every_entry():
    student = new_student()
    buy(student, 1, credits=2)
    student.register(7, T0)
    student.cancel(7, T0)
    student.withdraw(credits=1, reason="x", now=T0)

    recorded = [(seq, balance) for _, seq, balance in entries(student) if seq is not None]
    assert [seq for seq, _ in recorded] == list(range(1, len(recorded) + 1))
    assert [balance for _, balance in recorded][:4] == [2, 1, 2, 1]


def test_oldest_marker_moves_when_the_first_lot_closes():
    student = new_student()
    buy(student, 1, credits=1)  # seq 1
    buy(student, 2, credits=1, at=T0 + timedelta(days=1))  # seq 2
    student.register(7, T0 + timedelta(days=1))  # takes lot 1
    student.clear(7, T0 + timedelta(days=2))  # lot 1 now closed

    assert student.oldest_ref == 2  # the PURCHASE of lot 2 is the first entry that matters


def test_oldest_marker_names_itself_when_every_lot_is_closed():
    student = new_student()
    buy(student, 1, credits=1)
    student.withdraw(credits=1, reason="refund", now=T0)

    assert student.oldest_ref == student.seq  # the marker is the last entry


def test_oldest_marker_is_not_repeated_for_the_same_point():
    student = new_student()
    buy(student, 1, credits=1)
    student.withdraw(credits=1, reason="refund", now=T0)
    student.collect_events()
    buy(student, 2, credits=1)  # nothing closed: no new marker

    assert [n for n, *_ in entries(student)] == ["LotPurchased"]


def test_account_state_stays_small_as_history_grows():
    student = new_student()
    buy(student, 1, credits=100, months=3)
    for lesson in range(200):
        student.register(lesson, T0)
        student.cancel(lesson, T0)

    assert len(student.lots) == 1 and student.registrations == []
    assert student.seq == 401


def test_commands_on_a_copy_never_change_the_original():
    # The repository caches accounts and hands each command a copy.
    import copy

    student = new_student()
    buy(student, 1, credits=3)
    student.register(7, T0)
    student.collect_events()
    original = (student.balance, student.seq, [(l.id, l.remaining, l.expires_at) for l in student.lots],
                list(student.registrations))

    clone = copy.deepcopy(student)
    clone.register(8, T0)
    clone.cancel(7, T0)
    clone.extend(5, T0, UTC_TZ)
    clone.withdraw(credits=1, reason="x", now=T0)

    assert (student.balance, student.seq, [(l.id, l.remaining, l.expires_at) for l in student.lots],
            list(student.registrations)) == original
    assert student.collect_events() == [] and clone.collect_events() != []


def test_a_lesson_copy_keeps_its_own_attendees():
    import copy

    from tangopass.ledger.lesson import Lesson

    lesson = Lesson.schedule(1, T0 + timedelta(days=1), 2, T0)
    clone = copy.deepcopy(lesson)
    clone.admit(5, T0, "student")
    assert lesson.attendees == [] and clone.attendees == [5]
