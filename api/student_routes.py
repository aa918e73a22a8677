"""The student's endpoints: the secret token rides in ``?t=``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import falcon

from tangopass.api.calendar_feed import calendar_for
from tangopass.api.context import Context
from tangopass.api.edge import parse_body
from tangopass.api.schemas import LessonChoice
from tangopass.ledger.instants import iso


class StatusResource:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.ctx.student_of(req)
        now = self.ctx.clock()
        self.ctx.settle_due(now, student_id)
        body = self.ctx.queries.status(student_id, iso(now))
        if "ledger" in req.params:
            wanted = req.params["ledger"]
            everything = "all" in wanted if isinstance(wanted, list) else wanted == "all"
            body["ledger"] = self.ctx.queries.ledger(student_id, everything)
        resp.media = body


class MoveResource:
    """POST /register and POST /cancel: one tap, optionally naming the lesson."""

    def __init__(self, ctx: Context, move: Callable[[int, int | None, datetime], dict]):
        self.ctx = ctx
        self.move = move

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.ctx.student_of(req)
        choice = parse_body(req, LessonChoice, required=False)
        resp.media = self.move(student_id, choice.lesson_id, self.ctx.clock())


class CalendarResource:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.ctx.student_of(req)
        lessons = self.ctx.queries.student_lessons(student_id)
        resp.content_type = "text/calendar; charset=utf-8"
        resp.set_header("Content-Disposition", 'attachment; filename="tango-lessons.ics"')
        resp.data = calendar_for(lessons, self.ctx.clock(), self.ctx.queries.installation_id())
