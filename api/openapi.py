"""``/openapi.json``: built from the very models that validate requests."""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tangopass.api.version import VERSION
from tangopass.api import schemas
from tangopass.api import student_schemas as ss
from tangopass.api import teacher_schemas as ts
from tangopass.api import week_schemas as ws
from tangopass.api.admin_routes import COMMANDS

REF = "#/components/schemas/{model}"

ANSWER_OF_COMMAND = {
    "addStudent": ts.StudentCard,
    "addPurchase": ts.Purchased,
    "setNextLesson": ws.LessonSet,
    "addLesson": ws.LessonSet,
    "addSeries": ws.SeriesAdded,
    "endSeries": ws.SeriesEnded,
    "setCapacity": ws.LessonSet,
    "registerStudent": ws.Registration,
    "addClosure": ws.ClosureAdded,
    "cancelLesson": ws.LessonCancelled,
    "cancelRegistration": ts.RegistrationCancelled,
    "clearRegistrations": ws.Cleared,
    "extendValidity": ts.Extended,
    "adjust": ts.Adjusted,
    "rotateToken": ts.StudentCard,
    "renameStudent": ts.StudentCard,
    "archiveStudent": ts.ArchiveChanged,
    "extendLot": ts.LotExtended,
    "settings": ts.SettingsView,
}
DESK_ANSWERS = [ts.StudentPage, ts.Report, ts.SettingsView]
COMMAND_ERRORS = (400, 401, 404, 409, 413, 415, 503)
STUDENT_POST_ERRORS = (400, 401, 404, 409, 413, 415, 429, 503)


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _json(model: type[BaseModel]) -> dict:
    return {"application/json": {"schema": _ref(model)}}


def _responses(status: int, model: type[BaseModel] | None, errors: tuple[int, ...],
               content: dict | None = None) -> dict:
    answers: dict[str, Any] = {
        str(status): {"description": "success", "content": content or _json(model)}
    }
    for code in errors:
        answers[str(code)] = {"description": "refused", "content": _json(schemas.Error)}
    return answers


def _body(model: type[BaseModel], required: bool = True) -> dict:
    return {"required": required, "content": _json(model)}


TOKEN = [{"studentToken": []}]
ADMIN = [{"adminBearer": []}, {"adminHeader": []}]
LEDGER_PARAM = {
    "name": "ledger", "in": "query", "required": False, "allowEmptyValue": True,
    "schema": {"type": "string"},
    "description": "any value: the ledger from the newest OLDEST marker; 'all': everything",
}


