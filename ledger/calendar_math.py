"""Calendar arithmetic in the studio time zone.

Instants are stored in UTC; validity and extensions are counted in calendar
months and days *of the studio*, keeping the local wall time, so a daylight
saving change never shifts an expiry by an hour.
"""

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def _to_utc(local: datetime) -> datetime:
    # A wall time that falls in a spring-forward gap does not exist; zoneinfo
    # reads it with the offset before the change (fold=0), i.e. one hour later
    # in real time, which is the same answer a wall clock would give.
    return local.astimezone(UTC)


def add_months(instant: datetime, months: int, tz: ZoneInfo) -> datetime:
    """Return ``instant`` plus ``months`` calendar months at the same local wall time.

    The day is clamped to the last day of the target month (Jan 31 + 1 → Feb 28/29).
    """
    local = instant.astimezone(tz)
    month_index = local.month - 1 + months
    year = local.year + month_index // 12
    month = month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    moved = local.replace(year=year, month=month, day=day, fold=0)
    return _to_utc(moved)


def add_days(instant: datetime, days: int, tz: ZoneInfo) -> datetime:
    """Return ``instant`` plus ``days`` calendar days at the same local wall time."""
    local = instant.astimezone(tz)
    moved = (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=tz, fold=0)
    return _to_utc(moved)
