"""The teacher's endpoints: an admin token, then one application call each."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import falcon
import segno
from pydantic import BaseModel

from tangopass.api import desk_routes as desk
from tangopass.api import teacher_schemas as ts
from tangopass.api import week_routes as week
from tangopass.api import week_schemas as ws
from tangopass.api.context import Clock, Context, LazyExpiry, LazySchedule, StudentLinks
from tangopass.api.edge import check_admin, localize, parse_body, single_param
from tangopass.api.errors import ApiError
from tangopass.ledger.errors import NotFoundError, StudentArchivedError
from tangopass.ledger.instants import iso
from tangopass.ledger.limits import check_not_in_future
from tangopass.projections.idempotency import IdempotencyClaim, request_hash
from tangopass.projections.queries import Queries

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")

Run = Callable[[Context, Any, datetime, IdempotencyClaim | None], dict]


@dataclass(frozen=True)
class Command:
    """One admin POST: its body model, success status, and the application call."""

    name: str
    model: type[BaseModel]
    status: int
    run: Run
    render: Callable[[Context, dict], dict] = lambda ctx, body: body
    # Refusals decided at the edge, in the contract's order: a 400 that needs the
    # settings (validity_months) before any 404; STUDENT_ARCHIVED before any other 409.
    validate: Callable[[Context, Any], None] = lambda ctx, payload: None
    refuse_archived: bool = False

    @property
    def body_required(self) -> bool:
        """A body whose fields are all optional (clearRegistrations) may be left out."""
        return any(f.is_required() for f in self.model.model_fields.values())


class CommandResource:
    def __init__(self, ctx: Context, command: Command):
        self.ctx = ctx
        self.command = command
        self.body_required = command.body_required  # fixed per command: decided once

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.ctx.settings.admin_token)
        self.ctx.make_due(self.ctx.clock())  # lazy, like expiry: series lessons now due
        payload = parse_body(req, self.command.model, required=self.body_required)
        self.command.validate(self.ctx, payload)
        claim = self._claim(req, payload)
        self._check_ids(payload)
        body = self.command.run(self.ctx, payload, self.ctx.clock(), claim)
        resp.status = self.command.status
        resp.media = self.command.render(self.ctx, body)

    def _claim(self, req: falcon.Request, payload: BaseModel) -> IdempotencyClaim | None:
        key = req.get_header("Idempotency-Key")
        if key is None:
            return None
        if not IDEMPOTENCY_KEY.match(key):
            raise ApiError("VALIDATION_ERROR", "Idempotency-Key must be 1-200 visible ASCII characters")
        return IdempotencyClaim(
            endpoint=self.command.name,
            key=key,
            request_hash=request_hash(payload.model_dump(mode="json")),
            status=self.command.status,
            created_at=iso(self.ctx.clock()),
            queries=self.ctx.queries,
        )

    def _check_ids(self, payload: BaseModel) -> None:
        # Unknown ids answer 404 before any 409 (including a reused Idempotency-Key).
        student_id = getattr(payload, "student_id", None)
        if student_id is not None and not self.ctx.queries.student_exists(student_id):
            raise NotFoundError(f"no student with id {student_id}")
        lesson_id = getattr(payload, "lesson_id", None)
        if lesson_id is not None and self.ctx.queries.lesson(lesson_id) is None:
            raise NotFoundError(f"no lesson with id {lesson_id}")
        named = desk.lot_student(self.ctx, payload)
        if self.command.refuse_archived and named and self.ctx.queries.student_archived(named):
            raise StudentArchivedError(f"student {named} is archived; unarchive first")


class SettingsResource(CommandResource):
    """``/admin/settings``: GET the settings in force, POST a change."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.ctx.settings.admin_token)
        resp.media = desk.settings_view(self.ctx)


def _card(ctx: Context, body: dict) -> dict:
    return {**body, "link": ctx.link(body["token"])}


def _add_purchase(ctx: Context, p: ts.AddPurchase, now: datetime, claim: Any) -> dict:
    purchased_at = None
    if p.purchased_at is not None:
        purchased_at = localize(p.purchased_at, ctx.settings.tz)
        check_not_in_future("purchased_at", purchased_at, now)  # 400 before an unknown id's 404
    return ctx.ledger.add_purchase(
        p.student_id, p.credits, p.validity_months, purchased_at, p.note, now, claim, p.price
    )


