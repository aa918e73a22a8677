"""One function per event type, from the event to the statements that update the read models.

A projector is ``fn(event, number) -> list[Statement]``: ``event`` carries every
decided value (ids, seq, balance after), ``number`` is the small integer id of
the event's aggregate (``students.id`` / ``lesson_events.id``; None for an
aggregate without one, such as the Studio), which the live append knows from the
aggregate (its ``number`` attribute) and the rebuild from the aggregate's first
event. A projector never reads the database: the statements it returns are
plain SQL with ``?`` placeholders, valid on SQLite and PostgreSQL alike, and
could go into one D1 ``batch``. The live append, the auditor's rebuild and
every store run these very functions, in the order the events are appended;
so a rebuilt database is identical to the live one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from tangopass.ledger.instants import iso
from tangopass.ledger.lesson import Lesson
from tangopass.ledger.student import Student
from tangopass.ledger.studio import Studio
from tangopass.projections.storage.port import Statement

Projector = Callable[[Any, int], list[Statement]]
PROJECTORS: dict[type, Projector] = {}

# A journal entry's id is decided by the student and the entry's number, not by
# the database handing out MAX(id) + 1: unique in the studio, growing within
# one student's ledger (the contract's promise), the same on every store and in
# every rebuild. 10**9 entries per student and 9 million students fit in a
# JavaScript-safe integer (2**53).
ENTRIES_PER_STUDENT = 10**9


def entry_id(student_id: int, seq: int) -> int:
    """The ledger id of a student's ``seq``-th entry."""
    return student_id * ENTRIES_PER_STUDENT + seq


def projects(*event_classes: type) -> Callable[[Projector], Projector]:
    def register(fn: Projector) -> Projector:
        for cls in event_classes:
            PROJECTORS[cls] = fn
        return fn

    return register


def statements(events: Iterable[tuple[Any, int]]) -> list[Statement]:
    """The statements of each (event, aggregate number), in order; events without a projector add none."""
    out: list[Statement] = []
    for event, number in events:
        projector = PROJECTORS.get(type(event))
        if projector is not None:
            out.extend(projector(event, number))
    return out


class AggregateNumbers:
    """Each aggregate's small integer id, learnt from its first event (``number``).

    What the rebuild knows in place of the live append's aggregate objects.
    """

    def __init__(self) -> None:
        self._by_id: dict[Any, int] = {}

    def of(self, event: Any) -> int | None:
        """None for an aggregate without a number (the one Studio)."""
        key = event.originator_id
        if key not in self._by_id:
            self._by_id[key] = getattr(event, "number", None)
        return self._by_id[key]


def _entry(
    event: Any, student_id: int, kind: str, delta: int, ts: str, *,
    lot_id: int | None = None, lesson_id: int | None = None,
    ref_event_id: int | None = None, note: str | None = None,
) -> list[Statement]:
    """One journal row, and the student's balance beside it."""
    return [
        (
            "INSERT INTO ledger_events (id, student_id, seq, ts, type, delta_credits,"
            " balance_after, ref_lot_id, ref_lesson_id, ref_event_id, note, actor, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id(student_id, event.seq), student_id, event.seq, ts, kind, delta,
                event.balance_after, lot_id, lesson_id, ref_event_id, note, event.by,
                iso(event.at),
            ),
        ),
        (
            "UPDATE students SET credits_available = ? WHERE id = ?",
            (event.balance_after, student_id),
        ),
    ]


def _lot_delta(lot_id: int, delta: int) -> Statement:
    return (
        "UPDATE lots SET credits_remaining = credits_remaining + ? WHERE id = ?", (delta, lot_id)
    )


# ------------------------------------------------------------------ students


@projects(Student.Added)
def student_added(event: Any, number: int) -> list[Statement]:
    return [(
        "INSERT INTO students (id, aggregate_id, name, token, created_at) VALUES (?, ?, ?, ?, ?)",
        (number, str(event.originator_id), event.name, event.token, iso(event.at)),
    )]


@projects(Student.TokenRotated)
def token_rotated(event: Any, number: int) -> list[Statement]:
    return [("UPDATE students SET token = ? WHERE id = ?", (event.token, number))]


@projects(Student.LotPurchased, Student.LotGranted)
def lot_added(event: Any, number: int) -> list[Statement]:
    purchased = isinstance(event, Student.LotPurchased)
    note = event.note if purchased else event.reason
    source = "PURCHASE" if purchased else "ADJUST"
    price = getattr(event, "price", None)  # events before the teacher's desk have none
    return [
        (
            "INSERT INTO lots (id, student_id, source, purchased_at, expires_at, validity_months,"
            " credits_total, credits_remaining, note, price_amount, price_currency)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.lot_id, number, source, iso(event.purchased_at), iso(event.expires_at),
                event.validity_months, event.credits, event.credits, note, price,
                getattr(event, "currency", None) if price is not None else None,
            ),
        ),
        *_entry(event, number, source, event.credits, iso(event.purchased_at),
                lot_id=event.lot_id, note=note),
    ]


