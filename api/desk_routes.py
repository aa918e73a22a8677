"""The teacher's desk: a student's page, renaming, archiving, one lot's extension,
settings and the monthly report. Resources parse, call one method, answer."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

import falcon

from tangopass.api import schemas
from tangopass.api import teacher_schemas as ts
from tangopass.api.context import Clock, Context, LazyExpiry, StudentLinks
from tangopass.api.edge import check_admin, single_param
from tangopass.api.errors import ApiError
from tangopass.ledger.errors import NotFoundError
from tangopass.ledger.instants import iso
from tangopass.projections.queries import Queries
from tangopass.projections.report import month_of, monthly_report, report_csv_rows

MONTH = re.compile(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")


# ----------------------------------------------------------- command runners


def rename_student(ctx: Context, p: ts.RenameStudent, now: datetime, claim: Any) -> dict:
    return ctx.ledger.rename_student(p.student_id, p.name, now, claim)


def archive_student(ctx: Context, p: ts.ArchiveStudent, now: datetime, claim: Any) -> dict:
    return ctx.ledger.archive_student(p.student_id, p.archived, now, claim)


def extend_lot(ctx: Context, p: ts.ExtendLot, now: datetime, claim: Any) -> dict:
    return ctx.ledger.extend_lot(p.lot_id, p.days, p.reason, now, claim)


def change_settings(ctx: Context, p: ts.ChangeSettings, now: datetime, claim: Any) -> dict:
    changes = {name: getattr(p, name) for name in p.model_fields_set}
    return ctx.ledger.change_settings(changes, now, claim)


def with_time_zone(ctx: Context, body: dict) -> dict:
    return {**body, "time_zone": ctx.settings.tz.key}


def check_validity_option(ctx: Context, p: Any) -> None:
    """400 before any 404: the validity must be one the studio offers."""
    months = getattr(p, "validity_months", None)
    if months is not None:
        ctx.ledger.settings_in_force().check_validity(months)  # InvalidTermsError: 400


def lot_student(ctx: Context, p: Any) -> int | None:
    """The student an extendLot names through its lot (404 for an unknown lot)."""
    lot_id = getattr(p, "lot_id", None)
    if lot_id is None:
        return getattr(p, "student_id", None)
    owner = ctx.queries.lot_owner(lot_id)
    if owner is None:
        raise NotFoundError(f"no lot with id {lot_id}")
    return owner


# ---------------------------------------------------------------- resources


def student_id_param(req: falcon.Request, queries: Queries) -> int:
    """``?student_id=N`` of a known student: 400 if malformed, 404 if unknown."""
    raw = single_param(req, "student_id")
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= schemas.ID_MAX:
        raise ApiError("VALIDATION_ERROR", "student_id: a positive whole number is required")
    student_id = int(raw)
    if not queries.student_exists(student_id):
        raise NotFoundError(f"no student with id {student_id}")
    return student_id


class StudentResource:
    """``GET /admin/student?student_id=N``: everything about one student."""

    def __init__(self, admin_token: str, queries: Queries, links: StudentLinks,
                 expiry: LazyExpiry, clock: Clock):
        self.admin_token, self.queries, self.links = admin_token, queries, links
        self.expiry, self.clock = expiry, clock

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.admin_token)
        student_id = student_id_param(req, self.queries)
        now = self.clock()
        self.expiry.settle_due(now, student_id)
        body = self.queries.student_page(student_id, iso(now))
        body["student"]["link"] = self.links.link(body["student"].pop("token"))
        resp.media = body


def settings_view(ctx: Context) -> dict:
    """The settings in force, as the projection holds them (defaults before any change)."""
    values = ctx.queries.settings_row() or ctx.ledger.default_settings().as_dict()
    return with_time_zone(ctx, values)


class ReportResource:
    """``GET /admin/report?month=YYYY-MM[&format=csv]`` (default: the current month)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.ctx.settings.admin_token)
        now = self.ctx.clock()
        tz = self.ctx.settings.tz
        month = single_param(req, "month") or month_of(now, tz)
        if not MONTH.match(month):
            raise ApiError("VALIDATION_ERROR", "month: YYYY-MM is required (years 2000-2100)")
        fmt = single_param(req, "format") or "json"
        if fmt not in ("json", "csv"):
            raise ApiError("VALIDATION_ERROR", "format: must be json or csv")
        self.ctx.settle_due(now)
        currency = settings_view(self.ctx)["currency"]
        with self.ctx.queries.snapshot() as cursor:
            report = monthly_report(cursor, month, tz, now, currency)
        if fmt == "json":
            resp.media = report
            return
        out = io.StringIO()
        csv.writer(out).writerows(report_csv_rows(report))
        resp.content_type = "text/csv; charset=utf-8"
        resp.downloadable_as = f"tangopass-report-{month}.csv"
        resp.text = out.getvalue()