COMMANDS = [
    Command("addStudent", ts.AddStudent, 201,
            lambda ctx, p, now, claim: ctx.ledger.add_student(p.name, now, claim), _card),
    Command("addPurchase", ts.AddPurchase, 201, _add_purchase,
            validate=desk.check_validity_option, refuse_archived=True),
    Command("setNextLesson", ts.SetNextLesson, 201, week.run_set_next_lesson),
    Command("addLesson", ws.AddLesson, 201, week.run_add_lesson),
    Command("addSeries", ws.AddSeries, 201, week.run_add_series),
    Command("endSeries", ws.EndSeries, 200, week.run_end_series),
    Command("setCapacity", ws.SetCapacity, 200, week.run_set_capacity),
    Command("registerStudent", ws.RegisterStudent, 200, week.run_register_student,
            refuse_archived=True),
    Command("addClosure", ws.AddClosure, 200, week.run_add_closure),
    Command("cancelLesson", ts.CancelLesson, 200,
            lambda ctx, p, now, claim: ctx.ledger.cancel_lesson(p.lesson_id, now, claim)),
    Command("cancelRegistration", ts.CancelRegistration, 200,
            lambda ctx, p, now, claim: ctx.ledger.cancel_registration(
                p.student_id, p.lesson_id, now, claim)),
    Command("clearRegistrations", ws.ClearRegistrations, 200, week.run_clear),
    Command("extendValidity", ts.ExtendValidity, 200,
            lambda ctx, p, now, claim: ctx.ledger.extend_validity(p.days, now, claim)),
    Command("adjust", ts.Adjust, 200,
            lambda ctx, p, now, claim: ctx.ledger.adjust(
                p.student_id, p.delta, p.reason, p.validity_months, now, claim),
            refuse_archived=True),
    Command("rotateToken", ts.RotateToken, 200,
            lambda ctx, p, now, claim: ctx.ledger.rotate_token(p.student_id, now), _card),
    Command("renameStudent", ts.RenameStudent, 200, desk.rename_student, _card),
    Command("archiveStudent", ts.ArchiveStudent, 200, desk.archive_student),
    Command("extendLot", ts.ExtendLot, 200, desk.extend_lot, refuse_archived=True),
    Command("settings", ts.ChangeSettings, 200, desk.change_settings, desk.with_time_zone),
]
RESOURCE_OF_COMMAND = {"settings": SettingsResource}


class ListResource:
    """``GET /admin/list[?archived]``: students with their links, the next lesson, who is in."""

    def __init__(self, admin_token: str, queries: Queries, links: StudentLinks,
                 expiry: LazyExpiry, schedule: LazySchedule, clock: Clock):
        self.admin_token, self.queries, self.links = admin_token, queries, links
        self.expiry, self.schedule, self.clock = expiry, schedule, clock

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.admin_token)
        now = self.clock()
        self.expiry.settle_due(now)
        self.schedule.make_due(now)
        body = self.queries.overview(iso(now), archived="archived" in req.params)
        for student in body["students"]:
            student["link"] = self.links.link(student["token"])
        resp.media = body


class LedgerResource:
    """A student's ledger as JSON, or with ``format=csv`` as a spreadsheet download.

    The CSV has the same entries as the JSON answer (from the newest OLDEST
    marker; ``all`` for the whole history), with the columns of ``tangopass
    export`` (student name included) and formula-looking text cells neutralised.
    """

    FORMATS = ("json", "csv")

    def __init__(self, admin_token: str, queries: Queries, expiry: LazyExpiry, clock: Clock):
        self.admin_token, self.queries, self.expiry, self.clock = admin_token, queries, expiry, clock

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.admin_token)
        fmt = single_param(req, "format") or "json"
        if fmt not in self.FORMATS:
            raise ApiError("VALIDATION_ERROR", "format: must be json or csv")
        student_id = desk.student_id_param(req, self.queries)
        self.expiry.settle_due(self.clock(), student_id)
        everything = "all" in req.params
        if fmt == "csv":
            from tangopass.projections.export import csv_text, ledger_rows  # kept inside this class

            with self.queries.snapshot() as cursor:
                body = csv_text(ledger_rows(cursor, student_id, from_oldest_marker=not everything))
            resp.content_type = "text/csv; charset=utf-8"
            resp.downloadable_as = f"tangopass-ledger-student-{student_id}.csv"
            resp.text = body
            return
        resp.media = {
            "student_id": student_id,
            "ledger": self.queries.ledger(student_id, everything),
        }


class QrResource:
    """The student's link as a QR code (SVG), to show in class."""

    def __init__(self, admin_token: str, queries: Queries, links: StudentLinks):
        self.admin_token, self.queries, self.links = admin_token, queries, links

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.admin_token)
        student_id = desk.student_id_param(req, self.queries)
        card = self.queries.student_card(student_id)
        out = io.BytesIO()
        segno.make(self.links.link(card["token"]), error="m").save(
            out, kind="svg", scale=8, border=2, xmldecl=False, title="Student link"
        )
        resp.content_type = "image/svg+xml"
        resp.data = out.getvalue()


def add_routes(app: falcon.App, ctx: Context) -> None:
    for command in COMMANDS:
        resource = RESOURCE_OF_COMMAND.get(command.name, CommandResource)
        app.add_route(f"/admin/{command.name}", resource(ctx, command))
    token, queries, clock = ctx.settings.admin_token, ctx.queries, ctx.clock
    app.add_route("/admin/student",
                  desk.StudentResource(token, queries, ctx.links, ctx.expiry, clock))
    app.add_route("/admin/report", desk.ReportResource(ctx))
    app.add_route("/admin/list",
                  ListResource(token, queries, ctx.links, ctx.expiry, ctx.schedule, clock))
    app.add_route("/admin/ledger", LedgerResource(token, queries, ctx.expiry, clock))
    app.add_route("/admin/qr", QrResource(token, queries, ctx.links))
    app.add_route("/admin/lessons",
                  week.LessonsResource(token, queries, ctx.schedule, clock, ctx.settings.tz))
