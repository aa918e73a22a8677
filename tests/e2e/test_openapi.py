"""/openapi.json is valid OpenAPI 3.1 and says what the running code does."""

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tangopass.api.admin_routes import COMMANDS

LESSON_AT = "2026-11-24T19:00:00Z"


@pytest.fixture
def document(api) -> dict:
    result = api.client.simulate_get("/openapi.json")
    assert result.status_code == 200
    return result.json


def conforms(document: dict, path: str, method: str, result) -> None:
    """The answer's body matches the schema documented for its status."""
    documented = document["paths"][path][method]["responses"][str(result.status_code)]
    schema = documented["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(result.json), key=str)
    assert not errors, f"{method.upper()} {path} {result.status_code}: {errors[0].message}"


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_admin_command_is_documented(document):
    for command in COMMANDS:
        assert f"/admin/{command.name}" in document["paths"]


def test_real_answers_match_the_documented_schemas(api, document, clock):
    ana = api.add_student("Ana")
    cases = [
        ("/admin/addStudent", "post", api.admin("addStudent", {"name": "Bea"})),
        ("/admin/addPurchase", "post", api.admin("addPurchase", {
            "student_id": ana["id"], "credits": 2, "validity_months": 1, "note": "cash"})),
        ("/admin/setNextLesson", "post", api.admin("setNextLesson", {"starts_at": LESSON_AT})),
        ("/register", "post", api.register(ana["token"])),
        ("/status", "get", api.status(ana["token"], "&ledger=all")),
        ("/cancel", "post", api.cancel(ana["token"])),
        ("/register", "post", api.register(ana["token"], {"lesson_id": 1})),
        ("/admin/list", "get", api.admin_get("/admin/list")),
        ("/admin/ledger", "get", api.admin_get(f"/admin/ledger?student_id={ana['id']}&all")),
        ("/admin/adjust", "post", api.admin("adjust", {"student_id": ana["id"], "delta": 1, "reason": "r"})),
        ("/admin/extendValidity", "post", api.admin("extendValidity", {"days": 3})),
        ("/admin/cancelRegistration", "post", api.admin("cancelRegistration", {"student_id": ana["id"]})),
        ("/admin/cancelLesson", "post", api.admin("cancelLesson", {"lesson_id": 1})),
        ("/admin/rotateToken", "post", api.admin("rotateToken", {"student_id": ana["id"]})),
        ("/admin/addPurchase", "post", api.admin("addPurchase", {"student_id": 1, "credits": 0})),
        ("/register", "post", api.register("nope")),
        ("/health", "get", api.client.simulate_get("/health")),
    ]
    api.lesson("2026-11-23T11:00:00Z")
    clock.advance(hours=2)
    cases.append(("/admin/clearRegistrations", "post", api.admin("clearRegistrations", {})))

    for path, method, result in cases:
        conforms(document, path, method, result)


def test_the_document_is_served_as_json_and_stable(api):
    first = api.client.simulate_get("/openapi.json").text
    assert json.loads(first) == json.loads(api.client.simulate_get("/openapi.json").text)


def test_the_teachers_desk_answers_match_the_documented_schemas(api, document, clock):
    ana = api.add_student("Ana")
    api.buy(ana["id"], credits=2, price="40")
    api.buy(ana["id"], credits=1, purchased_at="2026-10-01T10:00:00Z")
    api.lesson(LESSON_AT)
    api.register(ana["token"])
    cases = [
        ("/admin/student", "get", api.admin_get(f"/admin/student?student_id={ana['id']}")),
        ("/admin/report", "get", api.admin_get("/admin/report?month=2026-11")),
        ("/admin/settings", "get", api.admin_get("/admin/settings")),
        ("/admin/settings", "post", api.admin("settings", {"window_hours": 3})),
        ("/admin/renameStudent", "post", api.admin("renameStudent", {"student_id": 1, "name": "A"})),
        ("/admin/extendLot", "post", api.admin("extendLot", {"lot_id": 1, "days": 2, "reason": "r"})),
        ("/admin/archiveStudent", "post",
         api.admin("archiveStudent", {"student_id": 1, "archived": True})),
        ("/admin/list", "get", api.admin_get("/admin/list?archived")),
        ("/status", "get", api.status(ana["token"], "&ledger")),
        ("/register", "post", api.register(ana["token"])),
        ("/admin/report", "get", api.admin_get("/admin/report?month=2026-13")),
    ]
    for path, method, result in cases:
        conforms(document, path, method, result)


def test_the_week_answers_match_the_documented_schemas(api, document, clock):
    ana, bea = api.add_student("Ana"), api.add_student("Bea")
    api.buy(ana["id"], credits=3)
    api.buy(bea["id"], credits=3)
    cases = [
        ("/admin/addLesson", "post", api.admin("addLesson", {
            "starts_at": LESSON_AT, "title": "Vals", "capacity": 1, "role_balance": 2})),
        ("/admin/addSeries", "post", api.admin("addSeries", {
            "weekday": 4, "time": "19:30", "starts_on": "2026-11-23", "capacity": 5})),
        ("/register", "post", api.register(ana["token"], {"lesson_id": 1, "role": "leader"})),
        ("/register", "post", api.register(bea["token"], {"lesson_id": 1})),
        ("/status", "get", api.status(bea["token"], "&ledger")),
        ("/admin/lessons", "get", api.admin_get("/admin/lessons")),
        ("/admin/setCapacity", "post", api.admin("setCapacity", {"lesson_id": 1, "capacity": 2})),
        ("/admin/registerStudent", "post", api.admin("registerStudent", {"student_id": 1, "lesson_id": 2})),
        ("/cancel", "post", api.cancel(ana["token"], {"lesson_id": 2})),
        ("/admin/endSeries", "post", api.admin("endSeries", {"series_id": 1})),
        ("/admin/addClosure", "post", api.admin("addClosure", {
            "from": "2026-12-01", "to": "2026-12-02", "reason": "Away", "extend_passes": True})),
        ("/admin/setCapacity", "post", api.admin("setCapacity", {"lesson_id": 1, "capacity": 0})),
    ]
    clock.advance(days=2)
    cases.append(("/admin/clearRegistrations", "post",
                  api.admin("clearRegistrations", {"lesson_id": 1, "no_shows": [ana["id"]]})))
    for path, method, result in cases:
        conforms(document, path, method, result)
