"""Every row of the contract's error table; every refusal changes nothing."""

import json

import pytest

from tests.support.api import ADMIN_TOKEN
from tests.support.db import fingerprint

LESSON_AT = "2026-11-24T19:00:00Z"  # the clock starts at 2026-11-23T10:00:00Z


@pytest.fixture
def world(api):
    """Ana with credits and a lesson tomorrow; Bea with none."""
    ana = api.add_student("Ana")
    bea = api.add_student("Bea")
    api.buy(ana["id"], credits=2)
    lesson = api.lesson(LESSON_AT)
    return {"ana": ana, "bea": bea, "lesson": lesson}


def assert_error(result, status: int, code: str) -> None:
    assert result.status_code == status, result.text
    assert result.json["error"] == code
    assert isinstance(result.json["message"], str) and result.json["message"]
    assert set(result.json) == {"error", "message"}


@pytest.fixture
def unchanged(db_path, world):
    """Asserts, after the test's request, that no table changed."""
    before = fingerprint(db_path)
    yield
    assert fingerprint(db_path) == before


def post(api, path, body=None, *, headers=None, raw=None):
    headers = dict(headers or {})
    if raw is None and body is not None:
        raw = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    return api.client.simulate_post(path, body=raw, headers=headers)


ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
JSON = {"Content-Type": "application/json"}


# ------------------------------------------------------------------ 404 / 405


@pytest.mark.parametrize("method,path", [
    ("GET", "/nope"), ("POST", "/admin/nope"), ("GET", "/admin"), ("GET", "/status/extra"),
    ("GET", "/../etc/passwd"), ("GET", "/.git/config"), ("GET", "/register/"),
])
def test_unknown_routes_are_404(api, unchanged, method, path):
    assert_error(api.client.simulate_request(method, path), 404, "NOT_FOUND")


@pytest.mark.parametrize("method,path", [
    ("GET", "/register"), ("DELETE", "/status"), ("PUT", "/cancel"),
    ("GET", "/admin/addStudent"), ("POST", "/admin/list"), ("POST", "/health"),
])
def test_wrong_verbs_are_405(api, unchanged, method, path):
    assert_error(api.client.simulate_request(method, path, headers=ADMIN), 405, "METHOD_NOT_ALLOWED")


# ------------------------------------------------------------------------ 401


@pytest.mark.parametrize("query", ["", "t=", "t=unknown-token", "x=1"])
@pytest.mark.parametrize("method,path", [
    ("GET", "/status"), ("POST", "/register"), ("POST", "/cancel"), ("GET", "/calendar.ics"),
])
def test_missing_and_unknown_tokens_get_the_same_401(api, unchanged, method, path, query):
    result = api.client.simulate_request(method, path, query_string=query)
    assert_error(result, 401, "INVALID_TOKEN")
    assert result.json["message"] == "this link is not valid (missing or unknown token)"


def test_a_token_given_twice_is_not_accepted(api, world, unchanged):
    token = world["ana"]["token"]
    assert_error(api.status(token, f"&t={token}"), 401, "INVALID_TOKEN")


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN},
    {"Authorization": "Basic " + ADMIN_TOKEN}, {"X-Admin-Token": "wrong"},
    {"Authorization": "Bearer "},
])
def test_admin_calls_need_the_admin_token(api, unchanged, headers):
    assert_error(post(api, "/admin/addStudent", {"name": "Eve"}, headers=headers), 401, "UNAUTHORIZED")
    assert_error(api.client.simulate_get("/admin/list", headers=headers), 401, "UNAUTHORIZED")


def test_the_x_admin_token_header_is_accepted_too(api, world):
    result = api.client.simulate_get("/admin/list", headers={"X-Admin-Token": ADMIN_TOKEN})
    assert result.status_code == 200


# ------------------------------------------------------------------ 413 / 415


def test_a_body_over_64_kib_is_413(api, unchanged):
    big = json.dumps({"name": "x" * (64 * 1024)})
    assert_error(post(api, "/admin/addStudent", raw=big, headers={**ADMIN, **JSON}), 413, "PAYLOAD_TOO_LARGE")


