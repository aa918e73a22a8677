"""A credit given back to a lot that has already expired expires with it: every
answer that gives credits back says how many did (``expired_on_return``), so
"refunded": 1 is never read as "one lesson usable again".
"""

from __future__ import annotations

LESSON_AT = "2026-11-24T19:00:00Z"


def expiring_registration(api, clock, name: str, expired: bool) -> dict:
    """A student registered for lesson 1 with a credit of a lot that expires at noon that day."""
    student = api.add_student(name)
    bought = "2026-10-24T12:00:00Z" if expired else "2026-11-01T12:00:00Z"
    api.buy(student["id"], credits=1, purchased_at=bought)
    assert api.register(student["token"], {"lesson_id": 1}).status_code == 200
    return student


def test_cancel_lesson_says_how_many_credits_expired_on_return(api, clock):
    api.lesson(LESSON_AT)
    ana = expiring_registration(api, clock, "Ana", expired=True)
    bea = expiring_registration(api, clock, "Bea", expired=False)
    clock.set(clock.now.replace(day=24, hour=13))  # Ana's lot expired at 12:00

    result = api.admin("cancelLesson", {"lesson_id": 1})

    assert result.status_code == 200, result.text
    assert result.json == {"lesson_id": 1, "refunded": 2, "expired_on_return": 1}
    assert api.status(ana["token"]).json["credits_available"] == 0
    assert api.status(bea["token"]).json["credits_available"] == 1


def test_cancel_lesson_with_nothing_expired_reports_zero(api, clock):
    api.lesson(LESSON_AT)
    expiring_registration(api, clock, "Bea", expired=False)
    result = api.admin("cancelLesson", {"lesson_id": 1})
    assert result.json == {"lesson_id": 1, "refunded": 1, "expired_on_return": 0}


def test_the_teachers_cancel_of_one_registration_says_so_too(api, clock):
    api.lesson(LESSON_AT)
    ana = expiring_registration(api, clock, "Ana", expired=True)
    clock.set(clock.now.replace(day=24, hour=13))
    result = api.admin("cancelRegistration", {"student_id": ana["id"], "lesson_id": 1})
    assert result.json == {"cancelled": True, "credits_available": 0, "expired_on_return": 1}


def test_the_students_cancel_says_so_too(api, clock):
    api.lesson(LESSON_AT)
    ana = expiring_registration(api, clock, "Ana", expired=True)
    bea = expiring_registration(api, clock, "Bea", expired=False)
    clock.set(clock.now.replace(day=24, hour=13))
    assert api.cancel(ana["token"], {"lesson_id": 1}).json == {
        "registered": False, "lesson_id": 1, "credits_available": 0, "expired_on_return": 1}
    assert api.cancel(bea["token"], {"lesson_id": 1}).json == {
        "registered": False, "lesson_id": 1, "credits_available": 1, "expired_on_return": 0}
    # Not registered any more: the no-op answer gives nothing back.
    assert api.cancel(bea["token"], {"lesson_id": 1}).json["expired_on_return"] == 0


def test_the_openapi_document_names_expired_on_return(api):
    schemas = api.client.simulate_get("/openapi.json").json["components"]["schemas"]
    for model in ("LessonCancelled", "RegistrationCancelled", "Cancelled", "ArchiveChanged"):
        assert "expired_on_return" in schemas[model]["required"], model


def test_archiving_says_how_many_credits_expired_on_return(api, clock):
    api.lesson(LESSON_AT)
    ana = expiring_registration(api, clock, "Ana", expired=True)
    clock.set(clock.now.replace(day=24, hour=13))
    result = api.admin("archiveStudent", {"student_id": ana["id"], "archived": True})
    assert result.status_code == 200, result.text
    assert result.json == {"student_id": ana["id"], "archived": True, "refunded": 1,
                           "expired_on_return": 1}
