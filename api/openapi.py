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


def _operation(summary: str, security: list | None, responses: dict, **fields: Any) -> dict:
    """One operation object: its summary, security (if any), ``fields`` (``parameters``,
    ``requestBody``) and responses, in that order."""
    operation: dict[str, Any] = {"summary": summary}
    if security is not None:
        operation["security"] = security
    return {**operation, **fields, "responses": responses}


def _media(media_type: str, kind: str = "string") -> dict:
    """A non-JSON answer body: ``{media_type: {"schema": {"type": kind}}}``."""
    return {media_type: {"schema": {"type": kind}}}


def _json_or_csv(model: type[BaseModel], errors: tuple[int, ...]) -> dict:
    """Responses of a page that is also a spreadsheet download (``?format=csv``)."""
    return _responses(200, model, errors, {**_json(model), **_media("text/csv")})


def _flag(name: str, description: str) -> dict:
    """A query parameter whose presence is the value (``?all``, ``?archived``)."""
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True,
            "schema": {"type": "string"}, "description": description}


def _query(name: str, schema: dict, description: str) -> dict:
    """An optional query parameter with a value."""
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _format_param(description: str) -> dict:
    return _query("format", {"type": "string", "enum": ["json", "csv"], "default": "json"},
                  description)


def _student_id_param() -> dict:
    return {"name": "student_id", "in": "query", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": schemas.ID_MAX}}


LEDGER_PARAM = _flag(
    "ledger", "any value: the ledger from the newest OLDEST marker; 'all': everything"
)
MONTH_PARAM = _query(
    "month", {"type": "string", "pattern": "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"},
    "YYYY-MM (default: the current month)",
)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$"},
    "description": "same key + same body → the first answer again; other body → 409",
}


def _student_paths() -> dict:
    """What the student's link reaches (and the liveness probe)."""
    return {
        "/health": {"get": _operation("Liveness", None, _responses(200, schemas.Health, ()))},
        "/status": {"get": _operation(
            "The student's credits, lots and next lesson", TOKEN,
            _responses(200, ws.StudentStatus, (400, 401, 429, 503)), parameters=[LEDGER_PARAM],
        )},
        "/register": {"post": _operation(
            "Register for the next lesson (or lesson_id), or join its waitlist when"
            " it is full; idempotent", TOKEN,
            _responses(200, ws.Registration, STUDENT_POST_ERRORS),
            requestBody=_body(ws.RegisterChoice, required=False),
        )},
        "/cancel": {"post": _operation(
            "Cancel the registration; idempotent", TOKEN,
            _responses(200, ss.Cancelled, STUDENT_POST_ERRORS),
            requestBody=_body(ss.LessonChoice, required=False),
        )},
        "/calendar.ics": {"get": _operation(
            "The student's lessons as iCalendar", TOKEN,
            _responses(200, None, (401, 429), _media("text/calendar")),
        )},
        "/manifest.webmanifest": {"get": _operation(
            "The installed app's manifest for this student: start_url and id are"
            " their own link; never cached (private, no-store)", TOKEN,
            _responses(200, None, (401, 429), _media("application/manifest+json", "object")),
        )},
    }


def _desk_paths() -> dict:
    """The teacher's pages and downloads (GET)."""
    return {
        "/admin/list": {"get": _operation(
            "Students, the next lesson and open registrations", ADMIN,
            _responses(200, ts.Overview, (401,)),
            parameters=[_flag("archived", "present: only archived students")],
        )},
        "/admin/student": {"get": _operation(
            "One student: card, every lot, lessons, the whole ledger", ADMIN,
            _responses(200, ts.StudentPage, (400, 401, 404)), parameters=[_student_id_param()],
        )},
        "/admin/report": {"get": _operation(
            "The monthly report, counted in the studio time zone", ADMIN,
            _json_or_csv(ts.Report, (400, 401)),
            parameters=[MONTH_PARAM, _format_param("csv: figure,value rows as a spreadsheet download")],
        )},
        "/admin/ledger": {"get": _operation(
            "A student's ledger", ADMIN, _json_or_csv(ts.StudentLedger, (400, 401, 404)),
            parameters=[_student_id_param(), _flag("all", "present: the whole history"),
                        _format_param("csv: the same rows as a spreadsheet download")],
        )},
        "/admin/lessons": {"get": _operation(
            "Lessons from a date to a date (default: 7 days ago to the horizon's"
            " end), with registrations (role, attendance) and waitlists", ADMIN,
            _responses(200, ws.Lessons, (400, 401)),
            parameters=[_query(name, {"type": "string", "format": "date"},
                               "inclusive studio date YYYY-MM-DD") for name in ("from", "to")],
        )},
        "/admin/qr": {"get": _operation(
            "The student's link as a QR code", ADMIN,
            _responses(200, None, (400, 401, 404), _media("image/svg+xml")),
            parameters=[_student_id_param()],
        )},
    }


def _command_paths() -> dict:
    """One POST per command in ``COMMANDS``, and the settings' GET beside their POST."""
    paths: dict[str, Any] = {}
    for command in COMMANDS:
        paths[f"/admin/{command.name}"] = {"post": {
            "summary": command.model.__doc__ or command.name,
            "operationId": command.name,
            "security": ADMIN,
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": _body(command.model),
            "responses": _responses(command.status, ANSWER_OF_COMMAND[command.name], COMMAND_ERRORS),
        }}
    paths["/admin/settings"]["get"] = _operation(
        "The settings in force", ADMIN, _responses(200, ts.SettingsView, (401,))
    )
    return paths


def _paths() -> dict:
    return {**_student_paths(), **_desk_paths(), **_command_paths()}


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
