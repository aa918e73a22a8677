"""The teacher's desk rows of contract part 2, through falcon.testing."""

import pytest

from tests.support.db import fingerprint, rows

pytestmark = pytest.mark.backends("server", "worker")

LESSON_AT = "2026-11-24T19:00:00Z"  # the clock starts at 2026-11-23T10:00:00Z


def refused(result, status: int, code: str) -> None:
    assert result.status_code == status, result.text
    assert result.json["error"] == code, result.json


def student_page(api, student_id: int) -> dict:
    result = api.admin_get(f"/admin/student?student_id={student_id}")
    assert result.status_code == 200, result.text
    return result.json


# ---------------------------------------------------------------- student page


def test_student_page_shows_every_lot_with_status_price_and_when_it_closed(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2, months=1, price="80", note="cash")
    api.buy(ana["id"], credits=1, months=1, purchased_at="2026-10-01T10:00:00Z")  # expired
    api.admin("adjust", {"student_id": ana["id"], "delta": 1, "reason": "gift"})
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.advance(minutes=1)
    api.admin("adjust", {"student_id": ana["id"], "delta": -1, "reason": "mistake"})

    page = student_page(api, ana["id"])

    assert page["student"]["name"] == "Ana" and page["student"]["archived"] is False
    assert page["student"]["link"] == f"https://studio.test/?t={ana['token']}"
    assert page["student"]["created_at"] == "2026-11-23T10:00:00Z"
    assert page["credits_available"] == 1
    by_id = {lot["id"]: lot for lot in page["lots"]}
    assert by_id[1]["status"] == "used" and by_id[1]["closed_at"] == "2026-11-23T10:01:00Z"
    assert by_id[1]["price"] == {"amount": "80.00", "currency": "EUR"}
    assert by_id[1]["note"] == "cash" and by_id[1]["source"] == "PURCHASE"
    assert by_id[2]["status"] == "expired" and by_id[2]["closed_at"] == "2026-11-01T10:00:00Z"
    assert by_id[2]["credits_expired"] == 1 and by_id[2]["price"] is None
    assert by_id[3]["status"] == "active" and by_id[3]["source"] == "ADJUST"
    assert by_id[3]["note"] == "gift" and by_id[3]["closed_at"] is None
    assert page["lessons"] == [{"id": 1, "starts_at": LESSON_AT, "status": "scheduled",
                                "attendance": None, "waitlisted": False}]
    register = next(e for e in page["ledger"] if e["type"] == "REGISTER")
    assert register["actor"] == "student" and register["lesson_starts_at"] == LESSON_AT
    expire = next(e for e in page["ledger"] if e["type"] == "EXPIRE")
    assert expire["actor"] == "system" and expire["lesson_starts_at"] is None
    assert [e["type"] for e in page["ledger"]][0] == "PURCHASE"  # the whole ledger


