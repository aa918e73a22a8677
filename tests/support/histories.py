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


def week_history(api, clock) -> list[dict]:
    """Series, capacity, waitlist and promotion, roles, walk-ins, no-shows, closures."""
    students = [api.add_student(name) for name in ("Ana", "Bea", "Cleo", "Dora")]
    for student in students:
        api.buy(student["id"], credits=4, months=3)
    made = api.admin("addSeries", {"weekday": 4, "time": "19:00", "starts_on": "2026-11-23",
                                   "capacity": 2, "role_balance": 1}).json["lessons"]
    first, second = made[0]["id"], made[1]["id"]
    for student, role in zip(students, ("leader", "leader", "follower", "follower")):
        api.register(student["token"], {"lesson_id": first, "role": role})
    api.cancel(students[0]["token"], {"lesson_id": first})  # promotes from the line
    api.admin("setCapacity", {"lesson_id": first, "capacity": 3})
    api.register(students[0]["token"], {"lesson_id": second})
    api.admin("addLesson", {"starts_at": "2026-11-25T18:00:00Z", "title": "Extra", "capacity": 5})
    clock.set(clock.now.replace(day=26, hour=19, minute=30))
    api.admin("registerStudent", {"student_id": students[0]["id"], "lesson_id": first})
    api.admin("clearRegistrations", {"lesson_id": first, "no_shows": [students[1]["id"]]})
    api.admin("addClosure", {"from": "2026-12-03", "to": "2026-12-03", "reason": "Sick",
                             "extend_passes": True})
    api.admin("endSeries", {"series_id": 1, "last_on": "2026-12-24"})
    clock.advance(days=10)
    api.admin_get("/admin/lessons")
    return students
