"""The teacher's week: lessons, series, capacity, walk-ins, closures, the lesson list.

Each ``run_*`` function turns a validated body into one application call; the
admin router wraps them as commands (auth, idempotency, 404 for unknown ids).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import falcon

from tangopass.api import week_schemas as ws
from tangopass.api.context import Clock, Context, LazySchedule
from tangopass.api.edge import check_admin, localize, single_param
from tangopass.ledger.limits import check_in_future as in_future
from tangopass.api.errors import ApiError
from tangopass.ledger.week import day_bounds
from tangopass.projections.queries import Queries
from tangopass.projections.week_queries import HORIZON


def today(tz: ZoneInfo, now: datetime) -> date:
    """The studio's date at ``now`` (``tz``: the studio time zone)."""
    return now.astimezone(tz).date()


def run_add_lesson(ctx: Context, p: ws.AddLesson, now: datetime, claim: Any) -> dict:
    starts_at = localize(p.starts_at, ctx.settings.tz)
    in_future("starts_at", starts_at, now)
    return ctx.ledger.add_lesson(
        starts_at, now, claim, title=p.title, capacity=p.capacity, role_balance=p.role_balance
    )


def run_set_next_lesson(ctx: Context, p: Any, now: datetime, claim: Any) -> dict:
    starts_at = localize(p.starts_at, ctx.settings.tz)
    in_future("starts_at", starts_at, now)
    return ctx.ledger.set_next_lesson(starts_at, now, claim)


def run_add_series(ctx: Context, p: ws.AddSeries, now: datetime, claim: Any) -> dict:
    if p.starts_on < today(ctx.settings.tz, now):
        raise ApiError("VALIDATION_ERROR", "starts_on: must not be in the past")
    return ctx.ledger.add_series(
        weekday=p.weekday, wall=p.time, starts_on=p.starts_on, ends_on=p.ends_on,
        title=p.title, capacity=p.capacity, role_balance=p.role_balance, now=now,
        idempotency=claim,
    )


def run_end_series(ctx: Context, p: ws.EndSeries, now: datetime, claim: Any) -> dict:
    last_on = p.last_on or today(ctx.settings.tz, now)
    return ctx.ledger.end_series(p.series_id, last_on, now, claim)


def run_set_capacity(ctx: Context, p: ws.SetCapacity, now: datetime, claim: Any) -> dict:
    return ctx.ledger.set_capacity(p.lesson_id, p.capacity, now, claim)


def run_register_student(ctx: Context, p: ws.RegisterStudent, now: datetime, claim: Any) -> dict:
    return ctx.ledger.register_student(p.student_id, p.lesson_id, p.role, now, claim)


def run_clear(ctx: Context, p: ws.ClearRegistrations, now: datetime, claim: Any) -> dict:
    return ctx.ledger.clear_registrations(p.lesson_id, now, claim, no_shows=p.no_shows)


def run_add_closure(ctx: Context, p: ws.AddClosure, now: datetime, claim: Any) -> dict:
    return ctx.ledger.add_closure(p.from_, p.to, p.reason, p.extend_passes, now, claim)


def _date_param(req: falcon.Request, name: str) -> date | None:
    raw = single_param(req, name)
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ApiError("VALIDATION_ERROR", f"{name}: a date YYYY-MM-DD is required") from None
    if len(raw) != 10 or not 2000 <= day.year <= 2100:
        raise ApiError("VALIDATION_ERROR", f"{name}: a date YYYY-MM-DD (2000-2100) is required")
    return day


class LessonsResource:
    """GET /admin/lessons[?from=DATE&to=DATE]: the week view, with who is in and who waits."""

    def __init__(self, admin_token: str, queries: Queries, schedule: LazySchedule,
                 clock: Clock, tz: ZoneInfo):
        self.admin_token, self.queries, self.schedule = admin_token, queries, schedule
        self.clock, self.tz = clock, tz

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        check_admin(req, self.admin_token)
        now = self.clock()
        self.schedule.make_due(now)
        from_on = _date_param(req, "from") or today(self.tz, now) - timedelta(days=7)
        to_on = _date_param(req, "to") or today(self.tz, now + HORIZON)
        if to_on < from_on:
            raise ApiError("VALIDATION_ERROR", "to: must be on or after from")
        if (to_on - from_on).days > 400:
            raise ApiError("VALIDATION_ERROR", "to: at most 400 days after from")
        start, end = day_bounds(from_on, to_on, self.tz)
        resp.media = {"lessons": self.queries.lessons_between(start, end)}
