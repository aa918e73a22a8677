"""The parts ``create_app`` hands to the resources, each the one collaborator a resource uses.

``Context`` carries the application, the read models, the settings and the clock from the
composition root (``api/wiring.py``) to ``create_app``. The student's resources and the teacher's
pages (list, student, ledger, QR, lessons) get only their collaborators: ``StudentGate``
(whose token is this), the admin token, ``LazyExpiry`` (settle due expiries before a read),
``LazySchedule``, ``StudentLinks``, the read models and the clock. The teacher's commands and
the report and settings pages still take the ``Context`` (their runners reach the ledger, the
settings and the time zone through it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import falcon

from tangopass.api.errors import ApiError
from tangopass.api.settings import Settings
from tangopass.api.throttle import GuessLimit
from tangopass.ledger.application import TangoPass
from tangopass.projections.queries import Queries

Clock = Callable[[], datetime]  # now, an aware datetime


@dataclass
class Context:
    """What the composition root built: handed to ``create_app``, which splits it up."""

    ledger: TangoPass
    queries: Queries
    settings: Settings
    clock: Clock

    def __post_init__(self) -> None:
        self.links = StudentLinks(self.settings.public_url)
        self.expiry = LazyExpiry(self.ledger)
        self.schedule = LazySchedule(self.ledger)

    def link(self, token: str) -> str:
        return self.links.link(token)

    def settle_due(self, now: datetime, student_id: int | None = None) -> None:
        self.expiry.settle_due(now, student_id)

    def make_due(self, now: datetime) -> None:
        self.schedule.make_due(now)


@dataclass(frozen=True)
class StudentLinks:
    """A student's personal link, ``{public_url}/?t=TOKEN``."""

    public_url: str

    def link(self, token: str) -> str:
        return f"{self.public_url}/?t={token}"


class StudentGate:
    """The student named by ``?t=TOKEN``, with unknown tokens throttled per address."""

    def __init__(self, queries: Queries, guesses: GuessLimit | None = None):
        self.queries = queries
        self.guesses = guesses or GuessLimit()

    def student_of(self, req: falcon.Request) -> int:
        """The student's id; a missing and an unknown token get the same 401."""
        token = req.params.get("t")
        if not isinstance(token, str):  # missing, or given twice
            token = None
        student_id = self.queries.student_by_token(token) if token else None
        if not self.guesses.admit(req.remote_addr or "", student_id):
            raise ApiError(
                "TOO_MANY_REQUESTS",
                "too many unknown links from this address; please wait a minute",
                {"Retry-After": str(self.guesses.retry_after())},
            )
        if student_id is None:
            raise ApiError("INVALID_TOKEN", "this link is not valid (missing or unknown token)")
        return student_id


class LazyExpiry:
    """Before a read: write the EXPIRE entries the clock has made due (no cron)."""

    def __init__(self, ledger: TangoPass):
        self.ledger = ledger

    def settle_due(self, now: datetime, student_id: int | None = None) -> None:
        """Settle every student (or one) holding a lot whose time is up (the ledger decides who)."""
        self.ledger.settle_due(now, student_id)


class LazySchedule:
    """Before a read or command that looks at the schedule: make the weekly series' lessons
    the 56-day horizon now covers (no cron; exactly once, see ``StudioWeek``)."""

    def __init__(self, ledger: TangoPass):
        self.ledger = ledger

    def make_due(self, now: datetime) -> None:
        self.ledger.make_due_lessons(now)
