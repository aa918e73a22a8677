"""A reference model of the credit ledger, written from CONTRACT.md alone (not from ``ledger/``).

Lots, open registrations and lessons, with the contract's rules: FIFO by ``purchased_at``,
expiry by the clock, lazy EXPIRE entries dated at ``expires_at``, the student window. State
machines drive the product and this model side by side and compare them:
``tests/e2e/test_property_ledger.py`` through the HTTP contract and
``tests/unit/test_service_property.py`` through the application's verbs.

``ReferenceStudio`` is a mixin: the machine that uses it provides ``clock`` (``.now``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event

TZ = ZoneInfo("Europe/Madrid")
WINDOW = timedelta(hours=2)
SKEW = timedelta(seconds=60)
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# Starting instants chosen to put month ends, leap days and both DST changes of the studio
# zone within reach of a few validity months and clock jumps.
STARTS = [
    datetime(2026, 11, 23, 10, 0, tzinfo=UTC),   # the fixtures' default
    datetime(2027, 1, 30, 23, 30, tzinfo=UTC),   # local Jan 31 00:30: +1 month clamps to Feb 28
    datetime(2027, 2, 28, 1, 30, tzinfo=UTC),    # local 02:30: +1 month lands in the spring gap
    datetime(2027, 3, 27, 12, 0, tzinfo=UTC),    # the day before the spring change
    datetime(2027, 7, 31, 0, 30, tzinfo=UTC),    # local 02:30: +3 months is the repeated hour
    datetime(2027, 10, 30, 18, 0, tzinfo=UTC),   # the evening before the autumn change
    datetime(2027, 11, 30, 12, 0, tzinfo=UTC),   # +3 months is Feb 29 2028
]


# ----------------------------------------------------------------------------- time helpers


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_z(text: str) -> datetime:
    assert isinstance(text, str) and ISO_Z.match(text), f"not an ISO UTC instant: {text!r}"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def wall_of(moment: datetime) -> datetime:
    """The studio's local wall time of an instant (naive)."""
    return moment.astimezone(TZ).replace(tzinfo=None)


def instants_of(wall: datetime) -> set[datetime]:
    """Every instant a local wall time may mean (two in the repeated hour or the gap)."""
    return {wall.replace(tzinfo=TZ, fold=fold).astimezone(UTC) for fold in (0, 1)}


def add_months(wall: datetime, months: int) -> datetime:
    year, month0 = divmod(wall.month - 1 + months, 12)
    year += wall.year
    day = min(wall.day, calendar.monthrange(year, month0 + 1)[1])
    return wall.replace(year=year, month=month0 + 1, day=day)


# ---------------------------------------------------------------------------------- model


@dataclass
class Lot:
    id: int
    purchased_at: datetime
    expires_at: datetime
    wall: datetime  # the local wall time the contract promises for expires_at
    months: int
    total: int
    remaining: int

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def json(self) -> dict:
        return {"id": self.id, "purchased_at": z(self.purchased_at),
                "expires_at": z(self.expires_at), "validity_months": self.months,
                "credits_total": self.total, "credits_remaining": self.remaining}


@dataclass
class Lesson:
    id: int
    starts_at: datetime
    state: str = "open"  # open | cleared | cancelled
    capacity: int | None = None
    balance: int | None = None  # role balance K
    series: int | None = None
    line: list[tuple[int, str | None]] = field(default_factory=list)  # the waitlist, in order
    walk_ins: bool = False  # the teacher's override may take it over capacity or balance

    @property
    def closes_at(self) -> datetime:
        return self.starts_at - WINDOW

    def waiting(self, student_id: int) -> int | None:
        """1-based place in line, or None."""
        ids = [sid for sid, _ in self.line]
        return ids.index(student_id) + 1 if student_id in ids else None

    def json(self) -> dict:
        return {"id": self.id, "starts_at": z(self.starts_at),
                "registration_closes_at": z(self.closes_at)}


@dataclass
class Series:
    """A weekly lesson: dates as studio ISO dates, ``wall`` as HH:MM."""

    id: int
    weekday: int
    wall: str
    starts_on: str
    ends_on: str | None = None
    ended_on: str | None = None
    capacity: int | None = None
    next_on: str = ""  # the next date not yet considered

    def last_on(self) -> str | None:
        ends = [d for d in (self.ends_on, self.ended_on) if d is not None]
        return min(ends) if ends else None


