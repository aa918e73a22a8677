"""Calendar months and days in the studio time zone, at the same local wall time."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tangopass.ledger.calendar_math import add_days, add_months

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_january_31_plus_one_month_is_the_last_day_of_february():
    assert add_months(datetime(2026, 1, 31, 18, tzinfo=UTC), 1, ZoneInfo("UTC")) == datetime(
        2026, 2, 28, 18, tzinfo=UTC
    )


def test_leap_year_february_has_29_days():
    assert add_months(datetime(2028, 1, 31, 9, tzinfo=UTC), 1, ZoneInfo("UTC")).day == 29


def test_three_months_cross_a_year_end():
    assert add_months(datetime(2026, 11, 30, 9, tzinfo=UTC), 3, ZoneInfo("UTC")) == datetime(
        2027, 2, 28, 9, tzinfo=UTC
    )


def test_month_end_clamping_uses_the_studio_calendar_day_not_utc():
    # 2026-01-31 00:30 in Madrid is still 2026-01-30 in UTC.
    bought = local(MADRID, 2026, 1, 31, 0, 30)
    expires = add_months(bought, 1, MADRID)
    assert expires.astimezone(MADRID) == local(MADRID, 2026, 2, 28, 0, 30)


def test_a_month_across_spring_forward_keeps_the_local_wall_time():
    bought = local(MADRID, 2026, 3, 15, 19, 0)  # CET, UTC+1
    expires = add_months(bought, 1, MADRID)  # CEST, UTC+2
    assert expires.astimezone(MADRID).hour == 19
    assert expires == datetime(2026, 4, 15, 17, 0, tzinfo=UTC)


def test_days_across_fall_back_keep_the_local_wall_time():
    before = local(NEW_YORK, 2026, 10, 30, 20, 0)  # EDT
    after = add_days(before, 5, NEW_YORK)  # EST
    assert after.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 4, 20, 0)
    assert (after - before).total_seconds() == 5 * 86400 + 3600


def test_a_wall_time_in_the_spring_gap_lands_just_after_it():
    # 02:30 on 2026-03-29 does not exist in Madrid (02:00 → 03:00).
    bought = local(MADRID, 2026, 3, 28, 2, 30)
    expires = add_days(bought, 1, MADRID)
    assert expires == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # = 03:30 CEST
