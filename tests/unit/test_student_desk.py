"""The student account's desk rules: rename, archive, one lot extended, priced purchases."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tangopass.ledger.errors import InvalidTermsError, NoCreditsError, StudentArchivedError
from tangopass.ledger.student import Student

TZ = ZoneInfo("Europe/Madrid")
T0 = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)


def student_with(credits: int = 2, *, at: datetime = T0, price: str | None = None) -> Student:
    student = Student(number=1, name="Ana", token="tok", at=T0, by="teacher")
    student.purchase(lot_id=1, credits=credits, validity_months=1, purchased_at=at, now=T0, tz=TZ,
                     note=None, price=price, currency="EUR" if price else None)
    return student


def test_a_priced_purchase_keeps_price_and_currency_in_its_event():
    event = student_with(price="120.00").collect_events()[-1]
    assert (event.price, event.currency) == ("120.00", "EUR")


def test_validity_must_be_one_of_the_options_given():
    student = student_with()
    with pytest.raises(InvalidTermsError, match="one of 1, 6"):
        student.purchase(lot_id=2, credits=1, validity_months=3, purchased_at=T0, now=T0, tz=TZ,
                         note=None, validity_options=(1, 6))


def test_renaming_keeps_the_old_name_in_the_event():
    student = student_with()
    student.rename("Ana María", T0)
    student.rename("Ana María", T0)  # the same name again: nothing to record
    renamed = [e for e in student.collect_events() if type(e).__name__ == "Renamed"]
    assert len(renamed) == 1 and (renamed[0].old_name, renamed[0].name) == ("Ana", "Ana María")


def test_an_archived_account_refuses_purchases_adjustments_registrations_and_extensions():
    student = student_with()
    assert student.set_archived(True, T0) is True
    assert student.set_archived(True, T0) is False
    for attempt in (
        lambda: student.purchase(lot_id=2, credits=1, validity_months=1, purchased_at=T0, now=T0,
                                 tz=TZ, note=None),
        lambda: student.grant(lot_id=2, credits=1, validity_months=1, reason="r", now=T0, tz=TZ),
        lambda: student.withdraw(credits=1, reason="r", now=T0),
        lambda: student.register(7, T0),
        lambda: student.extend_lot(1, 3, "flu", T0, TZ),
    ):
        with pytest.raises(StudentArchivedError):
            attempt()
    assert student.extend(3, T0, TZ) == 1  # extending everyone's passes still applies
    student.set_archived(False, T0)
    assert student.register(7, T0) == 1


def test_one_lot_moves_by_calendar_days_across_the_clock_change_with_its_reason():
    student = student_with()  # expires 2026-04-20 20:00 Madrid (CEST), bought 19:00 CET
    lot = student.extend_lot(1, 10, "flu", T0, TZ)
    assert lot.expires_at.astimezone(TZ).hour == 19  # same wall time as the purchase
    event = student.collect_events()[-1]
    assert (event.reason, event.days, event.tz) == ("flu", 10, "Europe/Madrid")


def test_an_expired_or_used_lot_cannot_be_extended():
    student = student_with(credits=1, at=T0 - timedelta(days=40))
    student.settle(T0)
    with pytest.raises(NoCreditsError):
        student.extend_lot(1, 3, "flu", T0, TZ)
    used = student_with(credits=1)
    used.register(7, T0)
    with pytest.raises(NoCreditsError):
        used.extend_lot(1, 3, "flu", T0, TZ)
    with pytest.raises(NoCreditsError):
        used.extend_lot(99, 3, "flu", T0, TZ)
