"""Histories that exercise every kind of ledger entry, for replay and audit tests."""


def busy_history(api, clock) -> list[dict]:
    """A bit of everything: back-dated lots, expiry, cancels, clears, extends, adjusts."""
    students = [api.add_student(name) for name in ("Ana", "Bea", "Cleo")]
    for i, student in enumerate(students):
        api.buy(student["id"], credits=3, purchased_at=f"2026-11-{20 - i}T10:00:00Z")
        api.buy(student["id"], credits=2, months=3)
    for day in ("2026-11-24", "2026-11-28", "2026-12-02"):
        api.lesson(f"{day}T19:00:00Z")
    for student in students:
        assert api.register(student["token"]).status_code == 200
    api.cancel(students[1]["token"])
    api.admin("adjust", {"student_id": students[2]["id"], "delta": -1, "reason": "typo"})
    api.admin("adjust", {"student_id": students[0]["id"], "delta": 2, "reason": "gift"})
    clock.set(clock.now.replace(day=24, hour=21))
    api.admin("clearRegistrations", {})
    api.admin("extendValidity", {"days": 5})
    clock.advance(days=40)
    for student in students:
        api.register(student["token"])
    api.admin("cancelLesson", {"lesson_id": 3})
    api.admin_get("/admin/list")
    return students
