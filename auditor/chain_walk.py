"""The hash chain, walked beside the events: each link recomputed from the stored bytes.

An event without a link (appended with plain SQL), a link without an event (the event was
deleted) and a link that does not match (edited, reordered) are each named. With an expected
head (``--expect-head ID:SHA256``) the chain is also recomputed from the genesis over the events
as they are now, so a history rewritten together with its links is caught.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tangopass.auditor.books import VerifyReport
from tangopass.auditor.reading import has_table
from tangopass.projections.chain import CHAIN_TABLE, GENESIS, Head, next_link

Report = Callable[[int, str], None]  # (notification id, message) -> a chain problem


class ChainWalk:
    """Follows the stored links while the verifier reads the events in notification order."""

    def __init__(self, conn: sqlite3.Connection, report: VerifyReport, problem: Report):
        self.report = report
        self.problem = problem
        stored = _chain_rows(conn)
        self.chained = stored is not None
        self.pending = iter(stored or ())
        self.link_row = next(self.pending, None)
        self.previous_stored: bytes | None = GENESIS
        self.strict = GENESIS  # recomputed from the genesis over the events as they are
        self.last_stored: tuple[int, str] | None = None
        if not self.chained:
            problem(0, f"the database has no {CHAIN_TABLE} table (schema 003 not applied)")

    def event(self, row: tuple) -> None:
        """Check the link of the event ``row`` (and name the links of deleted events before it)."""
        nid = row[0]
        while self.link_row is not None and self.link_row[0] < nid:
            self._deleted(self.link_row)
        self.strict = next_link(self.strict, row)
        expect = self.report.expected_head
        if expect is not None and nid == expect.notification_id:
            self._check_expected(nid)
        if not self.chained:
            return
        if self.link_row is None or self.link_row[0] != nid:
            self.problem(nid, f"event #{nid} has no chain link: it was not appended by the"
                              " application (inserted with plain SQL?)")
            return
        stored = bytes.fromhex(self.link_row[1])
        if self.previous_stored is not None and next_link(self.previous_stored, row) != stored:
            self.problem(nid, f"event #{nid} does not match its chain link (edited, reordered or"
                              " its link rewritten after it was written)")
        self.previous_stored = stored
        self.last_stored = self.link_row
        self.link_row = next(self.pending, None)

    def finish(self, conn: sqlite3.Connection) -> None:
        """After the last event: trailing links, the head, an expected head never reached."""
        while self.link_row is not None:
            self._deleted(self.link_row)
        chain_problems = any(p.area == "chain" for p in self.report.problems)
        self.report.chain_intact = self.chained and not chain_problems
        if self.report.chain_intact and self.last_stored is not None:
            self.report.head = Head(self.last_stored[0], self.last_stored[1])
        expect = self.report.expected_head
        if expect is not None and self.report.expected_head_ok is None:
            last = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM stored_events").fetchone()[0]
            self.report.expected_head_ok = False
            why = (f"the history now ends at #{last}" if expect.notification_id > last
                   else "that event no longer exists")
            self.problem(expect.notification_id,
                         f"expected head {expect}: there is no event #{expect.notification_id}"
                         f" ({why}); events were deleted")

    def _deleted(self, link_row: tuple[int, str]) -> None:
        self.problem(link_row[0], f"chain link #{link_row[0]} has no event: event"
                                  f" #{link_row[0]} was deleted")
        self.previous_stored = bytes.fromhex(link_row[1])
        self.last_stored = link_row
        self.link_row = next(self.pending, None)

    def _check_expected(self, nid: int) -> None:
        expect = self.report.expected_head
        self.report.expected_head_ok = self.strict.hex() == expect.link
        if not self.report.expected_head_ok:
            self.problem(nid, f"expected head {expect} does not match: the events up to"
                              f" #{expect.notification_id} now hash to {self.strict.hex()};"
                              " history before that point was rewritten")


def _chain_rows(conn: sqlite3.Connection) -> list[tuple[int, str]] | None:
    if not has_table(conn, CHAIN_TABLE):
        return None
    return conn.execute(
        f"SELECT notification_id, link FROM {CHAIN_TABLE} ORDER BY notification_id"
    ).fetchall()
