"""The reference model (``tests/support/reference_model``) against the application's verbs on
in-memory persistence: the same model as the HTTP property test, many more steps per second.

Rules: add a student, buy a lot, set a lesson, register, cancel, move the clock (onto expiries
and window edges too). After every step every student's settled balance and open lots must be
what the model says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tangopass.ledger.errors import NoCreditsError, NoUpcomingLessonError, RegistrationClosedError
from tangopass.ledger.student import Student as StudentAccount
from tests.support.clock import ManualClock
from tests.support.fake_reads import service
from tests.support.reference_model import (
    STARTS, Lesson, Lot, ReferenceStudio, Reg, Student, add_months, instants_of, parse_z, wall_of,
)


class ServiceMachine(ReferenceStudio, RuleBasedStateMachine):
    @initialize(start=st.sampled_from(STARTS))
    def open_studio(self, start: datetime) -> None:
        self.clock = ManualClock(start)
        self.app = service(tz="Europe/Madrid")

    def teardown(self) -> None:
        if hasattr(self, "app"):
            self.app.close()

    @precondition(lambda self: len(self.students) < 3)
    @rule()
    def add_student(self) -> None:
        answer = self.app.add_student("Ana", self.now)
        assert answer["id"] == len(self.students) + 1
        self.students[answer["id"]] = Student(answer["id"], "Ana", answer["token"])

    @precondition(lambda self: self.students)
    @rule(data=st.data(), credits=st.integers(1, 5), months=st.sampled_from([1, 3]))
    def add_purchase(self, data, credits: int, months: int) -> None:
        self.settle()
        s = self.students[data.draw(st.sampled_from(sorted(self.students)))]
        answer = self.app.add_purchase(s.id, credits, months, None, None, self.now)
        wall = add_months(wall_of(self.now), months)
        expires = parse_z(answer["lot"]["expires_at"])
        assert expires in instants_of(wall), (expires, wall)
        lot_id = answer["lot"]["id"]
        s.lots[lot_id] = Lot(lot_id, self.now, expires, wall, months, credits, credits)
        assert answer["credits_available"] == self.balance(s)

    @precondition(lambda self: len(self.lessons) < 8)
    @rule(minutes=st.integers(10, 4 * 1440))
    def set_next_lesson(self, minutes: int) -> None:
        starts = self.now + timedelta(minutes=minutes)
        answer = self.app.set_next_lesson(starts, self.now)
        self.lessons[answer["lesson"]["id"]] = Lesson(answer["lesson"]["id"], starts)

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def register(self, data) -> None:
        self.settle()
        s = self.students[data.draw(st.sampled_from(sorted(self.students)))]
        lesson = self.next_lesson()
        expected = self._expected_refusal(s, lesson)
        if expected is not None:
            with pytest.raises(expected):
                self.app.register(s.id, None, self.now)
            return
        answer = self.app.register(s.id, None, self.now)
        if lesson.id not in s.regs:
            lot = self.fifo(s)[0]
            lot.remaining -= 1
            s.regs[lesson.id] = Reg(lot.id, self.now)
        assert answer["consumed_lot_id"] == s.regs[lesson.id].lot_id
        assert answer["credits_available"] == self.balance(s)

    def _expected_refusal(self, s: Student, lesson: Lesson | None) -> type | None:
        if lesson is None:
            return NoUpcomingLessonError
        if lesson.id in s.regs:
            return None  # idempotent, even after the window closed
        if self.now >= lesson.closes_at:
            return RegistrationClosedError
        return None if self.fifo(s) else NoCreditsError

    @precondition(lambda self: self.students)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        self.settle()
        s = self.students[data.draw(st.sampled_from(sorted(self.students)))]
        lesson = self.next_lesson()
        if lesson is None:
            with pytest.raises(NoUpcomingLessonError):
                self.app.cancel(s.id, None, self.now)
            return
        if lesson.id in s.regs and self.now >= lesson.closes_at:
            with pytest.raises(RegistrationClosedError):
                self.app.cancel(s.id, None, self.now)
            return
        answer = self.app.cancel(s.id, None, self.now)
        expired = self.refund(s, lesson.id) if lesson.id in s.regs else 0
        assert answer["credits_available"] == self.balance(s)
        assert answer["expired_on_return"] == expired

    @rule(data=st.data())
    def jump(self, data) -> None:
        second = timedelta(seconds=1)
        edges = sorted({t for s in self.students.values() for lot in s.lots.values()
                        for t in (lot.expires_at, lot.expires_at - second)}
                       | {t for lesson in self.lessons.values()
                          for t in (lesson.closes_at, lesson.closes_at - second)})
        edges = [t for t in edges if t > self.now]
        if edges and data.draw(st.booleans(), label="onto an edge"):
            self.clock.set(data.draw(st.sampled_from(edges), label="edge"))
        else:
            self.clock.set(self.now + timedelta(minutes=data.draw(st.integers(1, 40 * 1440))))

    @invariant()
    def every_balance_and_open_lot_is_the_models(self) -> None:
        if not self.students:
            return
        self.app.settle(sorted(self.students), self.now)
        self.settle()
        for s in self.students.values():
            account = self.app.get(StudentAccount.create_id(s.id))
            assert account.balance == self.balance(s)
            open_lots = {lot.id: lot.remaining for lot in account.lots if lot.remaining}
            assert open_lots == {l.id: l.remaining for l in s.lots.values() if l.remaining}


ServiceMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_the_service_follows_the_reference_model = ServiceMachine.TestCase
