"""Projections rebuilt from the events equal the live ones; accounts load from snapshots."""

import sqlite3

from api.wiring import open_ledger
from ledger.application import Terms
from ledger.student import Student
from projections.queries import Queries
from projections.rebuild import differences, rebuild
from tests.support.db import rows


def busy_history(api, clock) -> None:
    """A bit of everything: back-dated lots, expiry, cancels, clears, extends, adjusts."""
    students = [api.add_student(name) for name in ("Ana", "Bea", "Cleo")]
    for i, student in enumerate(students):
        api.buy(student["id"], credits=3, purchased_at=f"2026-11-{20 - i}T10:00:00Z")
        api.buy(student["id"], credits=2, months=3)
    for day in ("2026-11-24", "2026-11-28", "2026-12-02"):
        api.lesson(f"{day}T19:00:00Z")
    for student in students:
        api.register(student["token"])
    api.cancel(students[1]["token"])
    api.admin("adjust", {"student_id": students[2]["id"], "delta": -1, "reason": "typo"})
    clock.set(clock.now.replace(day=24, hour=21))
    api.admin("clearRegistrations", {})
    api.admin("extendValidity", {"days": 5})
    clock.advance(days=40)
    for student in students:
        api.register(student["token"])
    api.admin("cancelLesson", {"lesson_id": 3})
    api.admin_get("/admin/list")


def test_a_rebuilt_database_equals_the_live_one(api, ctx, clock, db_path, tmp_path):
    busy_history(api, clock)
    target = str(tmp_path / "rebuilt.db")

    count = rebuild(db_path, target, ctx.ledger.mapper.to_domain_event)

    assert count == rows(db_path, "SELECT COUNT(*) FROM stored_events")[0][0]
    assert differences(db_path, target) == {}


def test_a_tampered_projection_shows_up_as_a_difference(api, ctx, clock, db_path, tmp_path):
    busy_history(api, clock)
    target = str(tmp_path / "rebuilt.db")
    rebuild(db_path, target, ctx.ledger.mapper.to_domain_event)
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE lots SET credits_remaining = credits_remaining + 1 WHERE id = 1")
    conn.commit()
    conn.close()

    assert set(differences(db_path, target)) == {"lots"}


def test_a_long_history_loads_from_a_recent_snapshot(api, ctx, clock, db_path, settings):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=100, months=3)
    api.lesson("2026-12-20T19:00:00Z")
    for _ in range(120):
        api.register(ana["token"])
        api.cancel(ana["token"])
    aggregate_id = Student.create_id(ana["id"]).hex  # the library stores ids as hex
    version = rows(db_path, "SELECT MAX(originator_version) FROM stored_events WHERE originator_id = ?",
                   (aggregate_id,))[0][0]
    snapshot = rows(db_path, "SELECT MAX(originator_version) FROM stored_snapshots WHERE originator_id = ?",
                    (aggregate_id,))[0][0]

    assert version > 240
    assert snapshot is not None and version - snapshot < 50  # at most 49 events to replay

    # A fresh process (no cache) rebuilds the same account from snapshot + tail.
    fresh = open_ledger(db_path, Terms(settings.tz), Queries(db_path))
    try:
        loaded = fresh.repository.get(Student.create_id(ana["id"]))
        assert (loaded.balance, loaded.seq, len(loaded.lots)) == (100, 241, 1)
    finally:
        fresh.close()
    clock.advance(minutes=1)
    assert api.register(ana["token"]).json["credits_available"] == 99
