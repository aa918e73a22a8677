"""Reads of the teacher's desk: passes at a glance, a student's page, settings.

A mixin of ``Queries`` (same connection, same read snapshots). Lot status and
``closed_at`` are derived at read time from the clock and the journal, so they
are never stale: a lot is ``expired`` once ``now >= expires_at`` whether or not
its EXPIRE entry was written yet.

A ledger entry's ``lesson_starts_at`` is joined from ``lesson_events`` at read time: a
lesson's start never changes once set, so the join gives every device the same date
without a new field in the stored Registered/RegistrationCancelled events (whose
shape issue 11 and 12 were changing at the same time); a lesson that may move would
need the start written into the entry instead.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any

from tangopass.ledger.instants import from_iso, iso

# One lot as the desk shows it. ``?1`` is now (ISO text, which sorts as time).
LOT_DETAIL = (
    "SELECT lo.id, lo.purchased_at, lo.expires_at, lo.validity_months, lo.credits_total,"
    " lo.credits_remaining, lo.source, lo.note, lo.price_amount, lo.price_currency,"
    " CASE WHEN lo.expires_at <= ?1 THEN 'expired'"
    "      WHEN lo.credits_remaining = 0 THEN 'used' ELSE 'active' END AS status,"
    " (SELECT e.ts FROM ledger_events e WHERE e.ref_lot_id = lo.id AND e.delta_credits < 0"
    "   ORDER BY e.id DESC LIMIT 1) AS last_taken_at,"
    " (SELECT COALESCE(-SUM(e.delta_credits), 0) FROM ledger_events e"
    "   WHERE e.ref_lot_id = lo.id AND e.type = 'EXPIRE') AS credits_expired"
    " FROM lots lo"
)
ENTRY_DETAIL = (
    "SELECT e.id, e.ts, e.type, e.delta_credits, e.balance_after, e.ref_lot_id,"
    " e.ref_lesson_id, e.ref_event_id, e.note, e.actor, l.starts_at AS lesson_starts_at"
    " FROM ledger_events e LEFT JOIN lesson_events l ON l.id = e.ref_lesson_id"
)
PAST_DAYS = 365


def lot_detail(row: sqlite3.Row) -> dict:
    """A lots row (from LOT_DETAIL) as the API shows it."""
    lot = dict(row)
    amount, currency = lot.pop("price_amount"), lot.pop("price_currency")
    lot["price"] = None if amount is None else {"amount": amount, "currency": currency}
    taken_at = lot.pop("last_taken_at")
    lot["closed_at"] = {"expired": lot["expires_at"], "used": taken_at}.get(lot["status"])
    return lot


class DeskQueries:
    """Queries of the teacher's desk (mixed into ``Queries``)."""

    def lot_owner(self, lot_id: int) -> int | None:
        return self._scalar("SELECT student_id FROM lots WHERE id = ?", (lot_id,))

    def student_archived(self, student_id: int) -> bool:
        return bool(self._scalar("SELECT archived FROM students WHERE id = ?", (student_id,)))

    @staticmethod
    def _lots(c: sqlite3.Cursor, student_id: int, now: str) -> list[dict]:
        rows = c.execute(
            f"{LOT_DETAIL} WHERE lo.student_id = ?2 ORDER BY lo.purchased_at, lo.id",
            (now, student_id),
        )
        return [lot_detail(row) for row in rows]

    @staticmethod
    def past_lots(lots: list[dict], now: str) -> list[dict]:
        """Lots used up or expired within the last 365 days, newest first."""
        since = iso(from_iso(now) - timedelta(days=PAST_DAYS))
        past = [lot for lot in lots if lot["status"] != "active" and lot["closed_at"] >= since]
        return sorted(past, key=lambda lot: (lot["closed_at"], lot["id"]), reverse=True)

    @staticmethod
    def _entries(c: sqlite3.Cursor, student_id: int, start: int = 0) -> list[dict]:
        rows = c.execute(
            f"{ENTRY_DETAIL} WHERE e.student_id = ? AND e.id >= ? ORDER BY e.id", (student_id, start)
        )
        return [dict(row) for row in rows]

    def student_page(self, student_id: int, now: str) -> dict:
        """``GET /admin/student``: the card, every lot ever, lessons, the whole ledger."""
        with self.snapshot() as c:
            student = dict(c.execute(
                "SELECT id, name, token, archived, created_at, credits_available FROM students"
                " WHERE id = ?", (student_id,),
            ).fetchone())
            # Standing registrations (with attendance once cleared) and waitlist places.
            lessons = [dict(row) for row in c.execute(
                "SELECT l.id, l.starts_at, l.status, r.attendance, 0 AS waitlisted"
                " FROM lesson_roster r JOIN lesson_events l ON l.id = r.lesson_id"
                " WHERE r.student_id = ? AND r.status = 'registered'"
                " UNION ALL SELECT l.id, l.starts_at, l.status, NULL, 1"
                " FROM lesson_waitlist w JOIN lesson_events l ON l.id = w.lesson_id"
                " WHERE w.student_id = ? ORDER BY 2, 1", (student_id, student_id),
            )]
            lots = self._lots(c, student_id, now)
            ledger = self._entries(c, student_id)
        for lesson in lessons:
            lesson["waitlisted"] = bool(lesson["waitlisted"])
        credits = student.pop("credits_available")
        student["archived"] = bool(student["archived"])
        return {"student": student, "credits_available": credits, "lots": lots,
                "lessons": lessons, "ledger": ledger}

    def settings_row(self) -> dict | None:
        """The settings in force as the projection holds them (None: never changed)."""
        with self.snapshot() as c:
            row = c.execute(
                "SELECT studio_name, window_hours, validity_options, currency, default_capacity"
                " FROM studio_settings WHERE id = 1"
            ).fetchone()
        if row is None:
            return None
        values: dict[str, Any] = dict(row)
        values["validity_options"] = json.loads(values["validity_options"])
        return values

    def next_expiries(self, c: sqlite3.Cursor, now: str) -> dict[int, str]:
        """Per student, the earliest expiry among active lots."""
        return dict(c.execute(
            "SELECT student_id, MIN(expires_at) FROM lots WHERE credits_remaining > 0"
            " AND expires_at > ? GROUP BY student_id", (now,),
        ).fetchall())
