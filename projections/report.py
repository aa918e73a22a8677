"""The monthly report: every figure follows from the ledger entries of the month.

Months are counted in the studio's time zone, by the date of each ledger entry
(a purchase's entry is dated at its ``purchased_at``, an EXPIRE at the lot's
``expires_at``). ``credits_outstanding`` is the sum of every entry dated before
the month's end, so for any month

    outstanding = outstanding(month before) + sold + adjusted - booked - expired

holds by construction; ``tangopass verify`` checks it and recomputes each month
from the events (auditor/verify_report.py). Money is Decimal, never float;
amounts are strings with exactly two decimals.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tangopass.ledger.instants import iso

CENT = Decimal("0.01")
FIGURES = (
    "passes_sold", "credits_sold", "credits_adjusted", "credits_booked", "credits_used",
    "credits_expired", "credits_outstanding", "lessons_held", "attendances", "no_shows",
)


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``YYYY-MM`` → (its first instant, the next month's first instant), in the studio zone."""
    year, number = int(month[:4]), int(month[5:7])
    start = datetime(year, number, 1, tzinfo=tz)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start, following


def month_of(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def money(amount: Decimal) -> str:
    """Two decimals, always: Decimal("240") → "240.00"."""
    return str(amount.quantize(CENT))


def monthly_report(
    c: sqlite3.Cursor, month: str, tz: ZoneInfo, now: datetime, currency: str
) -> dict:
    """The report of ``month`` (``YYYY-MM``) from the projections, in one read snapshot."""
    start, end = (iso(t) for t in month_bounds(month, tz))
    sums = dict(c.execute(
        "SELECT type, SUM(delta_credits) FROM ledger_events WHERE ts >= ? AND ts < ? GROUP BY type",
        (start, end),
    ).fetchall())
    prices = c.execute(
        "SELECT lo.price_amount FROM ledger_events e JOIN lots lo ON lo.id = e.ref_lot_id"
        " WHERE e.type = 'PURCHASE' AND e.ts >= ? AND e.ts < ?", (start, end),
    ).fetchall()
    outstanding = c.execute(
        "SELECT COALESCE(SUM(delta_credits), 0) FROM ledger_events WHERE ts < ?", (end,)
    ).fetchone()[0]
    held_until = min(end, iso(now))  # a lesson counts once it has started
    lessons_held, used = c.execute(
        "SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM registrations r"
        "   WHERE r.lesson_id = l.id AND r.status != 'cancelled')), 0)"
        " FROM lesson_events l WHERE l.status != 'cancelled'"
        " AND l.starts_at >= ? AND l.starts_at < ? AND l.starts_at <= ?",
        (start, end, held_until),
    ).fetchone()
    no_shows = c.execute(
        "SELECT COUNT(*) FROM lesson_roster r JOIN lesson_events l ON l.id = r.lesson_id"
        " WHERE r.attendance = 'no_show' AND l.status = 'cleared'"
        " AND l.starts_at >= ? AND l.starts_at < ? AND l.starts_at <= ?",
        (start, end, held_until),
    ).fetchone()[0]
    revenue = sum((Decimal(p) for (p,) in prices if p is not None), Decimal(0))
    return {
        "month": month,
        "passes_sold": len(prices),
        "credits_sold": sums.get("PURCHASE") or 0,
        "revenue": {"amount": money(revenue), "currency": currency},
        "credits_adjusted": sums.get("ADJUST") or 0,
        "credits_booked": -((sums.get("REGISTER") or 0) + (sums.get("CANCEL") or 0)),
        "credits_used": used,
        "credits_expired": -(sums.get("EXPIRE") or 0),
        "credits_outstanding": outstanding,
        "lessons_held": lessons_held,
        # Attendance is a fact on the lesson, recorded when it is cleared with its no-shows;
        # a standing registration not marked as a no-show counts as attended.
        "attendances": used - no_shows,
        "no_shows": no_shows,
    }


def report_csv_rows(report: dict) -> list[list[str]]:
    """The report as (figure, value) rows for a spreadsheet."""
    rows = [["month", report["month"]]]
    for name in FIGURES[:2]:
        rows.append([name, str(report[name])])
    rows.append(["revenue", report["revenue"]["amount"]])
    rows.append(["currency", report["revenue"]["currency"]])
    rows.extend([name, str(report[name])] for name in FIGURES[2:])
    return rows
