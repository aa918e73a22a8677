"""What the teacher's console does, through the HTTP contract."""

import pytest

from tests.support.db import fingerprint, rows

pytestmark = pytest.mark.backends("server", "worker")

LESSON_AT = "2026-11-24T19:00:00Z"  # the clock starts at 2026-11-23T10:00:00Z


def test_add_student_returns_a_secret_link(api):
    result = api.admin("addStudent", {"name": "  Ana María 💃  "})

    assert result.status_code == 201
    body = result.json
    assert body["name"] == "Ana María 💃"
    assert len(body["token"]) >= 22  # >= 128 bits, URL-safe
    assert body["link"] == f"https://studio.test/?t={body['token']}"


def test_a_back_dated_purchase_keeps_its_date(api):
    ana = api.add_student("Ana")
    lot = api.buy(ana["id"], credits=5, purchased_at="2026-11-17T18:30:00+01:00")["lot"]
    assert lot["purchased_at"] == "2026-11-17T17:30:00Z"
    assert lot["expires_at"] == "2026-12-17T17:30:00Z"


def test_list_shows_balances_and_registrations(api):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=2)
    lesson = api.lesson(LESSON_AT)
    api.register(ana["token"])

    body = api.admin_get("/admin/list").json

    assert body["next_lesson"] == {**lesson, "registered_count": 1}
    assert [(s["name"], s["credits_available"], s["registered_next"]) for s in body["students"]] == [
        ("Ana", 1, True), ("Bea", 0, False),
    ]
    assert body["students"][1]["link"].endswith(bea["token"])
    assert body["registrations"] == [{
        "student_id": ana["id"], "name": "Ana", "lesson_id": 1,
        "registered_at": "2026-11-23T10:00:00Z", "consumed_lot_id": 1,
    }]


def test_teacher_cancels_for_a_student_after_the_window(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.set(clock.now.replace(day=24, hour=19, minute=30))  # lesson has begun, not cleared

    result = api.admin("cancelRegistration", {"student_id": ana["id"], "lesson_id": 1})
    again = api.admin("cancelRegistration", {"student_id": ana["id"], "lesson_id": 1})

    assert result.json == {"cancelled": True, "credits_available": 2, "expired_on_return": 0}
    assert again.json == {"cancelled": False, "credits_available": 2, "expired_on_return": 0}


def test_cancelling_a_lesson_refunds_everyone(api, db_path):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    for student in (ana, bea):
        api.buy(student["id"], credits=1)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    api.register(bea["token"])

    result = api.admin("cancelLesson", {"lesson_id": 1})

    assert result.json == {"lesson_id": 1, "refunded": 2, "expired_on_return": 0}
    assert api.status(ana["token"]).json["credits_available"] == 1
    assert api.status(ana["token"]).json["next_lesson"] is None
    assert rows(db_path, "SELECT type, student_id FROM ledger_events WHERE type='CANCEL'") == [
        ("CANCEL", 1), ("CANCEL", 2)
    ]
    assert api.admin_get("/admin/list").json["registrations"] == []


def test_clearing_keeps_credits_consumed_and_history(api, clock, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.set(clock.now.replace(day=24, hour=21))

    result = api.admin("clearRegistrations", None)

    assert result.json == {"lesson_id": 1, "cleared": 1, "attended": 1, "no_shows": 0}
    assert api.status(ana["token"]).json["credits_available"] == 1
    assert rows(db_path, "SELECT status FROM registrations") == [("cleared",)]
    assert rows(db_path, "SELECT status FROM lesson_events") == [("cleared",)]


def test_clear_defaults_to_the_latest_lesson_that_has_begun(api, clock):
    api.lesson("2026-11-23T19:00:00Z")
    api.lesson("2026-11-24T19:00:00Z")
    api.lesson("2026-11-30T19:00:00Z")
    clock.set(clock.now.replace(day=25))

    assert api.admin("clearRegistrations", {}).json["lesson_id"] == 2
    assert api.admin("clearRegistrations", {}).json["lesson_id"] == 1
    assert api.admin("clearRegistrations", {}).json["error"] == "LESSON_NOT_STARTED"


def test_extend_skips_a_lot_that_expired_unnoticed(api, clock):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=2, purchased_at="2026-10-23T09:00:00Z")  # expired an hour ago
    api.buy(bea["id"], credits=2)

    result = api.admin("extendValidity", {"days": 7})

    assert result.json == {"extended_lots": 1}
    assert api.status(ana["token"]).json["credits_available"] == 0
    assert api.status(bea["token"]).json["lots"][0]["expires_at"] == "2026-12-30T10:00:00Z"
    extend = [e for e in api.status(bea["token"], "&ledger=all").json["ledger"] if e["type"] == "EXTEND"]
    assert [(e["delta_credits"], e["ref_lot_id"]) for e in extend] == [(0, 2)]


def test_adjust_adds_a_lot_or_takes_fifo_with_a_reason(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)

    assert api.admin("adjust", {"student_id": ana["id"], "delta": 3, "reason": "gift",
                                "validity_months": 3}).json == {"credits_available": 4}
    assert api.admin("adjust", {"student_id": ana["id"], "delta": -2, "reason": "typo"}).json == {
        "credits_available": 2
    }
    ledger = api.admin_get(f"/admin/ledger?student_id={ana['id']}&all").json["ledger"]
    adjusts = [(e["delta_credits"], e["ref_lot_id"], e["note"]) for e in ledger if e["type"] == "ADJUST"]
    assert adjusts == [(3, 2, "gift"), (-1, 1, "typo"), (-1, 2, "typo")]


def test_the_same_idempotency_key_and_body_answer_the_first_answer(api, db_path):
    ana = api.add_student("Ana")
    body = {"student_id": ana["id"], "credits": 10, "validity_months": 1}
    first = api.admin("addPurchase", body, key="purchase-1")
    before = fingerprint(db_path)

    again = api.admin("addPurchase", body, key="purchase-1")

    assert again.status_code == first.status_code == 201
    assert again.json == first.json
    assert fingerprint(db_path) == before


def test_idempotency_keys_are_scoped_per_endpoint(api):
    ana = api.add_student("Ana")
    api.admin("adjust", {"student_id": ana["id"], "delta": 1, "reason": "x"}, key="k")
    second = api.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 1}, key="k")
    assert second.status_code == 201


def test_a_refused_request_does_not_use_up_its_key(api):
    ana = api.add_student("Ana")
    refused = api.admin("adjust", {"student_id": ana["id"], "delta": -1, "reason": "x"}, key="k")
    corrected = api.admin("adjust", {"student_id": ana["id"], "delta": 1, "reason": "x"}, key="k")
    assert refused.status_code == 409 and corrected.status_code == 200


def test_ledger_for_the_teacher_matches_the_students_view(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    teacher = api.admin_get(f"/admin/ledger?student_id={ana['id']}").json
    student = api.status(ana["token"], "&ledger").json["ledger"]
    assert teacher == {"student_id": ana["id"], "ledger": student}


def test_the_qr_code_encodes_the_students_link(api):
    ana = api.add_student("Ana")
    result = api.admin_get(f"/admin/qr?student_id={ana['id']}")
    assert result.status_code == 200
    assert result.headers["content-type"] == "image/svg+xml"
    assert result.text.lstrip().startswith("<svg")