@projects(Student.CreditsWithdrawn)
def credits_withdrawn(event: Any, number: int) -> list[Statement]:
    return [
        _lot_delta(event.lot_id, -event.credits),
        *_entry(event, number, "ADJUST", -event.credits, iso(event.at),
                lot_id=event.lot_id, note=event.reason),
    ]


@projects(Student.Registered)
def registered(event: Any, number: int) -> list[Statement]:
    return [
        _lot_delta(event.lot_id, -1),
        (
            "INSERT INTO registrations (lesson_id, student_id, lot_id, registered_at, status)"
            " VALUES (?, ?, ?, ?, 'open')"
            " ON CONFLICT (lesson_id, student_id) DO UPDATE SET lot_id = excluded.lot_id,"
            " registered_at = excluded.registered_at, status = 'open', closed_at = NULL",
            (event.lesson_id, number, event.lot_id, iso(event.at)),
        ),
        *_entry(event, number, "REGISTER", -1, iso(event.at),
                lot_id=event.lot_id, lesson_id=event.lesson_id),
    ]


@projects(Student.RegistrationCancelled)
def registration_cancelled(event: Any, number: int) -> list[Statement]:
    return [
        _lot_delta(event.lot_id, +1),
        _close_registration(event, number, "cancelled"),
        *_entry(event, number, "CANCEL", +1, iso(event.at),
                lot_id=event.lot_id, lesson_id=event.lesson_id,
                note=getattr(event, "note", None)),
    ]


@projects(Student.RegistrationCleared)
def registration_cleared(event: Any, number: int) -> list[Statement]:
    return [_close_registration(event, number, "cleared")]


def _close_registration(event: Any, student_id: int, status: str) -> Statement:
    return (
        "UPDATE registrations SET status = ?, closed_at = ? WHERE lesson_id = ? AND student_id = ?",
        (status, iso(event.at), event.lesson_id, student_id),
    )


@projects(Student.LotExpired)
def lot_expired(event: Any, number: int) -> list[Statement]:
    return [
        _lot_delta(event.lot_id, -event.credits),
        *_entry(event, number, "EXPIRE", -event.credits, iso(event.expired_at),
                lot_id=event.lot_id),
    ]


@projects(Student.LotExtended)
def lot_extended(event: Any, number: int) -> list[Statement]:
    new_expiry = iso(event.new_expires_at)
    reason = getattr(event, "reason", None)  # extendLot gives one; extendValidity none
    what = f"+{event.days} days, now valid until {new_expiry}"
    return [
        ("UPDATE lots SET expires_at = ? WHERE id = ?", (new_expiry, event.lot_id)),
        *_entry(event, number, "EXTEND", 0, iso(event.at), lot_id=event.lot_id,
                note=what if reason is None else f"{reason} ({what})"),
    ]


@projects(Student.OldestMarked)
def oldest_marked(event: Any, number: int) -> list[Statement]:
    # The marker names the entry of seq ``ref_seq`` (itself when every lot is
    # closed): its id follows from the numbers, no row needs reading.
    ref_id = entry_id(number, event.ref_seq)
    return [
        *_entry(event, number, "OLDEST", 0, iso(event.at), ref_event_id=ref_id),
        ("UPDATE students SET oldest_entry_id = ? WHERE id = ?", (ref_id, number)),
    ]


@projects(Student.Renamed)
def student_renamed(event: Any, number: int) -> list[Statement]:
    return [("UPDATE students SET name = ? WHERE id = ?", (event.name, number))]


@projects(Student.ArchiveChanged)
def archive_changed(event: Any, number: int) -> list[Statement]:
    return [("UPDATE students SET archived = ? WHERE id = ?", (int(event.archived), number))]


# -------------------------------------------------------------------- studio


@projects(Studio.Opened, Studio.SettingsChanged)
def settings_changed(event: Any, number: int | None) -> list[Statement]:
    values = event.settings
    return [(
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
    )]


@projects(Studio.CurrencyLocked)
def currency_locked(event: Any, number: int | None) -> list[Statement]:
    return [("UPDATE studio_settings SET currency_locked = 1 WHERE id = 1", ())]


# ------------------------------------------------------------------- lessons


@projects(Lesson.Scheduled)
def lesson_scheduled(event: Any, number: int) -> list[Statement]:
    # Lessons scheduled before part 2 carry no title, capacity, balance or series.
    return [(
        "INSERT INTO lesson_events (id, aggregate_id, starts_at, registration_closes_at,"
        " window_hours, status, created_at, title, capacity, role_balance, series_id)"
        " VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?)",
        (
            number, str(event.originator_id), iso(event.starts_at), iso(event.closes_at),
            event.window_hours, iso(event.at), getattr(event, "title", None),
            getattr(event, "capacity", None), getattr(event, "role_balance", None),
            getattr(event, "series_id", None),
        ),
    )]


# The Lesson's other events (attendees, waitlist, capacity, cleared, cancelled)
# and the Series' and Schedule's are in week_projectors, registered on import.
from tangopass.projections import week_projectors  # noqa: E402,F401