def test_a_student_body_over_64_kib_is_413(api, world, unchanged):
    token = world["ana"]["token"]
    result = api.client.simulate_post(
        "/register", query_string=f"t={token}", body="[" * 70000, headers=JSON
    )
    assert_error(result, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data", "application/jsonx"])
def test_a_body_that_is_not_json_is_415(api, unchanged, content_type):
    headers = dict(ADMIN)
    if content_type:
        headers["Content-Type"] = content_type
    result = post(api, "/admin/addStudent", raw='{"name": "Eve"}', headers=headers)
    assert_error(result, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_json_with_a_charset_parameter_is_accepted(api):
    headers = {**ADMIN, "Content-Type": "application/json; charset=utf-8"}
    assert post(api, "/admin/addStudent", raw='{"name": "Eve"}', headers=headers).status_code == 201


# ------------------------------------------------------------------------ 400


BAD_BODIES = {
    "addStudent": [
        "{", "[]", "null", '"Ana"', "{}", '{"name": ""}', '{"name": "   "}', '{"name": 5}',
        '{"name": "' + "x" * 101 + '"}', '{"name": "Ana", "extra": 1}', '{"name": "A\\u0000na"}',
        '{"name": "A\\nna"}', '{"name": "Ana", "name": 3}', "[" * 5000 + "]" * 5000,
    ],
    "addPurchase": [
        '{"student_id": 1, "credits": 0, "validity_months": 1}',
        '{"student_id": 1, "credits": 101, "validity_months": 1}',
        '{"student_id": 1, "credits": 5, "validity_months": 2}',
        '{"student_id": 1, "credits": "5", "validity_months": 1}',
        '{"student_id": 1, "credits": 5.5, "validity_months": 1}',
        '{"student_id": 1, "credits": true, "validity_months": 1}',
        '{"student_id": 1, "credits": 100000000000000000000000000000, "validity_months": 1}',
        '{"student_id": 1, "credits": 5}',
        '{"student_id": 0, "credits": 5, "validity_months": 1}',
        '{"student_id": 1, "credits": 5, "validity_months": 1, "purchased_at": "2026-11-30T10:00:00Z"}',
        '{"student_id": 1, "credits": 5, "validity_months": 1, "purchased_at": "yesterday"}',
        '{"student_id": 1, "credits": 5, "validity_months": 1, "purchased_at": "1970-01-01T00:00:00Z"}',
        '{"student_id": 1, "credits": 5, "validity_months": 1, "credits_available": 99}',
    ],
    "setNextLesson": [
        '{"starts_at": "2026-11-23T09:00:00Z"}', '{"starts_at": "2026-11-23T10:00:00Z"}',
        '{"starts_at": 1790000000}', '{"starts_at": "9999-12-31T23:59:59Z"}', "{}",
    ],
    "cancelLesson": ['{}', '{"lesson_id": -1}', '{"lesson_id": "1"}'],
    "cancelRegistration": ['{}', '{"student_id": 1, "lesson_id": 0}'],
    "clearRegistrations": ['{"lesson_id": null, "x": 1}', '{"lesson_id": 1.5}'],
    "extendValidity": ['{"days": 0}', '{"days": 367}', '{"days": -1}', "{}"],
    "adjust": [
        '{"student_id": 1, "delta": 0, "reason": "x"}',
        '{"student_id": 1, "delta": 101, "reason": "x"}',
        '{"student_id": 1, "delta": -101, "reason": "x"}',
        '{"student_id": 1, "delta": 2}',
        '{"student_id": 1, "delta": 2, "reason": " "}',
        '{"student_id": 1, "delta": -2, "reason": "x", "validity_months": 3}',
    ],
}


@pytest.mark.parametrize("endpoint,raw", [(e, b) for e, bodies in BAD_BODIES.items() for b in bodies])
def test_malformed_or_out_of_range_bodies_are_400(api, unchanged, endpoint, raw):
    result = post(api, f"/admin/{endpoint}", raw=raw, headers={**ADMIN, **JSON})
    assert_error(result, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("endpoint", [e for e in BAD_BODIES if e != "clearRegistrations"])
def test_an_admin_post_without_a_body_is_400(api, unchanged, endpoint):
    assert_error(post(api, f"/admin/{endpoint}", headers=ADMIN), 400, "VALIDATION_ERROR")


def test_the_validation_message_names_the_field(api):
    result = post(api, "/admin/addPurchase", {"student_id": 1, "credits": 500, "validity_months": 1},
                  headers=ADMIN)
    assert "credits" in result.json["message"]


@pytest.mark.parametrize("raw", ["{", "[]", '{"lesson_id": "7"}', '{"lesson_id": 7, "x": 1}', '{"lesson_id": 0}'])
def test_student_bodies_are_validated_too(api, world, unchanged, raw):
    token = world["ana"]["token"]
    result = api.client.simulate_post("/register", query_string=f"t={token}", body=raw, headers=JSON)
    assert_error(result, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("query", ["", "student_id=", "student_id=abc", "student_id=-1",
                                   "student_id=1&student_id=2", "student_id=99999999999999"])
def test_ledger_query_needs_one_valid_student_id(api, world, unchanged, query):
    assert_error(api.client.simulate_get("/admin/ledger", query_string=query, headers=ADMIN),
                 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "ünïcode"])
def test_a_malformed_idempotency_key_is_400(api, unchanged, key):
    headers = {**ADMIN, "Idempotency-Key": key}
    assert_error(post(api, "/admin/addStudent", {"name": "Eve"}, headers=headers), 400, "VALIDATION_ERROR")


# ------------------------------------------------------------ 404 unknown ids


@pytest.mark.parametrize("endpoint,body", [
    ("addPurchase", {"student_id": 999, "credits": 1, "validity_months": 1}),
    ("cancelRegistration", {"student_id": 999}),
    ("adjust", {"student_id": 999, "delta": 1, "reason": "x"}),
    ("cancelLesson", {"lesson_id": 999}),
    ("clearRegistrations", {"lesson_id": 999}),
    ("cancelRegistration", {"student_id": 1, "lesson_id": 999}),
    ("rotateToken", {"student_id": 999}),
])
def test_unknown_ids_are_404(api, unchanged, endpoint, body):
    assert_error(post(api, f"/admin/{endpoint}", body, headers=ADMIN), 404, "NOT_FOUND")


def test_unknown_student_in_ledger_query_is_404(api, unchanged):
    result = api.client.simulate_get("/admin/ledger", query_string="student_id=999", headers=ADMIN)
    assert_error(result, 404, "NOT_FOUND")


def test_a_student_naming_an_unknown_lesson_is_404(api, world, unchanged):
    assert_error(api.register(world["ana"]["token"], {"lesson_id": 999}), 404, "NOT_FOUND")


# ------------------------------------------------------------------------ 409


def test_no_credits_is_409(api, world, unchanged):
    assert_error(api.register(world["bea"]["token"]), 409, "NO_CREDITS")


def test_adjusting_below_zero_is_no_credits(api, world, unchanged):
    body = {"student_id": world["ana"]["id"], "delta": -3, "reason": "too many"}
    assert_error(post(api, "/admin/adjust", body, headers=ADMIN), 409, "NO_CREDITS")


def test_registration_closed_is_409(api, world, clock, db_path):
    clock.set(clock.now.replace(day=24, hour=17))  # exactly starts_at - 2 h
    before = fingerprint(db_path)
    assert_error(api.register(world["ana"]["token"]), 409, "REGISTRATION_CLOSED")
    assert fingerprint(db_path) == before


def test_no_upcoming_lesson_refusals(api, db_path):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=1)
    before = fingerprint(db_path)
    assert_error(api.register(ana["token"]), 409, "NO_UPCOMING_LESSON")
    assert_error(api.cancel(ana["token"]), 409, "NO_UPCOMING_LESSON")
    assert_error(post(api, "/admin/cancelRegistration", {"student_id": ana["id"]}, headers=ADMIN),
                 409, "NO_UPCOMING_LESSON")
    assert fingerprint(db_path) == before


def test_clearing_before_any_lesson_began_is_409(api, world, unchanged):
    assert_error(post(api, "/admin/clearRegistrations", {}, headers=ADMIN), 409, "LESSON_NOT_STARTED")
    body = {"lesson_id": world["lesson"]["id"]}
    assert_error(post(api, "/admin/clearRegistrations", body, headers=ADMIN), 409, "LESSON_NOT_STARTED")


def test_changing_a_cleared_lesson_is_409(api, world, clock, db_path):
    lesson_id = world["lesson"]["id"]
    assert api.register(world["ana"]["token"]).status_code == 200
    clock.set(clock.now.replace(day=24, hour=20))
    assert post(api, "/admin/clearRegistrations", {}, headers=ADMIN).status_code == 200
    before = fingerprint(db_path)

    for endpoint, body in [
        ("clearRegistrations", {"lesson_id": lesson_id}),
        ("cancelLesson", {"lesson_id": lesson_id}),
        ("cancelRegistration", {"student_id": world["ana"]["id"], "lesson_id": lesson_id}),
    ]:
        assert_error(post(api, f"/admin/{endpoint}", body, headers=ADMIN), 409, "LESSON_CLEARED")
    assert_error(api.register(world["ana"]["token"], {"lesson_id": lesson_id}), 409, "LESSON_CLEARED")
    assert fingerprint(db_path) == before


def test_a_reused_idempotency_key_with_another_body_is_409(api, world, db_path):
    headers = {**ADMIN, "Idempotency-Key": "k-1"}
    assert post(api, "/admin/addStudent", {"name": "Eve"}, headers=headers).status_code == 201
    before = fingerprint(db_path)
    result = post(api, "/admin/addStudent", {"name": "Eva"}, headers=headers)
    assert_error(result, 409, "IDEMPOTENCY_KEY_REUSED")
    assert fingerprint(db_path) == before


# -------------------------------------------------------------- precedence


def test_precedence_401_before_413(api, unchanged):
    result = post(api, "/admin/addStudent", raw="x" * 70000, headers={"Content-Type": "text/plain"})
    assert_error(result, 401, "UNAUTHORIZED")


def test_precedence_413_before_415(api, unchanged):
    result = post(api, "/admin/addStudent", raw="x" * 70000, headers={**ADMIN, "Content-Type": "text/plain"})
    assert_error(result, 413, "PAYLOAD_TOO_LARGE")


def test_precedence_415_before_400(api, unchanged):
    result = post(api, "/admin/addStudent", raw="{not json", headers={**ADMIN, "Content-Type": "text/plain"})
    assert_error(result, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_precedence_400_before_404_unknown_id(api, unchanged):
    body = {"student_id": 999, "credits": 0, "validity_months": 1}
    assert_error(post(api, "/admin/addPurchase", body, headers=ADMIN), 400, "VALIDATION_ERROR")


def test_precedence_404_unknown_id_before_409(api, world, db_path):
    headers = {**ADMIN, "Idempotency-Key": "k-2"}
    first = {"student_id": world["ana"]["id"], "credits": 1, "validity_months": 1}
    assert post(api, "/admin/addPurchase", first, headers=headers).status_code == 201
    before = fingerprint(db_path)
    reused = {"student_id": 999, "credits": 1, "validity_months": 1}
    assert_error(post(api, "/admin/addPurchase", reused, headers=headers), 404, "NOT_FOUND")
    assert fingerprint(db_path) == before


def test_precedence_405_before_401(api, unchanged):
    assert_error(api.client.simulate_get("/admin/addStudent"), 405, "METHOD_NOT_ALLOWED")


def test_precedence_401_before_400_for_students(api, unchanged):
    result = api.client.simulate_post("/register", query_string="t=nope", body="{", headers=JSON)
    assert_error(result, 401, "INVALID_TOKEN")
