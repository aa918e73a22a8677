"""The contract's terms, restated by the auditor rather than imported from the domain.

Deliberately a second implementation (see ``tangopass.auditor``): if the domain's calendar
arithmetic or ranges were wrong, the events it wrote would disagree with these and the audit
would say so. Instants are UTC ``datetime``s; ``tz`` is an IANA name.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOT_CREDITS = range(1, 101)  # a lot holds 1-100 credits (purchase or ADJUST)
EXTEND_DAYS = range(1, 367)  # extendValidity moves expiries by 1-366 days


def _at_wall_time(day: date, like: datetime, tz: str) -> datetime:
    """``day`` at ``like``'s local wall time in ``tz``: a repeated wall time is read as its
    first occurrence, one skipped by DST with the offset before the change."""
    wall = datetime.combine(day, like.time().replace(fold=0), tzinfo=ZoneInfo(tz))
    return wall.astimezone(UTC)


def plus_months(instant: datetime, months: int, tz: str) -> datetime:
    """``instant`` + ``months`` calendar months in ``tz``, same wall time, day clamped."""
    local = instant.astimezone(ZoneInfo(tz))
    year, month = divmod(local.year * 12 + local.month - 1 + months, 12)
    day = date(year, month + 1, min(local.day, monthrange(year, month + 1)[1]))
    return _at_wall_time(day, local.replace(tzinfo=None), tz)


def plus_days(instant: datetime, days: int, tz: str) -> datetime:
    """``instant`` + ``days`` calendar days in ``tz``, at the same wall time."""
    local = instant.astimezone(ZoneInfo(tz))
    return _at_wall_time(local.date() + timedelta(days=days), local.replace(tzinfo=None), tz)