@dataclass
class Reg:
    lot_id: int
    at: datetime
    role: str | None = None


@dataclass
class Student:
    id: int
    name: str
    token: str
    lots: dict[int, Lot] = field(default_factory=dict)
    regs: dict[int, Reg] = field(default_factory=dict)      # open: lesson id -> registration
    cleared: dict[int, Reg] = field(default_factory=dict)   # registrations of cleared lessons
    expected: list[tuple] = field(default_factory=list)     # entries due since the last check
    taken: list[tuple[int, int]] = field(default_factory=list)  # (lot, n) of a negative ADJUST
    seen: list[dict] = field(default_factory=list)          # the whole ledger at the last check
    roles: dict[int, tuple] = field(default_factory=dict)   # lesson -> (at, role) of the last registration


@dataclass
class Keyed:
    endpoint: str
    body: dict
    key: str
    at: datetime
    status: int
    answer: dict


def entry(kind: str, delta: int, lot: int | None, lesson: int | None = None,
          ts: str | None = None) -> tuple:
    """The parts of a ledger entry the contract fixes, as the model predicts them."""
    return (kind, delta, lot, lesson, ts)


def observed(e: dict) -> tuple:
    kind = e["type"]
    if kind in ("REGISTER", "CANCEL"):
        return entry(kind, e["delta_credits"], e["ref_lot_id"], e["ref_lesson_id"])
    if kind == "EXPIRE":
        return entry(kind, e["delta_credits"], e["ref_lot_id"], ts=e["ts"])
    return entry(kind, e["delta_credits"], e["ref_lot_id"])


class ReferenceStudio:
    """The model's state and its queries; mixed into a ``RuleBasedStateMachine``."""

    clock: object  # provided by the machine: anything with a ``now`` instant

    def __init__(self) -> None:
        super().__init__()
        self.students: dict[int, Student] = {}
        self.lessons: dict[int, Lesson] = {}

    @property
    def now(self) -> datetime:
        return self.clock.now

    def balance(self, s: Student) -> int:
        return sum(lot.remaining for lot in s.lots.values() if not lot.expired(self.now))

    def fifo(self, s: Student) -> list[Lot]:
        usable = [l for l in s.lots.values() if not l.expired(self.now) and l.remaining > 0]
        return sorted(usable, key=lambda l: (l.purchased_at, l.id))

    def next_lesson(self) -> Lesson | None:
        upcoming = [l for l in self.lessons.values()
                    if l.state == "open" and l.starts_at > self.now]
        return min(upcoming, key=lambda l: l.starts_at, default=None)

    def settle(self) -> None:
        """Lazy expiry, as the model sees it: an EXPIRE of what was left, dated at expiry."""
        for s in self.students.values():
            for lot in s.lots.values():
                if lot.expired(self.now) and lot.remaining > 0:
                    s.expected.append(entry("EXPIRE", -lot.remaining, lot.id,
                                            ts=z(lot.expires_at)))
                    lot.remaining = 0

    def refund(self, s: Student, lesson_id: int) -> int:
        """A registration's credit goes back to its lot; an expired lot takes it at once.

        Returns 1 when the credit expired on return (the answer's expired_on_return), else 0."""
        reg = s.regs.pop(lesson_id)
        lot = s.lots[reg.lot_id]
        s.expected.append(entry("CANCEL", 1, lot.id, lesson_id))
        if lot.expired(self.now):
            event("refund into an expired lot: CANCEL then EXPIRE")
            s.expected.append(entry("EXPIRE", -1, lot.id, ts=z(lot.expires_at)))
            return 1
        lot.remaining += 1
        return 0

    def adopt_expiry(self, lot: Lot, answer: str, candidates: set[datetime]) -> None:
        got = parse_z(answer)
        if len(candidates) > 1:
            event("expiry on a local wall time that does not exist or repeats")
        assert got in candidates, (
            f"lot {lot.id}: expires_at {answer}, expected one of "
            f"{sorted(z(c) for c in candidates)} (local wall time {lot.wall})")
        lot.expires_at = got