def _student_id_param() -> dict:
    return {"name": "student_id", "in": "query", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": schemas.ID_MAX}}


def _paths() -> dict:
    paths: dict[str, Any] = {
        "/health": {"get": {"summary": "Liveness", "responses": _responses(200, schemas.Health, ())}},
        "/status": {"get": {
            "summary": "The student's credits, lots and next lesson", "security": TOKEN,
            "parameters": [LEDGER_PARAM],
            "responses": _responses(200, ws.StudentStatus, (400, 401, 429, 503)),
        }},
        "/register": {"post": {
            "summary": "Register for the next lesson (or lesson_id), or join its waitlist when"
            " it is full; idempotent", "security": TOKEN,
            "requestBody": _body(ws.RegisterChoice, required=False),
            "responses": _responses(200, ws.Registration, STUDENT_POST_ERRORS),
        }},
        "/cancel": {"post": {
            "summary": "Cancel the registration; idempotent", "security": TOKEN,
            "requestBody": _body(ss.LessonChoice, required=False),
            "responses": _responses(200, ss.Cancelled, STUDENT_POST_ERRORS),
        }},
        "/calendar.ics": {"get": {
            "summary": "The student's lessons as iCalendar", "security": TOKEN,
            "responses": _responses(
                200, None, (401, 429), {"text/calendar": {"schema": {"type": "string"}}}
            ),
        }},
        "/manifest.webmanifest": {"get": {
            "summary": "The installed app's manifest for this student: start_url and id are"
                       " their own link; never cached (private, no-store)",
            "security": TOKEN,
            "responses": _responses(
                200, None, (401, 429), {"application/manifest+json": {"schema": {"type": "object"}}}
            ),
        }},
        "/admin/list": {"get": {
            "summary": "Students, the next lesson and open registrations", "security": ADMIN,
            "parameters": [{
                "name": "archived", "in": "query", "required": False, "allowEmptyValue": True,
                "schema": {"type": "string"}, "description": "present: only archived students",
            }],
            "responses": _responses(200, ts.Overview, (401,)),
        }},
        "/admin/student": {"get": {
            "summary": "One student: card, every lot, lessons, the whole ledger", "security": ADMIN,
            "parameters": [_student_id_param()],
            "responses": _responses(200, ts.StudentPage, (400, 401, 404)),
        }},
        "/admin/report": {"get": {
            "summary": "The monthly report, counted in the studio time zone", "security": ADMIN,
            "parameters": [{
                "name": "month", "in": "query", "required": False,
                "schema": {"type": "string", "pattern": "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"},
                "description": "YYYY-MM (default: the current month)",
            }, {
                "name": "format", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"},
                "description": "csv: figure,value rows as a spreadsheet download",
            }],
            "responses": {
                **_responses(200, ts.Report, (400, 401)),
                "200": {"description": "success", "content": {
                    **_json(ts.Report), "text/csv": {"schema": {"type": "string"}},
                }},
            },
        }},
        "/admin/ledger": {"get": {
            "summary": "A student's ledger", "security": ADMIN,
            "parameters": [_student_id_param(), {
                "name": "all", "in": "query", "required": False, "allowEmptyValue": True,
                "schema": {"type": "string"}, "description": "present: the whole history",
            }, {
                "name": "format", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"},
                "description": "csv: the same rows as a spreadsheet download",
            }],
            "responses": {
                **_responses(200, ts.StudentLedger, (400, 401, 404)),
                "200": {"description": "success", "content": {
                    **_json(ts.StudentLedger),
                    "text/csv": {"schema": {"type": "string"}},
                }},
            },
        }},
        "/admin/lessons": {"get": {
            "summary": "Lessons from a date to a date (default: 7 days ago to the horizon's"
            " end), with registrations (role, attendance) and waitlists", "security": ADMIN,
            "parameters": [
                {"name": name, "in": "query", "required": False,
                 "schema": {"type": "string", "format": "date"},
                 "description": "inclusive studio date YYYY-MM-DD"}
                for name in ("from", "to")
            ],
            "responses": _responses(200, ws.Lessons, (400, 401)),
        }},
        "/admin/qr": {"get": {
            "summary": "The student's link as a QR code", "security": ADMIN,
            "parameters": [_student_id_param()],
            "responses": _responses(
                200, None, (400, 401, 404), {"image/svg+xml": {"schema": {"type": "string"}}}
            ),
        }},
    }
    key_header = {
        "name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$"},
        "description": "same key + same body → the first answer again; other body → 409",
    }
    for command in COMMANDS:
        paths[f"/admin/{command.name}"] = {"post": {
            "summary": command.model.__doc__ or command.name,
            "operationId": command.name,
            "security": ADMIN,
            "parameters": [key_header],
            "requestBody": _body(command.model),
            "responses": _responses(command.status, ANSWER_OF_COMMAND[command.name], COMMAND_ERRORS),
        }}
    paths["/admin/settings"]["get"] = {
        "summary": "The settings in force", "security": ADMIN,
        "responses": _responses(200, ts.SettingsView, (401,)),
    }
    return paths


def _components() -> dict:
    requests = [c.model for c in COMMANDS] + [ss.LessonChoice, ws.RegisterChoice]
    answers = [
        schemas.Error, schemas.Health, ws.StudentStatus, ws.Registration, ss.Cancelled,
        ts.Overview, ts.StudentLedger, ws.Lessons, *ANSWER_OF_COMMAND.values(),
        *DESK_ANSWERS,
    ]
    models = [(m, "validation") for m in requests] + [(m, "serialization") for m in set(answers)]
    _, top = models_json_schema(models, ref_template=REF)
    return top["$defs"]


def build_document() -> dict:
    """The OpenAPI 3.1 document of the whole HTTP contract."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tango Pass",
            "version": VERSION,
            "description": "Lesson passes for a dance teacher. Errors are "
            '{"error": CODE, "message": text}. Every GET also answers HEAD '
            "(same status and headers, no body).",
        },
        "paths": _paths(),
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "studentToken": {"type": "apiKey", "in": "query", "name": "t"},
                "adminBearer": {"type": "http", "scheme": "bearer"},
                "adminHeader": {"type": "apiKey", "in": "header", "name": "X-Admin-Token"},
            },
        },
    }


class OpenApiResource:
    def __init__(self) -> None:
        self.document = build_document()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document
