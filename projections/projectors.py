"""One function per event type, writing read-model rows with plain SQL.

The live recorder hook and the auditor's rebuild call these very functions, on
the cursor of the transaction that appends the events, in the order the events
are appended; so a rebuilt database is identical to the live one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.ledger.studio import Studio

Projector = Callable[[sqlite3.Cursor, Any], None]
PROJECTORS: dict[type, Projector] = {}


def projects(*event_classes: type) -> Callable[[Projector], Projector]:
    def register(fn: Projector) -> Projector:
        for cls in event_classes:
            PROJECTORS[cls] = fn
        return fn

    return register


def project(cursor: sqlite3.Cursor, events: Iterable[Any]) -> None:
    """Run the projector of each event, in order; events without one are skipped."""
    for event in events:
        projector = PROJECTORS.get(type(event))
        if projector is not None:
            projector(cursor, event)


def _one(cursor: sqlite3.Cursor, sql: str, params: tuple) -> Any:
    row = cursor.execute(sql, params).fetchone()
    if row is None:
        raise LookupError(f"projection row missing for {params!r}: {sql}")
    return row[0]


def _student_id(cursor: sqlite3.Cursor, event: Any) -> int:
    return _one(cursor, "SELECT id FROM students WHERE aggregate_id = ?", (str(event.originator_id),))


def _entry(
    cursor: sqlite3.Cursor,
    event: Any,
    student_id: int,
    kind: str,
    delta: int,
    ts: str,
    *,
    lot_id: int | None = None,
    lesson_id: int | None = None,
    ref_event_id: int | None = None,
    note: str | None = None,
) -> int:
    """Append one journal row and keep the student's balance beside it."""
    # INTEGER PRIMARY KEY with no deletes: SQLite assigns MAX(id) + 1, so the ids
    # only grow and a rebuild in the same order assigns the same ones.
    cursor.execute(
        "INSERT INTO ledger_events (student_id, seq, ts, type, delta_credits,"
        " balance_after, ref_lot_id, ref_lesson_id, ref_event_id, note, actor, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            student_id, event.seq, ts, kind, delta, event.balance_after,
            lot_id, lesson_id, ref_event_id, note, event.by, iso(event.at),
        ),
    )
    entry_id = cursor.lastrowid
    cursor.execute(
        "UPDATE students SET credits_available = ? WHERE id = ?",
        (event.balance_after, student_id),
    )
    return entry_id


def _lot_delta(cursor: sqlite3.Cursor, lot_id: int, delta: int) -> None:
    cursor.execute(
        "UPDATE lots SET credits_remaining = credits_remaining + ? WHERE id = ?", (delta, lot_id)
    )


# ------------------------------------------------------------------ students


@projects(Student.Added)
def student_added(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "INSERT INTO students (id, aggregate_id, name, token, created_at) VALUES (?, ?, ?, ?, ?)",
        (event.number, str(event.originator_id), event.name, event.token, iso(event.at)),
    )


@projects(Student.TokenRotated)
def token_rotated(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "UPDATE students SET token = ? WHERE aggregate_id = ?",
        (event.token, str(event.originator_id)),
    )


@projects(Student.LotPurchased, Student.LotGranted)
def lot_added(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    purchased = isinstance(event, Student.LotPurchased)
    note = event.note if purchased else event.reason
    price = getattr(event, "price", None)  # events before the teacher's desk have none
    cursor.execute(
        "INSERT INTO lots (id, student_id, source, purchased_at, expires_at, validity_months,"
        " credits_total, credits_remaining, note, price_amount, price_currency)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.lot_id, student_id, "PURCHASE" if purchased else "ADJUST",
            iso(event.purchased_at), iso(event.expires_at), event.validity_months,
            event.credits, event.credits, note, price,
            getattr(event, "currency", None) if price is not None else None,
        ),
    )
    _entry(
        cursor, event, student_id, "PURCHASE" if purchased else "ADJUST", event.credits,
        iso(event.purchased_at), lot_id=event.lot_id, note=note,
    )


