"""The student's lessons as an iCalendar feed (RFC 5545, via the icalendar library)."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event

from tangopass.ledger.instants import from_iso

LESSON_LENGTH = timedelta(minutes=90)


def lesson_uid(lesson_id: int, installation_id: str) -> str:
    """``lesson-4-<installation uuid>@tangopass``: the same for the life of the data
    (never the public URL, which may change) and different in every studio's database."""
    return f"lesson-{lesson_id}-{installation_id}@tangopass"


def calendar_for(lessons: list[dict], now: datetime, installation_id: str) -> bytes:
    """One VEVENT per lesson, with a UID that stays the same for that lesson forever.

    A lesson called off after the student registered stays, marked CANCELLED, so a
    calendar that imported or subscribed to it updates instead of keeping it.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Tango Pass//tangopass//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Tango lessons")
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    for lesson in lessons:
        starts_at = from_iso(lesson["starts_at"])
        event = Event()
        event.add("uid", lesson_uid(lesson["id"], installation_id))
        event.add("dtstamp", now)
        event.add("dtstart", starts_at)
        event.add("dtend", starts_at + LESSON_LENGTH)
        event.add("summary", lesson.get("title") or "Tango lesson")
        cancelled = lesson.get("status") == "cancelled"
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("sequence", 1 if cancelled else 0)
        calendar.add_component(event)
    return calendar.to_ical()
