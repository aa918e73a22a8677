"""The student's endpoints: the secret token rides in ``?t=``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import falcon

from tangopass.api.calendar_feed import calendar_for
from tangopass.api.context import LazyExpiry, LazySchedule, StudentGate
from tangopass.api.edge import parse_body
from tangopass.api.student_schemas import LessonChoice
from tangopass.api.week_schemas import RegisterChoice
from tangopass.ledger.application import TangoPass
from tangopass.ledger.instants import iso
from tangopass.projections.queries import Queries

Clock = Callable[[], datetime]


class StatusResource:
    """GET /status, plus the studio's IANA zone (``time_zone``): a lesson happens at the studio,
    so the page shows its times on the studio's wall clock, wherever the phone is."""

    def __init__(self, gate: StudentGate, expiry: LazyExpiry, reads: Queries, clock: Clock,
                 schedule: LazySchedule, time_zone: str):
        self.gate, self.expiry, self.reads, self.clock = gate, expiry, reads, clock
        self.schedule, self.time_zone = schedule, time_zone

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.gate.student_of(req)
        now = self.clock()
        self.expiry.settle_due(now, student_id)
        self.schedule.make_due(now)
        body = {**self.reads.status(student_id, iso(now)), "time_zone": self.time_zone}
        if "ledger" in req.params:
            wanted = req.params["ledger"]
            everything = "all" in wanted if isinstance(wanted, list) else wanted == "all"
            body["ledger"] = self.reads.ledger(student_id, everything)
        resp.media = body


class MoveResource:
    """POST /register and POST /cancel: one tap, optionally naming the lesson."""

    def __init__(self, gate: StudentGate, move: Callable[[int, int | None, datetime], dict],
                 clock: Clock, schedule: LazySchedule):
        self.gate, self.move, self.clock, self.schedule = gate, move, clock, schedule

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.gate.student_of(req)
        choice = parse_body(req, LessonChoice, required=False)
        now = self.clock()
        self.schedule.make_due(now)
        resp.media = self.move(student_id, choice.lesson_id, now)


class RegisterResource:
    """POST /register: one tap, naming the lesson (and, for partner dances, the role)."""

    def __init__(self, gate: StudentGate, schedule: LazySchedule, ledger: TangoPass, clock: Clock):
        self.gate, self.schedule, self.ledger, self.clock = gate, schedule, ledger, clock

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.gate.student_of(req)
        choice = parse_body(req, RegisterChoice, required=False)
        now = self.clock()
        self.schedule.make_due(now)
        resp.media = self.ledger.register(student_id, choice.lesson_id, now, choice.role)


class CalendarResource:
    def __init__(self, gate: StudentGate, reads: Queries, clock: Clock, schedule: LazySchedule):
        self.gate, self.reads, self.clock, self.schedule = gate, reads, clock, schedule

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        student_id = self.gate.student_of(req)
        self.schedule.make_due(self.clock())
        lessons = self.reads.student_lessons(student_id)
        resp.content_type = "text/calendar; charset=utf-8"
        resp.set_header("Content-Disposition", 'attachment; filename="tango-lessons.ics"')
        resp.data = calendar_for(lessons, self.clock(), self.reads.installation_id())
