"""A stateful property test of the credit ledger, through the HTTP contract only.

Hypothesis drives the real app (falcon.testing, no network) on a real SQLite file, with a
hand-moved clock and a studio time zone that has daylight saving (Europe/Madrid). Beside it
runs a tiny reference model written from CONTRACT.md alone (``tests/support/reference_model``,
shared with the fast service-level machine): lots, open registrations and lessons. Every answer is compared with the model, and after every
step the whole visible state is: ``/status?ledger=all`` (and the default ledger view) of every
student, ``/admin/ledger`` of one of them, and ``/admin/list``. The ledger is checked for its
own arithmetic, for being append-only, and entry by entry against what the model predicted
since the last check (in any order within a step: lazy expiry may run at any touch).

Part 2 grows the model with the studio's week: lessons with capacity and role balance, the
waitlist and its promotion walk (in the same command as the change that freed a place), the
teacher's walk-ins, attendance at clearing, weekly series made lazily within the 56-day
horizon, ending a series, and closures (with refunds and extensions). After every step it
also checks every lesson's roster and line (/admin/lessons) and every student's schedule
(/status "lessons"): a student's own registration or a promotion never takes a lesson over
its capacity or balance (only walk-ins may), spots_left is never below 0, and nobody both
waits for a lesson and holds a credit for it.

Where the contract leaves a choice open (which of two applicable 409s wins, how a local wall
time that does not exist or happens twice is resolved, when an OLDEST marker is written),
the test accepts every reading the contract allows and checks only what it fixes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from falcon import testing
from hypothesis import HealthCheck, event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from pytest_postgresql.janitor import DatabaseJanitor

from tangopass.api.app import create_app
from tangopass.api.settings import Settings
from tangopass.api.wiring import open_context
from tests.support.api import ADMIN_TOKEN, Api
from tests.support.clock import ManualClock
from tests.support.reference_model import (
    STARTS, TZ, Keyed, Lesson, Lot, ReferenceStudio, Reg, Series, Student, add_months, entry,
    instants_of, observed, parse_z, wall_of, z,
)
from tests.support.db import pg_url

KEY_KEPT = timedelta(days=30)  # "kept at least 30 days": replays are only tried inside it
PUBLIC_URL = "https://studio.test"
UNKNOWN_ID = 987_654
MAX_STUDENTS = 3
HORIZON = timedelta(days=56)
ROLES = [None, None, "leader", "follower"]

ENTRY_KEYS = {"id", "ts", "type", "delta_credits", "balance_after", "ref_lot_id",
              "ref_lesson_id", "ref_event_id", "note", "actor", "lesson_starts_at"}  # part 2
LOT_KEYS = ("id", "purchased_at", "expires_at", "validity_months", "credits_total",
            "credits_remaining")
STATUS_OF = {
    "VALIDATION_ERROR": 400, "NOT_FOUND": 404, "NO_CREDITS": 409, "REGISTRATION_CLOSED": 409,
    "NO_UPCOMING_LESSON": 409, "LESSON_NOT_STARTED": 409, "LESSON_CLEARED": 409,
    "IDEMPOTENCY_KEY_REUSED": 409, "CAPACITY_TOO_LOW": 409,
}


def refused(result, *codes: str) -> None:
    """The answer is one of the given refusals, in the contract's error shape."""
    assert result.status_code >= 400, \
        f"expected one of {codes}, got {result.status_code} {result.text}"
    body = result.json
    assert set(body) == {"error", "message"}, body
    assert body["error"] in codes, f"expected one of {codes}, got {body}"
    assert result.status_code == STATUS_OF[body["error"]], (result.status_code, body)
    assert isinstance(body["message"], str) and body["message"]


def subset(answer: dict, expected: dict) -> None:
    got = {k: answer.get(k, "<missing>") for k in expected}
    assert got == expected, f"answer {answer} does not match {expected}"


# -------------------------------------------------------------------------------- machine


