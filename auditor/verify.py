"""The auditor's verification: every balance and lot follows from the events.

One pass over the event store, in notification order, inside one read transaction (a server
may keep appending: the check sees one snapshot):

* the hash chain (``chain_walk``): each event's link recomputed from the stored bytes;
* the ledger rules, from the decoded events alone (``lot_rules``, ``registration_rules``,
  ``lesson_rules``): running balances, no credit taken from a lot expired at that moment
  (EXTEND entries move ``expires_at``), FIFO order, CANCEL back to the lot the registration
  took from, EXPIRE of exactly what was left at the lot's ``expires_at``, the student window,
  OLDEST markers pointing at the first entry that still matters;
* then the projections against what the events imply (``projection_checks``);
* and the schema's own guards: every append-only trigger still there (``schema_checks``).

How independent this is of the domain is said once, in ``tangopass.auditor``: the domain's
vocabulary (event classes, entry types, ids) is shared, its rules are restated here.
Nothing here writes: the connection is read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from tangopass.auditor import lesson_rules, lot_rules, registration_rules
from tangopass.auditor.books import (
    EntryBook, LessonBook, LotBook, Problem, StudentBook, VerifyReport,
)
from tangopass.auditor.chain_walk import ChainWalk
from tangopass.auditor.projection_checks import check_projections
from tangopass.auditor.reading import stored_rows, to_stored_event
from tangopass.auditor.schema_checks import missing_triggers
from tangopass.ledger.instants import iso
from tangopass.ledger.student import ENTRY_TYPE
from tangopass.projections.chain import Head

HANDLERS: dict[type, Callable[[Verifier, Any], None]] = {
    **lot_rules.HANDLERS, **registration_rules.HANDLERS, **lesson_rules.HANDLERS,
}


class Verifier:
    """Folds the events into books, checking each rule as it goes."""

    def __init__(self, decode: Callable[[StoredEvent], Any], expect_head: Head | None = None):
        self.decode = decode
        self.report = VerifyReport(expected_head=expect_head)
        self.students: dict[UUID, StudentBook] = {}
        self.by_number: dict[int, StudentBook] = {}
        self.lessons: dict[UUID, LessonBook] = {}
        self.lesson_by_number: dict[int, LessonBook] = {}
        self.lot_owner: dict[int, int] = {}
        self.nid = 0
        self.ledger_ids: dict[tuple[int, int], int] = {}  # (student, seq) -> ledger id

    def run(self, conn: sqlite3.Connection,
            progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Verify everything readable on ``conn`` (call inside a read transaction)."""
        self.ledger_ids = {
            (student, seq): entry_id for entry_id, student, seq
            in conn.execute("SELECT id, student_id, seq FROM ledger_events")
        }
        chain = ChainWalk(conn, self.report, self._chain_problem)
        count = 0
        for row in stored_rows(conn):
            self.nid = row[0]
            chain.event(row)
            self.event(row)
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
        if progress and count % 1000:
            progress(count % 1000)
        self.report.events = count
        chain.finish(conn)
        for name, source in missing_triggers(conn):
            self.report.problems.append(Problem(
                "schema", f"the append-only trigger {name} is missing ({source} declares it):"
                " it was dropped, or its table rebuilt (e.g. by sqlite-utils transform())",
            ))
        self.nid = 0
        check_projections(self, conn)
        self.report.students = len(self.students)
        self.report.lots = len(self.lot_owner)
        return self.report

    def event(self, row: tuple) -> None:
        """Decode one stored event and check it with the rule for its type."""
        try:
            event = self.decode(to_stored_event(row))
        except Exception as ex:  # noqa: BLE001 - any failure to decode is a finding
            self.problem("ledger", f"event #{row[0]} ({row[3]}) cannot be decoded: {ex}")
            return
        handler = HANDLERS.get(type(event))
        if handler is None:
            self.problem("ledger", f"event #{row[0]} has a topic nobody knows: {row[3]}")
            return
        handler(self, event)

    # ---------------------------------------------------------------- problems

    def problem(self, area: str, message: str, student: StudentBook | None = None) -> None:
        """Record a broken rule at the event being read (``area``: chain, ledger, projection)."""
        self.report.problems.append(Problem(
            area, message, self.nid, None if student is None else student.number
        ))

    def _chain_problem(self, notification_id: int, message: str) -> None:
        self.report.problems.append(Problem("chain", message, notification_id))

    def who(self, student: StudentBook) -> str:
        return f"student {student.number} ({student.name})"

    def entry_label(self, student: StudentBook, kind: str, event: Any) -> str:
        seq = getattr(event, "seq", None)
        ledger_id = self.ledger_ids.get((student.number, seq))
        where = f"ledger #{ledger_id}, " if ledger_id is not None else ""
        return (f"{self.who(student)}: {kind} entry seq {seq} ({where}event #{self.nid},"
                f" at {iso(event.at)})")

    # ------------------------------------------------------- shared by the rules

    def student(self, event: Any) -> StudentBook | None:
        """The book of the student the event is for (a problem if never added)."""
        student = self.students.get(event.originator_id)
        if student is None:
            self.problem("ledger", f"event #{self.nid} is for a student that was never added")
        return student

    def lot(self, student: StudentBook, lot_id: int, label: str) -> LotBook | None:
        """The student's lot ``lot_id`` (a problem if it is nobody's or someone else's)."""
        lot = student.lots.get(lot_id)
        if lot is None:
            owner = self.lot_owner.get(lot_id)
            whose = "no such lot" if owner is None else f"lot {lot_id} belongs to student {owner}"
            self.problem("ledger", f"{label}: names lot {lot_id}, but {whose}", student)
        return lot

    def entry(self, student: StudentBook, event: Any, delta: int, *, lot_id: int | None = None,
              lesson_id: int | None = None, ts: datetime | None = None) -> str:
        """Check the entry's place in the running balance, book it; return its label."""
        kind = ENTRY_TYPE[type(event)]
        label = self.entry_label(student, kind, event)
        if event.seq != student.seq + 1:
            self.problem("ledger", f"{label}: entry number {event.seq} follows {student.seq}"
                         " (an entry is missing or out of order)", student)
        if event.balance_after != student.balance + delta:
            self.problem("ledger", f"{label}: balance_after is {event.balance_after}, but the"
                         f" balance before was {student.balance} and the entry moves {delta:+d}"
                         f" (expected {student.balance + delta})", student)
        student.seq = event.seq
        student.balance = event.balance_after
        student.delta_sum += delta
        student.entries[event.seq] = EntryBook(
            event.seq, self.nid, kind, delta, event.balance_after, iso(ts or event.at),
            lot_id, lesson_id,
        )
        return label


def verify_connection(
    conn: sqlite3.Connection,
    decode: Callable[[StoredEvent], Any],
    *,
    expect_head: Head | None = None,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Verify the database on ``conn`` in one read snapshot (``conn`` in autocommit mode)."""
    conn.execute("BEGIN")
    try:
        return Verifier(decode, expect_head).run(conn, progress)
    finally:
        conn.execute("ROLLBACK")


def iter_problems(report: VerifyReport) -> Iterator[Problem]:
    """Chain problems first (the first broken link leads), the ledger, projections, schema."""
    order = {"chain": 0, "ledger": 1, "projection": 2, "schema": 3}
    yield from sorted(report.problems, key=lambda p: order.get(p.area, 4))
