"""The auditor's check of the monthly report against the ledger's events.

For every month from the first ledger entry to ``now``, the report the API
shows (built from the projections, projections/report.py) must equal the same
figures folded straight from the stored events: PURCHASE entries dated at
``purchased_at`` (with their price), ADJUST, REGISTER, CANCEL at the moment
they were written, EXPIRE at the lot's ``expires_at``; lessons from the Lesson
events. And month after month, outstanding = outstanding(month before) + sold
+ adjusted - booked - expired. One read snapshot covers both sides.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import StoredEvent

from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.ledger.studio import Studio
from tangopass.auditor.reading import has_table, stored_rows, to_stored_event
from tangopass.projections.report import money, month_of, monthly_report

COUNTED = ("passes_sold", "credits_sold", "credits_adjusted", "credits_booked", "credits_used",
           "credits_expired", "lessons_held")


@dataclass
class LessonFacts:
    starts_at: datetime
    cancelled: bool = False
    attendees: set[int] = field(default_factory=set)


@dataclass
class Fold:
    """Each month's figures, folded from the events alone."""

    months: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(_empty))
    lessons: dict[int, LessonFacts] = field(default_factory=dict)
    currency: str | None = None
    first: str | None = None

    def entry(self, month: str, **add: Any) -> None:
        figures = self.months[month]
        for name, value in add.items():
            figures[name] += value
        self.first = month if self.first is None else min(self.first, month)


def _empty() -> dict[str, Any]:
    return {**{name: 0 for name in COUNTED}, "delta": 0, "revenue": Decimal(0)}


def fold_event(fold: Fold, event: Any, tz: ZoneInfo) -> None:
    """Add one event's effect on the report (events without one are ignored)."""
    if isinstance(event, Student.LotPurchased):
        price = getattr(event, "price", None)
        fold.entry(month_of(event.purchased_at, tz), passes_sold=1, credits_sold=event.credits,
                   delta=event.credits, revenue=Decimal(price) if price else Decimal(0))
    elif isinstance(event, Student.LotGranted):
        fold.entry(month_of(event.purchased_at, tz), credits_adjusted=event.credits, delta=event.credits)
    elif isinstance(event, Student.CreditsWithdrawn):
        fold.entry(month_of(event.at, tz), credits_adjusted=-event.credits, delta=-event.credits)
    elif isinstance(event, Student.Registered):
        fold.entry(month_of(event.at, tz), credits_booked=1, delta=-1)
    elif isinstance(event, Student.RegistrationCancelled):
        fold.entry(month_of(event.at, tz), credits_booked=-1, delta=1)
    elif isinstance(event, Student.LotExpired):
        fold.entry(month_of(event.expired_at, tz), credits_expired=event.credits, delta=-event.credits)
    elif isinstance(event, Lesson.Scheduled):
        fold.lessons[event.originator_id] = LessonFacts(event.starts_at)
    elif isinstance(event, Lesson.AttendeeAdded | Lesson.AttendeeRemoved | Lesson.Cancelled):
        _lesson_event(fold.lessons.get(event.originator_id), event)
    elif isinstance(event, Studio.Opened | Studio.SettingsChanged):
        fold.currency = event.settings["currency"]


def _lesson_event(lesson: LessonFacts | None, event: Any) -> None:
    if lesson is None:
        return
    if isinstance(event, Lesson.AttendeeAdded):
        lesson.attendees.add(event.student_number)
    elif isinstance(event, Lesson.AttendeeRemoved):
        lesson.attendees.discard(event.student_number)
    else:
        lesson.cancelled = True


def _lessons_by_month(fold: Fold, tz: ZoneInfo, now: datetime) -> None:
    """Lessons that started by ``now`` and were not cancelled, with their standing registrations."""
    for lesson in fold.lessons.values():
        if lesson.cancelled or lesson.starts_at > now:
            continue
        fold.entry(month_of(lesson.starts_at, tz), lessons_held=1, credits_used=len(lesson.attendees))


def _months(first: str, last: str) -> Iterator[str]:
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def report_problems(
    conn: sqlite3.Connection, decode: Callable[[StoredEvent], Any], tz: ZoneInfo, now: datetime,
) -> list[str]:
    """Every month whose report differs from the events, in one read snapshot of ``conn``."""
    conn.execute("BEGIN")
    try:
        if not has_table(conn, "studio_settings"):
            return []  # a database from before the teacher's desk has no report to check
        fold = Fold()
        for row in stored_rows(conn):
            try:
                fold_event(fold, decode(to_stored_event(row)), tz)
            except Exception:  # noqa: BLE001 - undecodable events are the ledger check's finding
                continue
        _lessons_by_month(fold, tz, now)
        if fold.first is None:
            return []
        currency = fold.currency or "EUR"
        cursor = conn.cursor()
        problems, outstanding = [], 0
        last = max(month_of(now, tz), max(fold.months))  # entries may be dated after now
        for month in _months(fold.first, last):
            shown = monthly_report(cursor, month, tz, now, currency)
            problems.extend(_compare(month, shown, fold.months.get(month) or _empty(), outstanding))
            outstanding += (fold.months.get(month) or _empty())["delta"]
            if shown["credits_outstanding"] != outstanding:
                problems.append(f"report {month}: credits_outstanding is"
                                f" {shown['credits_outstanding']}, the events add up to {outstanding}")
        return problems
    finally:
        conn.execute("ROLLBACK")


def _compare(month: str, shown: dict, expected: dict, before: int) -> list[str]:
    problems = [
        f"report {month}: {name} is {shown[name]}, the events say {expected[name]}"
        for name in COUNTED if shown[name] != expected[name]
    ]
    if shown["revenue"]["amount"] != money(expected["revenue"]):
        problems.append(f"report {month}: revenue is {shown['revenue']['amount']}, the priced"
                        f" PURCHASE events add up to {money(expected['revenue'])}")
    flow = (before + shown["credits_sold"] + shown["credits_adjusted"] - shown["credits_booked"]
            - shown["credits_expired"])
    if shown["credits_outstanding"] != flow:
        problems.append(f"report {month}: credits_outstanding {shown['credits_outstanding']} is not"
                        f" the month before's {before} + sold + adjusted - booked - expired = {flow}")
    return problems
