"""The studio's calendar: which series exist and which dates are closed.

One aggregate for the whole studio. Adding a series and adding a closure both
save it, so the two can never interleave unseen: a series created while a
closure is being recorded collides with it on this aggregate's version, and
the retry sees the other. Series and closure numbers are decided here, so they
never collide either.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.entries import TEACHER

SCHEDULE_ID = uuid5(NAMESPACE_URL, "https://tangopass.invalid/schedule")


class Schedule(Aggregate):
    """Series count and closures (``{"id", "from", "to", "reason"}``, dates as ISO text)."""

    TOPIC = "tangopass:Schedule"

    class Created(Aggregate.Created):
        TOPIC = "tangopass:Schedule.Created"

    class Snapshot(Aggregate.Snapshot):
        TOPIC = "tangopass:Schedule.Snapshot"

    @staticmethod
    def create_id() -> UUID:
        return SCHEDULE_ID

    @event("Opened", topic="tangopass:Schedule.Opened")
    def __init__(self, at: datetime, by: str):
        self.series_count = 0
        self.closures: list[dict] = []

    def closed_spans(self) -> list[tuple[str, str]]:
        return [(c["from"], c["to"]) for c in self.closures]

    def add_series(self, now: datetime) -> int:
        """Reserve the next series number."""
        self._series_added(self.series_count + 1, now, TEACHER)
        return self.series_count

    def add_closure(
        self, from_on: date, to_on: date, reason: str, extend_passes: bool, now: datetime
    ) -> dict:
        """Record a closure; return it as ``{"id", "from", "to", "reason"}``."""
        self._closure_added(
            len(self.closures) + 1, from_on.isoformat(), to_on.isoformat(), reason,
            extend_passes, (to_on - from_on).days + 1, now, TEACHER,
        )
        return dict(self.closures[-1])

    @event("SeriesAdded", topic="tangopass:Schedule.SeriesAdded")
    def _series_added(self, series_id: int, at: datetime, by: str) -> None:
        self.series_count = series_id

    @event("ClosureAdded", topic="tangopass:Schedule.ClosureAdded")
    def _closure_added(
        self, closure_id: int, from_on: str, to_on: str, reason: str, extend_passes: bool,
        days: int, at: datetime, by: str,
    ) -> None:
        self.closures = [
            *self.closures, {"id": closure_id, "from": from_on, "to": to_on, "reason": reason},
        ]