@projects(Student.CreditsWithdrawn)
def credits_withdrawn(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    _lot_delta(cursor, event.lot_id, -event.credits)
    _entry(
        cursor, event, student_id, "ADJUST", -event.credits, iso(event.at),
        lot_id=event.lot_id, note=event.reason,
    )


@projects(Student.Registered)
def registered(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    _lot_delta(cursor, event.lot_id, -1)
    cursor.execute(
        "INSERT INTO registrations (lesson_id, student_id, lot_id, registered_at, status)"
        " VALUES (?, ?, ?, ?, 'open')"
        " ON CONFLICT (lesson_id, student_id) DO UPDATE SET lot_id = excluded.lot_id,"
        " registered_at = excluded.registered_at, status = 'open', closed_at = NULL",
        (event.lesson_id, student_id, event.lot_id, iso(event.at)),
    )
    _entry(
        cursor, event, student_id, "REGISTER", -1, iso(event.at),
        lot_id=event.lot_id, lesson_id=event.lesson_id,
    )


@projects(Student.RegistrationCancelled)
def registration_cancelled(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    _lot_delta(cursor, event.lot_id, +1)
    _close_registration(cursor, event, student_id, "cancelled")
    _entry(
        cursor, event, student_id, "CANCEL", +1, iso(event.at),
        lot_id=event.lot_id, lesson_id=event.lesson_id, note=getattr(event, "note", None),
    )


@projects(Student.RegistrationCleared)
def registration_cleared(cursor: sqlite3.Cursor, event: Any) -> None:
    _close_registration(cursor, event, _student_id(cursor, event), "cleared")


def _close_registration(cursor: sqlite3.Cursor, event: Any, student_id: int, status: str) -> None:
    cursor.execute(
        "UPDATE registrations SET status = ?, closed_at = ? WHERE lesson_id = ? AND student_id = ?",
        (status, iso(event.at), event.lesson_id, student_id),
    )


@projects(Student.LotExpired)
def lot_expired(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    _lot_delta(cursor, event.lot_id, -event.credits)
    _entry(cursor, event, student_id, "EXPIRE", -event.credits, iso(event.expired_at), lot_id=event.lot_id)


@projects(Student.LotExtended)
def lot_extended(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    new_expiry = iso(event.new_expires_at)
    cursor.execute("UPDATE lots SET expires_at = ? WHERE id = ?", (new_expiry, event.lot_id))
    reason = getattr(event, "reason", None)  # extendLot gives one; extendValidity none
    what = f"+{event.days} days, now valid until {new_expiry}"
    _entry(
        cursor, event, student_id, "EXTEND", 0, iso(event.at), lot_id=event.lot_id,
        note=what if reason is None else f"{reason} ({what})",
    )


@projects(Student.OldestMarked)
def oldest_marked(cursor: sqlite3.Cursor, event: Any) -> None:
    student_id = _student_id(cursor, event)
    if event.ref_seq == event.seq:  # every lot closed: the marker names itself
        ref_id = _one(cursor, "SELECT COALESCE(MAX(id), 0) + 1 FROM ledger_events", ())
    else:
        ref_id = _one(
            cursor, "SELECT id FROM ledger_events WHERE student_id = ? AND seq = ?",
            (student_id, event.ref_seq),
        )
    _entry(cursor, event, student_id, "OLDEST", 0, iso(event.at), ref_event_id=ref_id)
    cursor.execute("UPDATE students SET oldest_entry_id = ? WHERE id = ?", (ref_id, student_id))


@projects(Student.Renamed)
def student_renamed(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute("UPDATE students SET name = ? WHERE id = ?", (event.name, event.number))


@projects(Student.ArchiveChanged)
def archive_changed(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute(
        "UPDATE students SET archived = ? WHERE id = ?", (int(event.archived), event.number)
    )


# -------------------------------------------------------------------- studio


@projects(Studio.Opened, Studio.SettingsChanged)
def settings_changed(cursor: sqlite3.Cursor, event: Any) -> None:
    values = event.settings
    cursor.execute(
        "INSERT INTO studio_settings (id, studio_name, window_hours, validity_options, currency,"
        " default_capacity, currency_locked, changed_at) VALUES (1, ?, ?, ?, ?, ?, 0, ?)"
        " ON CONFLICT (id) DO UPDATE SET studio_name = excluded.studio_name,"
        " window_hours = excluded.window_hours, validity_options = excluded.validity_options,"
        " currency = excluded.currency, default_capacity = excluded.default_capacity,"
        " changed_at = excluded.changed_at",
        (
            values["studio_name"], values["window_hours"], json.dumps(values["validity_options"]),
            values["currency"], values["default_capacity"], iso(event.at),
        ),
    )


@projects(Studio.CurrencyLocked)
def currency_locked(cursor: sqlite3.Cursor, event: Any) -> None:
    cursor.execute("UPDATE studio_settings SET currency_locked = 1 WHERE id = 1")


# ------------------------------------------------------------------- lessons


@projects(Lesson.Scheduled)
def lesson_scheduled(cursor: sqlite3.Cursor, event: Any) -> None:
    # Lessons scheduled before part 2 carry no title, capacity, balance or series.
    cursor.execute(
        "INSERT INTO lesson_events (id, aggregate_id, starts_at, registration_closes_at,"
        " window_hours, status, created_at, title, capacity, role_balance, series_id)"
        " VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?)",
        (
            event.number, str(event.originator_id), iso(event.starts_at), iso(event.closes_at),
            event.window_hours, iso(event.at), getattr(event, "title", None),
            getattr(event, "capacity", None), getattr(event, "role_balance", None),
            getattr(event, "series_id", None),
        ),
    )


# The Lesson's other events (attendees, waitlist, capacity, cleared, cancelled)
# and the Series' and Schedule's are in week_projectors, registered on import.
from tangopass.projections import week_projectors  # noqa: E402,F401