class LedgerMachine(ReferenceStudio, RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="tangopass-prop-")
        self.ctx = None
        self.keyed: list[Keyed] = []
        self.series: dict[int, Series] = {}
        self.closed: list[tuple[str, str]] = []  # closures (from, to) as studio dates
        self.free_keys: dict[str, list[str]] = {}
        self.key_numbers = itertools.count(1)
        self.checks = itertools.count()

    @initialize(start=st.sampled_from(STARTS), lesson_in=st.integers(3 * 60, 3 * 1440),
                credits=st.lists(st.integers(0, 4), min_size=2, max_size=2),
                capacity=st.sampled_from([None, 1, 1, 2]), balance=st.sampled_from([None, None, 1]))
    def open_studio(self, start: datetime, lesson_in: int, credits: list[int], capacity,
                    balance) -> None:
        self.clock = ManualClock(start)
        app_settings = Settings(
            db_path=self.database(), admin_token=ADMIN_TOKEN,
            public_url=PUBLIC_URL, tz=TZ, window_hours=2,
        )
        self.ctx = open_context(app_settings, clock=self.clock)
        self.api = Api(testing.TestClient(create_app(self.ctx)))
        for name, n in zip(("Ana", "  Bea "), credits):
            s = self.new_student(name, None)
            if n:
                body = {"student_id": s.id, "credits": n, "validity_months": 1}
                self.record_purchase(s, body, self.now, self.api.admin("addPurchase", body))
        self.new_lesson(lesson_in, None, capacity, balance)

    def database(self) -> str:
        """A fresh database for this example (a SQLite file here)."""
        return os.path.join(self.tmp, "tangopass.db")

    def teardown(self) -> None:
        if self.ctx is not None:
            self.ctx.ledger.close()
            self.ctx.queries.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---------------------------------------------------------------- places (part 2)

    def count(self, lesson: Lesson) -> int:
        return sum(lesson.id in s.regs for s in self.students.values())

    def fits(self, lesson: Lesson, role: str | None) -> bool:
        """"Fewer registrations than its capacity and, with role balance, within K"."""
        if lesson.capacity is not None and self.count(lesson) >= lesson.capacity:
            return False
        if lesson.balance is None or role is None:
            return True
        roles = [s.regs[lesson.id].role for s in self.students.values() if lesson.id in s.regs]
        mine, theirs = (("leader", "follower") if role == "leader" else ("follower", "leader"))
        return roles.count(mine) + 1 - roles.count(theirs) <= lesson.balance

    def default_role(self, s: Student) -> str | None:
        """"The role of that student's previous registration"."""
        with_role = [(at, lesson_id, role) for lesson_id, (at, role) in s.roles.items() if role]
        return max(with_role)[2] if with_role else None

    def admit(self, s: Student, lesson: Lesson, role: str | None) -> Lot:
        lot = self.fifo(s)[0]
        lot.remaining -= 1
        s.regs[lesson.id] = Reg(lot.id, self.now, role)
        s.roles[lesson.id] = (self.now, role)
        s.expected.append(entry("REGISTER", -1, lot.id, lesson.id))
        lesson.line = [(sid, r) for sid, r in lesson.line if sid != s.id]
        return lot

    def promote(self, lesson: Lesson) -> None:
        """The contract's walk, while the window is open: no credit leaves the line, a
        registration that fits is made, anyone else keeps their place; until nobody moves."""
        if lesson.state != "open" or self.now >= lesson.closes_at:
            return
        moved = True
        while moved:
            moved = False
            for sid, role in list(lesson.line):
                s = self.students[sid]
                if not self.fifo(s):
                    lesson.line.remove((sid, role))
                elif self.fits(lesson, role):
                    event("promotion from the waitlist")
                    self.admit(s, lesson, role)
                    moved = True

    def local_date(self, moment: datetime) -> str:
        return wall_of(moment).date().isoformat()

    def is_closed(self, day: str) -> bool:
        return any(a <= day <= b for a, b in self.closed)

    def series_start(self, series: Series, day: date) -> datetime:
        hours, minutes = (int(x) for x in series.wall.split(":"))
        return datetime.combine(day, time(hours, minutes), tzinfo=TZ).astimezone(UTC)

    def make_series(self) -> list[Lesson]:
        """Lazy making: every weekly date whose start is within the horizon, once."""
        made = []
        for series in sorted(self.series.values(), key=lambda x: x.id):
            day, last = date.fromisoformat(series.next_on), series.last_on()
            while (last is None or day.isoformat() <= last) and \
                    self.series_start(series, day) < self.now + HORIZON:
                start = self.series_start(series, day)
                if start > self.now and not self.is_closed(day.isoformat()):
                    lesson = Lesson(max(self.lessons, default=0) + 1, start,
                                    capacity=series.capacity, series=series.id)
                    self.lessons[lesson.id] = lesson
                    made.append(lesson)
                day += timedelta(days=7)
            series.next_on = day.isoformat()
        return made

    def call_off(self, lesson: Lesson) -> tuple[int, int]:
        """A cancelled lesson: every credit back, the line emptied; (refunded, expired)."""
        refunded = expired = 0
        for s in self.students.values():
            if lesson.id in s.regs:
                expired += self.refund(s, lesson.id)
                refunded += 1
        lesson.state = "cancelled"
        lesson.line = []
        return refunded, expired

    # ---------------------------------------------------------------- helpers

    def pick_student(self, data, favoured: list[int] = ()) -> Student:
        """Any student; those in ``favoured`` (where the action can do something) more often."""
        ids = sorted(self.students) + sorted(favoured) * 2
        return self.students[data.draw(st.sampled_from(ids), label="student")]

    def admin(self, data, endpoint: str, body: dict):
        """An admin POST, sometimes with an Idempotency-Key (fresh, or one a refusal freed)."""
        mode = data.draw(st.sampled_from(["none", "none", "fresh", "freed"]), label="key")
        key = None
        if mode == "freed" and self.free_keys.get(endpoint):
            key = self.free_keys[endpoint].pop()
        elif mode != "none":
            key = f"k-{next(self.key_numbers)}"
        result = self.api.admin(endpoint, body, key=key)
        if key is not None:
            if result.status_code < 400:
                self.keyed.append(Keyed(endpoint, body, key, self.now,
                                        result.status_code, result.json))
            else:  # "Refused requests are not remembered, so a corrected retry may reuse it"
                self.free_keys.setdefault(endpoint, []).append(key)
        return result

    def status_lots(self, s: Student) -> dict[int, dict]:
        result = self.api.status(s.token)
        assert result.status_code == 200, result.text
        return {lot["id"]: lot for lot in result.json["lots"]}

    # ---------------------------------------------------------------- teacher rules

    @precondition(lambda self: len(self.students) < MAX_STUDENTS)
    @rule(data=st.data(), name=st.sampled_from(["Ana", "  Bea ", "Chloé", "Dolores\t"]))
    def add_student(self, data, name: str) -> None:
        self.new_student(name, data)

    def new_student(self, name: str, data) -> Student:
        body = {"name": name}
        result = self.api.admin("addStudent", body) if data is None else \
            self.admin(data, "addStudent", body)
        assert result.status_code == 201, result.text
        body = result.json
        assert body["name"] == name.strip()
        assert isinstance(body["token"], str) and len(body["token"]) >= 16
        assert body["link"] == f"{PUBLIC_URL}/?t={body['token']}"
        assert body["id"] not in self.students
        student = self.students[body["id"]] = Student(body["id"], body["name"], body["token"])
        return student

    @precondition(lambda self: self.students)
    @rule(data=st.data(), credits=st.integers(1, 5), months=st.sampled_from([1, 3]))
    def add_purchase(self, data, credits: int, months: int) -> None:
        self.settle()
        s = self.pick_student(data)
        now = self.now
        when = data.draw(st.sampled_from(["absent", "now", "back", "wall", "skew", "tie",
                                          "ending", "ending"]), label="purchased_at")
        if when == "absent":
            purchased = now
        elif when == "now":
            purchased = now
        elif when == "back":
            purchased = now - timedelta(seconds=data.draw(st.integers(1, 100 * 86400)))
        elif when == "wall":  # a local wall time on a recent day: midnight, 02:30, ...
            days = data.draw(st.integers(0, 100), label="days back")
            hms = data.draw(st.sampled_from([(0, 0, 0), (2, 30, 0), (1, 59, 59), (3, 0, 0),
                                             (12, 0, 0), (23, 59, 59)]), label="wall time")
            wall = datetime.combine(wall_of(now).date() - timedelta(days=days),
                                    datetime.min.time()).replace(hour=hms[0], minute=hms[1],
                                                                 second=hms[2])
            purchased = min(instants_of(wall))
            if purchased > now:
                purchased = now - timedelta(hours=1)
        elif when == "ending":  # bought a validity ago, give or take: expires very soon
            closing = [l.closes_at for l in self.lessons.values()
                       if l.state == "open" and l.closes_at - now > timedelta(minutes=2)]
            horizon = 4 * 1440
            if closing and data.draw(st.booleans(), label="before a window closes"):
                horizon = int((data.draw(st.sampled_from(sorted(closing))) - now).total_seconds()
                              // 60) - 1  # a registration made now can outlive its lot
            soon = now + timedelta(minutes=data.draw(st.integers(1, horizon), label="expiring in"))
            purchased = min(instants_of(add_months(wall_of(soon), -months)))
            if purchased > now:
                purchased = now
        elif when == "skew":  # "not in the future" allows 60 seconds of clock skew
            purchased = now + timedelta(seconds=data.draw(st.integers(1, 60)))
        else:  # the same purchased_at as another lot: ties go to the lower lot id
            others = sorted(l.purchased_at for l in s.lots.values())
            purchased = data.draw(st.sampled_from(others)) if others else now
        body = {"student_id": s.id, "credits": credits, "validity_months": months}
        if when != "absent":
            form = data.draw(st.sampled_from(["Z", "offset", "naive"]), label="format")
            if form == "offset":
                offset = data.draw(st.sampled_from([timedelta(hours=5, minutes=30),
                                                    timedelta(hours=-3)]))
                body["purchased_at"] = purchased.astimezone(timezone(offset)).isoformat()
            elif form == "naive" and instants_of(wall_of(purchased)) == {purchased}:
                body["purchased_at"] = wall_of(purchased).isoformat()  # read in the studio zone
            else:
                body["purchased_at"] = z(purchased)
        if data.draw(st.booleans(), label="note"):
            body["note"] = "cash"

        result = self.admin(data, "addPurchase", body)
        self.record_purchase(s, body, purchased, result)

    def record_purchase(self, s: Student, body: dict, purchased: datetime, result) -> None:
        credits, months = body["credits"], body["validity_months"]
        assert result.status_code == 201, f"{body}: {result.text}"
        answer = result.json["lot"]
        wall = add_months(wall_of(purchased), months)
        lot = Lot(answer["id"], purchased, purchased, wall, months, credits, credits)
        assert all(lot.id not in other.lots for other in self.students.values())
        self.adopt_expiry(lot, answer["expires_at"], instants_of(wall))
        expected = lot.json()
        if lot.expired(self.now):  # bought so long ago that it is already over
            event("purchase already expired when recorded")
            assert answer["credits_remaining"] in (credits, 0), answer
            expected["credits_remaining"] = answer["credits_remaining"]
        subset(answer, expected)
        s.lots[lot.id] = lot
        s.expected.append(entry("PURCHASE", credits, lot.id))
        self.settle()
        assert result.json["credits_available"] == self.balance(s), result.json

    @precondition(lambda self: len(self.lessons) < 16 and sum(
        l.state == "open" and l.starts_at > self.now for l in self.lessons.values()) < 4)
    @rule(data=st.data(), minutes=st.one_of(st.integers(10, 240), st.integers(241, 14 * 1440)),
          capacity=st.sampled_from([None, None, 1, 2]), balance=st.sampled_from([None, None, 1]))
    def set_next_lesson(self, data, minutes: int, capacity, balance) -> None:
        self.new_lesson(minutes, data, capacity, balance)

    def new_lesson(self, minutes: int, data, capacity=None, balance=None) -> None:
        starts = self.now + timedelta(minutes=minutes)
        taken = {l.starts_at for l in self.lessons.values()}
        while starts in taken:  # keep "the earliest" unambiguous
            starts += timedelta(minutes=1)
        body = {"starts_at": z(starts)}
        endpoint = "setNextLesson"
        if capacity is not None or balance is not None:
            endpoint = "addLesson"
            body.update({k: v for k, v in (("capacity", capacity), ("role_balance", balance)) if v})
        result = self.api.admin(endpoint, body) if data is None else \
            self.admin(data, endpoint, body)
        assert result.status_code == 201, result.text
        answer = result.json["lesson"]
        assert answer["id"] not in self.lessons
        lesson = Lesson(answer["id"], starts, capacity=capacity, balance=balance)
        subset(answer, {**lesson.json(), "capacity": capacity, "role_balance": balance,
                        "registered_count": 0, "waitlist_count": 0, "status": "scheduled"})
        self.lessons[lesson.id] = lesson

    @precondition(lambda self: self.lessons)
    @rule(data=st.data())
    def cancel_lesson(self, data) -> None:
        self.settle()
        lesson_id = data.draw(st.sampled_from(sorted(self.lessons) + [UNKNOWN_ID]))
        result = self.admin(data, "cancelLesson", {"lesson_id": lesson_id})
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return refused(result, "NOT_FOUND")
        if lesson.state == "cleared":
            return refused(result, "LESSON_CLEARED")
        if lesson.state == "cancelled":  # "cancelling an already cancelled lesson is 409"
            return refused(result, "LESSON_CLEARED")
        refunded, expired = self.call_off(lesson)
        assert result.status_code == 200, result.text
        subset(result.json, {"lesson_id": lesson_id, "refunded": refunded,
                             "expired_on_return": expired})

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def cancel_registration(self, data) -> None:
        self.settle()
        s = self.pick_student(data, [s.id for s in self.students.values() if s.regs])
        student_id = data.draw(st.sampled_from([s.id, s.id, s.id, UNKNOWN_ID]))
        choice = data.draw(st.sampled_from(["next"] + sorted(self.lessons) + sorted(s.regs) * 2
                                           + [UNKNOWN_ID]))
        body = {"student_id": student_id}
        if choice != "next":
            body["lesson_id"] = choice
        result = self.admin(data, "cancelRegistration", body)
        if student_id == UNKNOWN_ID or choice == UNKNOWN_ID:
            return refused(result, "NOT_FOUND")
        lesson = self.next_lesson() if choice == "next" else self.lessons[choice]
        not_cancelled = {"cancelled": False, "credits_available": self.balance(s),
                         "expired_on_return": 0}
        if lesson is None:  # the contract names no refusal here: 409 or a no-op
            if result.status_code >= 400:
                return refused(result, "NO_UPCOMING_LESSON")
            return subset(result.json, not_cancelled)
        if lesson.state != "open":  # "allowed ... until the lesson is cleared"
            if lesson.id in s.cleared or result.status_code >= 400:
                return refused(result, "LESSON_CLEARED")
            return subset(result.json, not_cancelled)
        if lesson.waiting(s.id) is not None:  # "also removes a waitlisted student"
            lesson.line = [(sid, r) for sid, r in lesson.line if sid != s.id]
            assert result.status_code == 200, result.text
            return subset(result.json, {"cancelled": True, "credits_available": self.balance(s)})
        if lesson.id not in s.regs:
            assert result.status_code == 200, result.text
            return subset(result.json, not_cancelled)
        expired = self.refund(s, lesson.id)  # allowed after the window too
        self.promote(lesson)
        assert result.status_code == 200, result.text
        subset(result.json, {"cancelled": True, "credits_available": self.balance(s),
                             "expired_on_return": expired})

    @precondition(lambda self: self.lessons)
    @rule(data=st.data())
    def clear_registrations(self, data) -> None:
        self.settle()
        now = self.now
        choice = data.draw(st.sampled_from(["latest"] + sorted(self.lessons) + [UNKNOWN_ID]))
        body = {} if choice == "latest" else {"lesson_id": choice}
        absent = []
        if choice in self.lessons:  # registered students who did not come
            registered = sorted(s.id for s in self.students.values() if choice in s.regs)
            absent = data.draw(st.lists(st.sampled_from(registered), unique=True)
                               if registered else st.just([]), label="no_shows")
            if absent or data.draw(st.booleans(), label="empty no_shows"):
                body["no_shows"] = absent
        result = self.admin(data, "clearRegistrations", body)
        if choice == UNKNOWN_ID:
            return refused(result, "NOT_FOUND")
        if choice == "latest":
            begun = [l for l in self.lessons.values() if l.state == "open" and l.starts_at <= now]
            lesson = max(begun, key=lambda l: l.starts_at, default=None)
            # "the latest lesson that has begun and is not cleared": a cancelled one may count.
            cancelled = [l for l in self.lessons.values()
                         if l.state == "cancelled" and l.starts_at <= now
                         and (lesson is None or l.starts_at > lesson.starts_at)]
            if result.status_code >= 400 and cancelled:  # it picked the cancelled lesson
                return refused(result, "LESSON_CLEARED",
                               *(["LESSON_NOT_STARTED"] if lesson is None else []))
            if lesson is None:
                return refused(result, "LESSON_NOT_STARTED")
        else:
            lesson = self.lessons[choice]
            if lesson.state != "open":
                return refused(result, "LESSON_CLEARED",
                               *(["LESSON_NOT_STARTED"] if lesson.starts_at > now else []))
            if lesson.starts_at > now:
                return refused(result, "LESSON_NOT_STARTED")
        cleared = 0
        for s in self.students.values():
            if lesson.id in s.regs:
                s.cleared[lesson.id] = s.regs.pop(lesson.id)
                cleared += 1
        lesson.state = "cleared"
        lesson.line = []
        assert result.status_code == 200, result.text
        subset(result.json, {"lesson_id": lesson.id, "cleared": cleared,
                             "attended": cleared - len(absent), "no_shows": len(absent)})

    @precondition(lambda self: self.students)
    @rule(data=st.data(), days=st.integers(1, 30))
    def extend_validity(self, data, days: int) -> None:
        self.settle()
        moved = self.movable(days)
        result = self.admin(data, "extendValidity", {"days": days})
        assert result.status_code == 200, result.text
        subset(result.json, {"extended_lots": len(moved)})
        shown = {s.id: self.status_lots(s) for s in {s.id: s for s, _, _ in moved}.values()}
        for s, lot, candidates in moved:
            lot.wall += timedelta(days=days)
            assert lot.id in shown[s.id], f"extended lot {lot.id} vanished from /status"
            self.adopt_expiry(lot, shown[s.id][lot.id]["expires_at"], candidates)
            s.expected.append(entry("EXTEND", 0, lot.id))

    @precondition(lambda self: self.students)
    @rule(data=st.data(), size=st.integers(1, 5), positive=st.booleans())
    def adjust(self, data, size: int, positive: bool) -> None:
        self.settle()
        s = self.pick_student(data)
        if not positive and data.draw(st.booleans(), label="overdraw"):
            size = self.balance(s) + size  # never below 0
        student_id = data.draw(st.sampled_from([s.id, s.id, s.id, UNKNOWN_ID]))
        body = {"student_id": student_id, "delta": size if positive else -size,
                "reason": "correction"}
        months = data.draw(st.sampled_from([None, 1, 3])) if positive else None
        if months is not None:
            body["validity_months"] = months
        result = self.admin(data, "adjust", body)
        if student_id == UNKNOWN_ID:
            return refused(result, "NOT_FOUND")
        if positive:
            assert result.status_code == 200, result.text
            lots = self.status_lots(s)
            fresh = [lot for lot in lots.values() if lot["id"] not in s.lots]
            assert len(fresh) == 1, f"a positive ADJUST makes exactly one new lot: {lots}"
            wall = add_months(wall_of(self.now), months or 1)
            lot = Lot(fresh[0]["id"], self.now, self.now, wall, months or 1, size, size)
            self.adopt_expiry(lot, fresh[0]["expires_at"], instants_of(wall))
            subset(fresh[0], lot.json())
            s.lots[lot.id] = lot
            s.expected.append(entry("ADJUST", size, lot.id))
        elif size > self.balance(s):
            return refused(result, "NO_CREDITS")
        else:
            assert result.status_code == 200, result.text
            need = size
            for lot in self.fifo(s):  # "− takes credits FIFO"
                take = min(need, lot.remaining)
                lot.remaining -= take
                s.taken.append((lot.id, take))
                need -= take
                if need == 0:
                    break
        subset(result.json, {"credits_available": self.balance(s)})

    # ---------------------------------------------------------------- the week (part 2)

    def open_lessons(self) -> list[int]:
        return sorted(i for i, l in self.lessons.items() if l.state == "open")

    @precondition(lambda self: self.lessons)
    @rule(data=st.data(), capacity=st.sampled_from([None, 1, 2, 3]))
    def set_capacity(self, data, capacity) -> None:
        self.settle()
        lesson_id = data.draw(st.sampled_from(self.open_lessons() * 2 + sorted(self.lessons)
                                              + [UNKNOWN_ID]), label="lesson")
        result = self.admin(data, "setCapacity", {"lesson_id": lesson_id, "capacity": capacity})
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return refused(result, "NOT_FOUND")
        if lesson.state != "open":
            return refused(result, "LESSON_CLEARED")
        if capacity is not None and capacity < self.count(lesson):
            return refused(result, "CAPACITY_TOO_LOW")
        lesson.capacity = capacity
        self.promote(lesson)  # "raising it promotes from the waitlist"
        assert result.status_code == 200, result.text
        subset(result.json["lesson"], {"id": lesson.id, "capacity": capacity,
                                       "registered_count": self.count(lesson),
                                       "waitlist_count": len(lesson.line)})

    @precondition(lambda self: self.students and self.lessons)
    @rule(data=st.data(), role=st.sampled_from(ROLES))
    def register_student(self, data, role) -> None:
        """The teacher's override: after the window, after the start, over capacity."""
        self.settle()
        s = self.pick_student(data, [s.id for s in self.students.values() if self.fifo(s)])
        choice = data.draw(st.sampled_from(["next"] + self.open_lessons() * 2 + [UNKNOWN_ID]),
                           label="lesson")
        body = {"student_id": s.id, **({"role": role} if role else {})}
        if choice != "next":
            body["lesson_id"] = choice
        result = self.admin(data, "registerStudent", body)
        if choice == UNKNOWN_ID:
            return refused(result, "NOT_FOUND")
        lesson = self.next_lesson() if choice == "next" else self.lessons[choice]
        if lesson is None:
            return refused(result, "NO_UPCOMING_LESSON")
        if lesson.state != "open":
            return refused(result, "LESSON_CLEARED")
        if lesson.id in s.regs:
            assert result.status_code == 200, result.text
            return subset(result.json, {"registered": True, "lesson_id": lesson.id,
                                        "consumed_lot_id": s.regs[lesson.id].lot_id,
                                        "credits_available": self.balance(s)})
        if not self.fifo(s):
            return refused(result, "NO_CREDITS")
        waiting = dict(lesson.line).get(s.id) if lesson.waiting(s.id) else None
        if not self.fits(lesson, role or waiting or self.default_role(s)):
            event("walk-in over capacity or balance")
            lesson.walk_ins = True
        lot = self.admit(s, lesson, role or waiting or self.default_role(s))
        self.promote(lesson)
        assert result.status_code == 200, result.text
        subset(result.json, {"registered": True, "lesson_id": lesson.id, "consumed_lot_id": lot.id,
                             "credits_available": self.balance(s)})

    @precondition(lambda self: len(self.series) < 2 and len(self.lessons) < 20)
    @rule(data=st.data(), weekday=st.integers(1, 7), wall=st.sampled_from(["19:00", "00:30"]),
          later=st.integers(0, 10), capacity=st.sampled_from([None, 1, 2]))
    def add_series(self, data, weekday, wall, later, capacity) -> None:
        self.settle()
        starts_on = (wall_of(self.now).date() + timedelta(days=later)).isoformat()
        body = {"weekday": weekday, "time": wall, "starts_on": starts_on}
        if capacity:
            body["capacity"] = capacity
        if data.draw(st.booleans(), label="ends"):
            body["ends_on"] = (date.fromisoformat(starts_on)
                               + timedelta(days=data.draw(st.integers(0, 40)))).isoformat()
        result = self.admin(data, "addSeries", body)
        assert result.status_code == 201, result.text
        first = date.fromisoformat(starts_on)
        first += timedelta(days=(weekday - first.isoweekday()) % 7)
        series = Series(result.json["series"]["id"], weekday, wall, starts_on,
                        body.get("ends_on"), capacity=capacity, next_on=first.isoformat())
        assert series.id not in self.series
        self.series[series.id] = series
        made = self.make_series()
        assert [(x["id"], x["starts_at"], x["series_id"], x["capacity"]) for x in result.json["lessons"]] \
            == [(l.id, z(l.starts_at), series.id, capacity) for l in made]
        event(f"series made {min(len(made), 8)} lessons")

    @precondition(lambda self: self.series)
    @rule(data=st.data(), days=st.integers(-3, 30))
    def end_series(self, data, days) -> None:
        self.settle()
        series = self.series[data.draw(st.sampled_from(sorted(self.series)), label="series")]
        last_on = (wall_of(self.now).date() + timedelta(days=days)).isoformat()
        result = self.admin(data, "endSeries", {"series_id": series.id, "last_on": last_on})
        series.ended_on = last_on if series.ended_on is None else min(series.ended_on, last_on)
        refunded = expired = cancelled = 0
        for lesson in sorted(self.lessons.values(), key=lambda l: l.id):
            if lesson.series == series.id and lesson.state == "open" \
                    and self.local_date(lesson.starts_at) > last_on:
                r, e = self.call_off(lesson)
                refunded, expired, cancelled = refunded + r, expired + e, cancelled + 1
        assert result.status_code == 200, result.text
        subset(result.json, {"series_id": series.id, "cancelled": cancelled,
                             "refunded": refunded, "expired_on_return": expired})

    @precondition(lambda self: len(self.closed) < 3)
    @rule(data=st.data(), start=st.integers(-3, 20), length=st.integers(0, 6), extend=st.booleans())
    def add_closure(self, data, start, length, extend) -> None:
        self.settle()
        first = wall_of(self.now).date() + timedelta(days=start)
        span = (first.isoformat(), (first + timedelta(days=length)).isoformat())
        body = {"from": span[0], "to": span[1], "reason": "Closed", "extend_passes": extend}
        moved = []
        refunded = expired = cancelled = 0
        for lesson in sorted(self.lessons.values(), key=lambda l: l.id):
            if lesson.state == "open" and span[0] <= self.local_date(lesson.starts_at) <= span[1]:
                r, e = self.call_off(lesson)
                refunded, expired, cancelled = refunded + r, expired + e, cancelled + 1
        if extend:  # refunds included: lots that got a credit back now have one to extend
            moved = self.movable(length + 1)
        result = self.admin(data, "addClosure", body)
        self.closed.append(span)
        assert result.status_code == 200, result.text
        subset(result.json, {"cancelled_lessons": cancelled, "refunded": refunded,
                             "expired_on_return": expired, "extended_lots": len(moved)})
        assert result.json["closure"] == {"id": len(self.closed), "from": span[0], "to": span[1],
                                          "reason": "Closed"}
        self.adopt_moves(moved, length + 1)

    def movable(self, days: int) -> list[tuple[Student, Lot, set[datetime]]]:
        """Every lot not expired now that still has credits, with where it may move to."""
        moved = []
        for s in self.students.values():
            for lot in s.lots.values():
                if not lot.expired(self.now) and lot.remaining > 0:
                    candidates = (instants_of(lot.wall + timedelta(days=days))
                                  | instants_of(wall_of(lot.expires_at) + timedelta(days=days)))
                    moved.append((s, lot, candidates))
        return moved

    def adopt_moves(self, moved: list, days: int) -> None:
        shown = {s.id: self.status_lots(s) for s in {s.id: s for s, _, _ in moved}.values()}
        for s, lot, candidates in moved:
            lot.wall += timedelta(days=days)
            assert lot.id in shown[s.id], f"extended lot {lot.id} vanished from /status"
            self.adopt_expiry(lot, shown[s.id][lot.id]["expires_at"], candidates)
            s.expected.append(entry("EXTEND", 0, lot.id))

    # ---------------------------------------------------------------- student rules

    def target(self, data, favoured: list[int]) -> tuple[int | None, Lesson | None, dict | None]:
        """(asked lesson id, the lesson meant, request body) for /register and /cancel."""
        choice = data.draw(st.sampled_from(["next"] * 3 + sorted(favoured) * 3
                                           + sorted(self.lessons) + [UNKNOWN_ID]), label="lesson")
        if choice == "next":
            return None, self.next_lesson(), None
        return choice, self.lessons.get(choice), {"lesson_id": choice}

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def register(self, data) -> None:
        self.settle()
        s = self.pick_student(data, [s.id for s in self.students.values() if self.fifo(s)])
        asked, lesson, body = self.target(data, [
            i for i, l in self.lessons.items() if l.state == "open" and self.now < l.closes_at])
        role = data.draw(st.sampled_from(ROLES), label="role")
        if role:
            body = {**(body or {}), "role": role}
        result = self.api.register(s.token, body)
        if asked is not None and lesson is None:
            return refused(result, "NOT_FOUND")
        if lesson is None:
            return refused(result, "NO_UPCOMING_LESSON")
        closed = self.now >= lesson.closes_at
        if lesson.state != "open":
            reg = s.cleared.get(lesson.id)
            if result.status_code < 400 and reg is not None:  # "answers the same"
                return subset(result.json, {"registered": True, "lesson_id": lesson.id,
                                            "consumed_lot_id": reg.lot_id,
                                            "credits_available": self.balance(s)})
            return refused(result, "LESSON_CLEARED", *(["REGISTRATION_CLOSED"] if closed else []))
        if lesson.id in s.regs:  # idempotent, even after the window closed
            event("register: again, idempotent")
            assert result.status_code == 200, result.text
            return subset(result.json, {"registered": True, "lesson_id": lesson.id,
                                        "consumed_lot_id": s.regs[lesson.id].lot_id,
                                        "credits_available": self.balance(s)})
        place = lesson.waiting(s.id)
        if place is not None:  # "registering again while waitlisted answers the same"
            assert result.status_code == 200, result.text
            return subset(result.json, {"registered": False, "waitlisted": True,
                                        "lesson_id": lesson.id, "position": place,
                                        "credits_available": self.balance(s)})
        if closed:
            if self.now == lesson.closes_at:
                event("register at the very second the window closes")
            return refused(result, "REGISTRATION_CLOSED")
        usable = self.fifo(s)
        if not usable:
            return refused(result, "NO_CREDITS")
        role = role or self.default_role(s)
        if not self.fits(lesson, role):  # waitlisted, no credit taken
            event("register: waitlisted")
            lesson.line.append((s.id, role))
            assert result.status_code == 200, result.text
            return subset(result.json, {"registered": False, "waitlisted": True,
                                        "lesson_id": lesson.id, "position": len(lesson.line),
                                        "credits_available": self.balance(s)})
        lot = usable[0]
        if len(usable) > 1 and usable[1].purchased_at == lot.purchased_at:
            event("register: FIFO tie on purchased_at")
        if any(l.expires_at == self.now for l in s.lots.values()):
            event("register at the very second a lot expires")
        if any(l.id < lot.id for l in usable[1:]):
            event("register: back-dated lot bought later goes first")
        assert self.admit(s, lesson, role) is lot
        self.promote(lesson)  # a follower may let a waiting leader in
        event("register: credit consumed")
        assert result.status_code == 200, result.text
        subset(result.json, {"registered": True, "lesson_id": lesson.id,
                             "consumed_lot_id": lot.id, "credits_available": self.balance(s)})

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        self.settle()
        s = self.pick_student(data, [s.id for s in self.students.values() if s.regs])
        asked, lesson, body = self.target(data, list(s.regs))
        result = self.api.cancel(s.token, body)
        if asked is not None and lesson is None:
            return refused(result, "NOT_FOUND")
        if lesson is None:
            return refused(result, "NO_UPCOMING_LESSON")
        noop = {"registered": False, "lesson_id": lesson.id, "credits_available": self.balance(s),
                "expired_on_return": 0}
        if lesson.state != "open":
            # Attended (cleared) or refunded (cancelled): the credit must not come back, and
            # the contract's LESSON_CLEARED covers "changing registrations of a lesson
            # already cleared or cancelled" (the same answer the teacher's cancel gets).
            return refused(result, "LESSON_CLEARED")
        if lesson.waiting(s.id) is not None:  # leaves the line until the lesson starts
            if self.now >= lesson.starts_at:
                return refused(result, "REGISTRATION_CLOSED")
            lesson.line = [(sid, r) for sid, r in lesson.line if sid != s.id]
            assert result.status_code == 200, result.text
            return subset(result.json, {**noop, "waitlisted": False})
        if lesson.id not in s.regs:  # the no-op 200, even after the window
            assert result.status_code == 200, result.text
            return subset(result.json, noop)
        if self.now >= lesson.closes_at:
            return refused(result, "REGISTRATION_CLOSED")
        expired = self.refund(s, lesson.id)
        self.promote(lesson)
        event("cancel: credit given back")
        assert result.status_code == 200, result.text
        subset(result.json, {"registered": False, "lesson_id": lesson.id,
                             "credits_available": self.balance(s), "expired_on_return": expired})

    # ---------------------------------------------------------------- time

    @rule(data=st.data())
    def jump(self, data) -> None:
        """Forward only: minutes, hours, weeks, or exactly onto an instant the rules care about."""
        now = self.now
        second = timedelta(seconds=1)
        expiries = sorted({t for s in self.students.values() for lot in s.lots.values()
                           for t in (lot.expires_at, lot.expires_at - second) if t > now})
        windows = sorted({t for lesson in self.lessons.values() if lesson.state == "open"
                          for t in (lesson.closes_at, lesson.closes_at - second, lesson.starts_at)
                          if t > now})
        # lots that back an open registration: once expired, a refund must expire at once
        backing = sorted({s.lots[reg.lot_id].expires_at for s in self.students.values()
                          for reg in s.regs.values() if s.lots[reg.lot_id].expires_at > now})
        kinds = ["minutes", "minutes", "hours", "days"]
        kinds += ["expiry"] * 2 if expiries else []
        kinds += ["backing"] * 3 if backing else []
        kinds += ["window"] * 3 if windows else []
        kind = data.draw(st.sampled_from(kinds), label="jump")
        if kind == "minutes":
            moment = now + timedelta(minutes=data.draw(st.integers(1, 180)))
        elif kind == "hours":
            moment = now + timedelta(minutes=data.draw(st.integers(181, 4 * 1440)))
        elif kind == "days":
            moment = now + timedelta(minutes=data.draw(st.integers(4 * 1440, 60 * 1440)))
        else:
            moment = data.draw(st.sampled_from(
                {"expiry": expiries, "backing": backing, "window": windows}[kind]), label="instant")
        self.clock.set(moment)

    # ---------------------------------------------------------------- refusals, keys

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def invalid_request(self, data) -> None:
        """Refused requests change nothing (the ledger check below sees no new entry)."""
        self.settle()
        s = self.pick_student(data)
        future = z(self.now + timedelta(seconds=data.draw(st.integers(61, 3600))))
        past = z(self.now - timedelta(seconds=data.draw(st.integers(120, 86400))))
        buy = {"student_id": s.id, "credits": 1, "validity_months": 1}
        endpoint, body, code = data.draw(st.sampled_from([
            ("addPurchase", {**buy, "credits": 0}, "VALIDATION_ERROR"),
            ("addPurchase", {**buy, "credits": 101}, "VALIDATION_ERROR"),
            ("addPurchase", {**buy, "validity_months": 2}, "VALIDATION_ERROR"),
            ("addPurchase", {**buy, "purchased_at": future}, "VALIDATION_ERROR"),
            ("addPurchase", {**buy, "colour": "red"}, "VALIDATION_ERROR"),
            ("addPurchase", {**buy, "student_id": UNKNOWN_ID}, "NOT_FOUND"),
            ("addPurchase", {**buy, "student_id": UNKNOWN_ID, "credits": 0}, "VALIDATION_ERROR"),
            ("setNextLesson", {"starts_at": past}, "VALIDATION_ERROR"),
            ("extendValidity", {"days": 0}, "VALIDATION_ERROR"),
            ("extendValidity", {"days": 367}, "VALIDATION_ERROR"),
            ("adjust", {"student_id": s.id, "delta": 0, "reason": "x"}, "VALIDATION_ERROR"),
            ("adjust", {"student_id": s.id, "delta": 1}, "VALIDATION_ERROR"),
            ("cancelLesson", {"lesson_id": UNKNOWN_ID}, "NOT_FOUND"),
        ]), label="invalid")
        result = self.admin(data, endpoint, body)
        refused(result, code)

    def replayable(self) -> list[Keyed]:
        # A body that time has made invalid (a start now past) is refused before its key
        # is looked at (400 before 409), so only keys whose body is still valid replay.
        today = wall_of(self.now).date().isoformat()
        return [k for k in self.keyed if self.now - k.at < KEY_KEPT
                and not (k.endpoint in ("setNextLesson", "addLesson")
                         and parse_z(k.body["starts_at"]) <= self.now)
                and not (k.endpoint == "addSeries" and k.body["starts_on"] < today)]

    @precondition(lambda self: self.replayable())
    @rule(data=st.data())
    def replay_key(self, data) -> None:
        """Same key, same body: the first answer again, and nothing changes."""
        keyed = data.draw(st.sampled_from(self.replayable()), label="replay")
        result = self.api.admin(keyed.endpoint, keyed.body, key=keyed.key)
        assert result.status_code == keyed.status, result.text
        assert result.json == keyed.answer

    @precondition(lambda self: self.replayable())
    @rule(data=st.data())
    def reuse_key(self, data) -> None:
        """Same key, another (valid) body: 409 IDEMPOTENCY_KEY_REUSED, nothing changes."""
        keyed = data.draw(st.sampled_from(self.replayable()), label="reuse")
        body = dict(keyed.body)
        if keyed.endpoint == "addStudent":
            body["name"] = body["name"].strip() + " B"
        elif keyed.endpoint == "addPurchase":
            body["credits"] = body["credits"] % 5 + 1
        elif keyed.endpoint in ("setNextLesson", "addLesson"):
            body["starts_at"] = z(parse_z(body["starts_at"]) + timedelta(minutes=7))
        elif keyed.endpoint == "extendValidity":
            body["days"] = body["days"] % 30 + 1
        elif keyed.endpoint == "adjust":
            body["reason"] = body["reason"] + " (again)"
        elif keyed.endpoint == "setCapacity":
            body["capacity"] = None if body["capacity"] else 3
        elif keyed.endpoint in ("addSeries", "addClosure", "endSeries"):
            body = {**body, **({"time": "19:01"} if "time" in body else {}),
                    **({"reason": "Closed (again)"} if "reason" in body else {}),
                    **({"last_on": "2099-01-01"} if "series_id" in body else {})}
        elif keyed.endpoint in ("cancelRegistration", "registerStudent"):
            others = [i for i in self.students if i != body["student_id"]]
            if others:
                body["student_id"] = others[0]
            else:
                lessons = [i for i in self.lessons if i != body.get("lesson_id")]
                if not lessons:
                    return
                body["lesson_id"] = lessons[0]
        else:  # cancelLesson, clearRegistrations: another existing lesson (404 comes first)
            lessons = [i for i in self.lessons if i != body.get("lesson_id")]
            if not lessons:
                return
            body["lesson_id"] = lessons[0]
        result = self.api.admin(keyed.endpoint, body, key=keyed.key)
        refused(result, "IDEMPOTENCY_KEY_REUSED")

    # ---------------------------------------------------------------- the check

    @invariant()
    def everything_visible_agrees_with_the_model(self) -> None:
        if self.ctx is None:
            return
        self.settle()
        self.make_series()  # the first request below makes what the horizon now covers
        now = self.now
        upcoming = self.next_lesson()
        upcoming_json = upcoming.json() if upcoming else None
        check = next(self.checks)
        for s in self.students.values():
            result = self.api.status(s.token, "&ledger=all")
            assert result.status_code == 200, result.text
            body = result.json
            assert body["now"] == z(now)
            assert body["student"] == {"id": s.id, "name": s.name}
            assert body["credits_available"] == self.balance(s), (
                f"student {s.id}: credits_available {body['credits_available']}, "
                f"model {self.balance(s)}")
            assert [{k: lot.get(k) for k in LOT_KEYS} for lot in body["lots"]] == \
                [lot.json() for lot in self.fifo(s)], f"student {s.id} lots"
            assert _core(body["next_lesson"]) == upcoming_json
            assert body["registration_open"] is (upcoming is not None
                                                 and now < upcoming.closes_at)
            assert body["registered"] is (upcoming is not None and upcoming.id in s.regs)
            self.check_ledger(s, body["ledger"], body["credits_available"])

            # "?ledger" with any value but "all": from the entry the newest OLDEST names.
            view = self.api.status(s.token, ("&ledger", "&ledger=1", "&ledger=no")[check % 3])
            assert view.status_code == 200, view.text
            markers = [e for e in body["ledger"] if e["type"] == "OLDEST"]
            start = markers[-1]["ref_event_id"] if markers else 0
            recent = [e for e in body["ledger"] if e["id"] >= start]
            assert view.json["ledger"] == recent, (
                "the default view starts at the entry the newest OLDEST names")
            assert {k: v for k, v in view.json.items() if k != "ledger"} == \
                {k: v for k, v in body.items() if k != "ledger"}
            if s.id % len(self.students) == check % len(self.students):  # the teacher's view
                for query, expected in (("&all", body["ledger"]), ("", recent)):
                    teacher = self.api.admin_get(f"/admin/ledger?student_id={s.id}{query}")
                    assert teacher.status_code == 200, teacher.text
                    assert teacher.json == {"student_id": s.id, "ledger": expected}, query

        listing = self.api.admin_get("/admin/list")
        assert listing.status_code == 200, listing.text
        rows = sorted(listing.json["students"], key=lambda row: row["id"])
        assert [{k: row.get(k) for k in ("id", "name", "token", "link", "credits_available",
                                         "registered_next")} for row in rows] == [
            {"id": s.id, "name": s.name, "token": s.token, "link": f"{PUBLIC_URL}/?t={s.token}",
             "credits_available": self.balance(s),
             "registered_next": upcoming is not None and upcoming.id in s.regs}
            for s in sorted(self.students.values(), key=lambda s: s.id)]
        assert _core(listing.json["next_lesson"]) == upcoming_json
        regs = sorted((r["student_id"], r["name"], r["lesson_id"], r["registered_at"],
                       r["consumed_lot_id"]) for r in listing.json["registrations"])
        assert regs == sorted((s.id, s.name, lesson_id, z(reg.at), reg.lot_id)
                              for s in self.students.values()
                              for lesson_id, reg in s.regs.items()), "open registrations"

        self.check_week()

    def check_week(self) -> None:
        """Every lesson, its places and its line, as the teacher and the students see them."""
        today = wall_of(self.now).date()
        first, last = today - timedelta(days=300), today + timedelta(days=90)
        week = self.api.admin_get(f"/admin/lessons?from={first}&to={last}")
        assert week.status_code == 200, week.text
        shown = {x["id"]: x for x in week.json["lessons"]}
        wanted = {i for i, l in self.lessons.items()
                  if first.isoformat() <= self.local_date(l.starts_at) <= last.isoformat()}
        assert set(shown) == wanted, f"lessons listed {sorted(shown)}, model {sorted(wanted)}"
        status_of = {"open": "scheduled", "cleared": "cleared", "cancelled": "cancelled"}
        for lesson_id, x in shown.items():
            lesson = self.lessons[lesson_id]
            holders = sorted(s.id for s in self.students.values() if lesson_id in s.regs)
            if lesson.state == "cleared":
                holders = sorted(s.id for s in self.students.values() if lesson_id in s.cleared)
            line = [sid for sid, _ in lesson.line]
            assert (x["starts_at"], x["status"], x["capacity"], x["series_id"]) == (
                z(lesson.starts_at), status_of[lesson.state], lesson.capacity, lesson.series)
            assert sorted(r["student_id"] for r in x["registrations"]) == \
                (holders if lesson.state != "cancelled" else []), f"lesson {lesson_id} roster"
            assert [w["student_id"] for w in x["waitlist"]] == line, f"lesson {lesson_id} line"
            assert x["registered_count"] == len(x["registrations"])
            assert x["waitlist_count"] == len(line)
            # waitlisted students hold no credit for that lesson
            assert not set(line) & set(holders), f"lesson {lesson_id}: waits and holds a place"
            if lesson.state == "open" and lesson.capacity is not None and not lesson.walk_ins:
                assert len(holders) <= lesson.capacity, f"lesson {lesson_id} over capacity"
        horizon = self.now + HORIZON
        for s in self.students.values():
            listed = self.api.status(s.token).json["lessons"]
            ahead = sorted((l for l in self.lessons.values()
                            if l.state == "open" and self.now < l.starts_at < horizon),
                           key=lambda l: (l.starts_at, l.id))
            assert [x["id"] for x in listed] == [l.id for l in ahead], "the student's schedule"
            for x, lesson in zip(listed, ahead):
                spots = None if lesson.capacity is None else max(0, lesson.capacity - self.count(lesson))
                assert x["spots_left"] is None or x["spots_left"] >= 0
                assert (x["registered"], x["waitlisted"], x["waitlist_position"], x["spots_left"],
                        x["registration_open"]) == (
                    lesson.id in s.regs, lesson.waiting(s.id) is not None, lesson.waiting(s.id),
                    spots, self.now < lesson.closes_at), f"student {s.id}, lesson {lesson.id}"

    def check_ledger(self, s: Student, ledger: list[dict], credits: int) -> None:
        running, last_id = 0, 0
        for e in ledger:
            assert set(e) == ENTRY_KEYS, e
            assert e["id"] > last_id, f"entry ids must only grow: {ledger}"
            last_id = e["id"]
            parse_z(e["ts"])
            running += e["delta_credits"]
            assert e["balance_after"] == running, f"balance_after is the running sum: {e}"
            kind, delta = e["type"], e["delta_credits"]
            assert kind in {"PURCHASE", "REGISTER", "CANCEL", "EXPIRE", "ADJUST", "EXTEND",
                            "OLDEST"}, e
            if kind == "REGISTER":
                assert delta == -1, e
            elif kind == "CANCEL":
                assert delta == 1, e
            elif kind in ("EXTEND", "OLDEST"):
                assert delta == 0, e
            elif kind in ("PURCHASE",):
                assert delta > 0, e
            elif kind == "EXPIRE":
                assert delta < 0, e
            else:
                assert delta != 0, e
        assert running == credits, "the deltas add up to credits_available"

        # Append-only: what was there at the last check is still there, unchanged.
        assert ledger[:len(s.seen)] == s.seen, f"student {s.id}: history was rewritten"
        new = [e for e in ledger[len(s.seen):] if e["type"] != "OLDEST"]
        taken = [e for e in new if e["type"] == "ADJUST" and e["delta_credits"] < 0]
        got = Counter(observed(e) for e in new if e not in taken)
        want = Counter(s.expected)
        assert got == want, (
            f"student {s.id}: new entries differ from the model\n  only in ledger: "
            f"{list((got - want).elements())}\n  only in model: {list((want - got).elements())}")
        assert sum(e["delta_credits"] for e in taken) == -sum(n for _, n in s.taken), taken
        if len(taken) == len(s.taken) and len(taken) > 1:  # one entry per lot: FIFO lots
            assert Counter((e["ref_lot_id"], -e["delta_credits"]) for e in taken) == \
                Counter(s.taken), f"negative ADJUST takes FIFO: {taken} vs {s.taken}"
        elif len(taken) == 1 and len(s.taken) == 1:
            assert taken[0]["ref_lot_id"] in (None, s.taken[0][0]), (taken, s.taken)

        # OLDEST: every lot created before the entry it names is closed; it only moves on.
        ids = {e["id"] for e in ledger}
        created = {e["ref_lot_id"]: e["id"] for e in ledger
                   if e["type"] == "PURCHASE" or (e["type"] == "ADJUST" and e["delta_credits"] > 0)}
        assert set(s.lots) <= set(created), f"every lot has its PURCHASE/ADJUST entry: {created}"
        open_lots = {reg.lot_id for reg in s.regs.values()}
        previous = 0
        for marker in (e for e in ledger if e["type"] == "OLDEST"):
            ref = marker["ref_event_id"]
            assert ref in ids and ref <= marker["id"], f"OLDEST names an entry: {marker}"
            assert ref > previous, f"OLDEST only moves forward, never twice: {marker}"
            event("OLDEST marker seen")
            previous = ref
            for lot in s.lots.values():
                if created[lot.id] < ref:
                    closed = lot.expired(self.now) or (lot.remaining == 0
                                                       and lot.id not in open_lots)
                    assert closed, f"OLDEST {marker} is past lot {lot.id}, which is open"
        s.seen = ledger
        s.expected.clear()
        s.taken.clear()


# Hypothesis picks among enabled rules evenly: the busy paths get a second (third) name.
for _name, _copies in {"register": 6, "cancel": 3, "add_purchase": 3, "set_next_lesson": 2,
                       "jump": 2, "register_student": 2, "add_student": 2}.items():
    for _n in range(2, _copies + 1):
        setattr(LedgerMachine, f"{_name}_{_n}", getattr(LedgerMachine, _name))
del _name, _copies, _n

LedgerMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedger = LedgerMachine.TestCase


class PostgresLedgerMachine(LedgerMachine):
    """The same machine on PostgreSQL: each example gets a fresh database cloned from
    the session cluster's template (pytest-postgresql's DatabaseJanitor)."""

    cluster = None  # the postgresql_proc executor, set by the fixture below
    numbers = itertools.count(1)

    def database(self) -> str:
        proc = self.cluster
        name = f"prop_{os.getpid()}_{next(self.numbers)}"
        self.janitor = DatabaseJanitor(
            user=proc.user, host=proc.host, port=proc.port, dbname=name,
            template_dbname=proc.template_dbname, password=proc.password,
        )
        self.janitor.init()
        return pg_url(proc.host, proc.port, proc.user, name, proc.password)

    def teardown(self) -> None:
        super().teardown()
        janitor = getattr(self, "janitor", None)
        if janitor is not None:
            janitor.drop()


# Fewer examples on PostgreSQL: each one creates a database (the rules are the same).
PostgresLedgerMachine.TestCase.settings = settings(
    max_examples=30, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestLedgerOnPostgres = PostgresLedgerMachine.TestCase


@pytest.fixture(autouse=True)
def _cluster_for_the_postgres_machine(request):
    if request.cls is TestLedgerOnPostgres:
        PostgresLedgerMachine.cluster = request.getfixturevalue("postgresql_proc")


def _core(lesson: dict | None) -> dict | None:
    """The part-1 fields of a lesson object (part 2 adds title, capacity, counts...)."""
    if lesson is None:
        return None
    return {k: lesson[k] for k in ("id", "starts_at", "registration_closes_at")}