def test_a_cleared_lesson_shows_attended_on_the_student_page(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.advance(days=2)
    assert api.admin("clearRegistrations", {}).status_code == 200
    assert student_page(api, ana["id"])["lessons"][0]["attendance"] == "attended"


@pytest.mark.parametrize("query, status, code", [
    ("", 400, "VALIDATION_ERROR"), ("student_id=x", 400, "VALIDATION_ERROR"),
    ("student_id=0", 400, "VALIDATION_ERROR"), ("student_id=99", 404, "NOT_FOUND"),
])
def test_student_page_refusals(api, query, status, code):
    refused(api.admin_get(f"/admin/student?{query}"), status, code)


def test_student_page_needs_the_admin_token(api):
    refused(api.admin_get("/admin/student?student_id=1", token="wrong"), 401, "UNAUTHORIZED")


def test_status_shows_what_expired_and_when(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=8, months=1, purchased_at="2026-10-01T10:00:00Z")
    body = api.status(ana["token"]).json
    assert body["credits_available"] == 0 and body["lots"] == []
    [past] = body["past_lots"]
    assert past["status"] == "expired" and past["closed_at"] == "2026-11-01T10:00:00Z"
    assert past["credits_expired"] == 8 and past["credits_total"] == 8


def test_past_lots_stop_after_365_days_and_come_newest_first(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1, months=1, purchased_at="2025-10-01T10:00:00Z")  # closed 2025-11-01
    api.buy(ana["id"], credits=1, months=1, purchased_at="2026-09-01T10:00:00Z")
    api.buy(ana["id"], credits=1, months=1, purchased_at="2026-10-01T10:00:00Z")
    past = api.status(ana["token"]).json["past_lots"]
    assert [lot["id"] for lot in past] == [3, 2]


def test_a_used_lot_is_active_again_when_its_credit_comes_back(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    assert api.status(ana["token"]).json["past_lots"][0]["status"] == "used"
    api.cancel(ana["token"])
    body = api.status(ana["token"]).json
    assert body["past_lots"] == [] and body["lots"][0]["status"] == "active"


# ------------------------------------------------------------------- rename


def test_rename_keeps_the_old_name_in_its_event(api, db_path):
    ana = api.add_student("Ana")
    result = api.admin("renameStudent", {"student_id": ana["id"], "name": "  Ana María "})
    assert result.status_code == 200
    assert result.json == {"id": ana["id"], "name": "Ana María", "token": ana["token"],
                           "link": ana["link"]}
    assert api.admin_get("/admin/list").json["students"][0]["name"] == "Ana María"
    [(state,)] = rows(db_path, "SELECT state FROM stored_events WHERE topic LIKE '%Renamed'")
    assert b'"old_name":"Ana"' in state.replace(b" ", b"")


@pytest.mark.parametrize("body, status, code", [
    ({"student_id": 1, "name": "  "}, 400, "VALIDATION_ERROR"),
    ({"student_id": 1, "name": "x" * 101}, 400, "VALIDATION_ERROR"),
    ({"student_id": 1}, 400, "VALIDATION_ERROR"),
    ({"student_id": 9, "name": "Bea"}, 404, "NOT_FOUND"),
])
def test_rename_refusals_change_nothing(api, db_path, body, status, code):
    api.add_student("Ana")
    before = fingerprint(db_path)
    refused(api.admin("renameStudent", body), status, code)
    assert fingerprint(db_path) == before


# ------------------------------------------------------------------ archive


def test_archiving_cancels_upcoming_registrations_and_refuses_commands(api, clock):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=3)
    api.lesson(LESSON_AT)
    api.lesson("2026-11-25T19:00:00Z")
    api.register(ana["token"], {"lesson_id": 1})
    api.register(ana["token"], {"lesson_id": 2})

    result = api.admin("archiveStudent", {"student_id": ana["id"], "archived": True})

    assert result.status_code == 200
    assert result.json == {"student_id": ana["id"], "archived": True, "refunded": 2,
                           "expired_on_return": 0}
    listed = api.admin_get("/admin/list").json
    assert [s["name"] for s in listed["students"]] == ["Bea"] and listed["registrations"] == []
    archived = api.admin_get("/admin/list?archived").json["students"]
    assert [(s["name"], s["archived"]) for s in archived] == [("Ana", True)]
    assert api.status(ana["token"]).json["credits_available"] == 3  # the link still works
    cancels = [e for e in student_page(api, ana["id"])["ledger"] if e["type"] == "CANCEL"]
    assert [e["actor"] for e in cancels] == ["teacher", "teacher"]
    refused(api.register(ana["token"]), 409, "STUDENT_ARCHIVED")
    refused(api.cancel(ana["token"]), 409, "STUDENT_ARCHIVED")
    refused(api.admin("addPurchase", {"student_id": ana["id"], "credits": 1, "validity_months": 1}),
            409, "STUDENT_ARCHIVED")
    refused(api.admin("adjust", {"student_id": ana["id"], "delta": 1, "reason": "r"}),
            409, "STUDENT_ARCHIVED")
    refused(api.admin("extendLot", {"lot_id": 1, "days": 3, "reason": "r"}), 409, "STUDENT_ARCHIVED")
    # teacher commands over everyone still apply to their lots
    assert api.admin("extendValidity", {"days": 2}).json == {"extended_lots": 1}

    assert api.admin("archiveStudent", {"student_id": ana["id"], "archived": False}).json == {
        "student_id": ana["id"], "archived": False, "refunded": 0, "expired_on_return": 0}
    assert api.register(ana["token"]).status_code == 200


def test_archiving_keeps_a_registration_for_a_lesson_that_has_started(api, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2)
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    clock.set(clock.now.replace(day=24, hour=19, minute=30))
    result = api.admin("archiveStudent", {"student_id": ana["id"], "archived": True})
    assert result.json["refunded"] == 0
    assert api.status(ana["token"]).json["credits_available"] == 1


def test_student_archived_comes_first_among_the_409s(api, clock):
    ana = api.add_student("Ana")  # no credits and no lesson: NO_UPCOMING_LESSON / NO_CREDITS apply too
    api.admin("archiveStudent", {"student_id": ana["id"], "archived": True})
    refused(api.register(ana["token"]), 409, "STUDENT_ARCHIVED")
    api.admin("archiveStudent", {"student_id": ana["id"], "archived": False})
    body = {"student_id": ana["id"], "delta": -1, "reason": "r"}
    first = api.admin("adjust", {**body, "delta": 1}, key="k1")
    assert first.status_code == 200
    api.admin("archiveStudent", {"student_id": ana["id"], "archived": True})
    refused(api.admin("adjust", body, key="k1"), 409, "STUDENT_ARCHIVED")  # not KEY_REUSED


@pytest.mark.parametrize("body, status, code", [
    ({"student_id": 1}, 400, "VALIDATION_ERROR"),
    ({"student_id": 1, "archived": "yes"}, 400, "VALIDATION_ERROR"),
    ({"student_id": 9, "archived": True}, 404, "NOT_FOUND"),
])
def test_archive_refusals_change_nothing(api, db_path, body, status, code):
    api.add_student("Ana")
    before = fingerprint(db_path)
    refused(api.admin("archiveStudent", body), status, code)
    assert fingerprint(db_path) == before


# ---------------------------------------------------------------- extendLot


def test_extend_one_lot_with_a_reason(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=5, months=1)
    api.buy(ana["id"], credits=5, months=1)
    result = api.admin("extendLot", {"lot_id": 2, "days": 10, "reason": "flu"})
    assert result.status_code == 200
    assert result.json["lot"]["id"] == 2 and result.json["lot"]["expires_at"] == "2027-01-02T10:00:00Z"
    lots = {lot["id"]: lot for lot in api.status(ana["token"]).json["lots"]}
    assert lots[1]["expires_at"] == "2026-12-23T10:00:00Z"  # the other lot stays
    [extend] = [e for e in student_page(api, ana["id"])["ledger"] if e["type"] == "EXTEND"]
    assert extend["note"].startswith("flu") and extend["actor"] == "teacher"
    assert extend["ref_lot_id"] == 2 and extend["delta_credits"] == 0


def test_an_expired_or_used_lot_cannot_be_extended(api, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1, purchased_at="2026-10-01T10:00:00Z")  # expired
    api.buy(ana["id"], credits=1)
    api.admin("adjust", {"student_id": ana["id"], "delta": -1, "reason": "used"})  # lot 2 used
    before = fingerprint(db_path)
    refused(api.admin("extendLot", {"lot_id": 1, "days": 3, "reason": "r"}), 409, "NO_CREDITS")
    refused(api.admin("extendLot", {"lot_id": 2, "days": 3, "reason": "r"}), 409, "NO_CREDITS")
    assert fingerprint(db_path) == before


@pytest.mark.parametrize("body, status, code", [
    ({"lot_id": 1, "days": 0, "reason": "r"}, 400, "VALIDATION_ERROR"),
    ({"lot_id": 1, "days": 367, "reason": "r"}, 400, "VALIDATION_ERROR"),
    ({"lot_id": 1, "days": 3}, 400, "VALIDATION_ERROR"),
    ({"lot_id": 1, "days": 3, "reason": " "}, 400, "VALIDATION_ERROR"),
    ({"lot_id": 77, "days": 3, "reason": "r"}, 404, "NOT_FOUND"),
])
def test_extend_lot_refusals(api, db_path, body, status, code):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    before = fingerprint(db_path)
    refused(api.admin("extendLot", body), status, code)
    assert fingerprint(db_path) == before


def test_extend_lot_is_idempotent_with_a_key(api):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    body = {"lot_id": 1, "days": 3, "reason": "flu"}
    first, again = api.admin("extendLot", body, key="e1"), api.admin("extendLot", body, key="e1")
    assert first.json == again.json
    assert len([e for e in student_page(api, ana["id"])["ledger"] if e["type"] == "EXTEND"]) == 1


# ---------------------------------------------------------------- the list


def test_list_names_the_next_expiry_of_an_active_lot(api):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=1, months=3)
    api.buy(ana["id"], credits=1, months=1)
    api.buy(bea["id"], credits=1, purchased_at="2026-10-01T10:00:00Z")  # expired
    students = api.admin_get("/admin/list").json["students"]
    assert [(s["name"], s["next_expiry"], s["archived"]) for s in students] == [
        ("Ana", "2026-12-23T10:00:00Z", False), ("Bea", None, False),
    ]
