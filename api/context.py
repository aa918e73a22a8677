"""What every resource needs, wired once by ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import falcon

from tangopass.api.errors import ApiError
from tangopass.api.throttle import GuessLimit
from tangopass.api.settings import Settings
from tangopass.ledger.application import TangoPass
from tangopass.ledger.instants import iso
from tangopass.projections.queries import Queries


@dataclass
class Context:
    ledger: TangoPass
    queries: Queries
    settings: Settings
    clock: Callable[[], datetime]
    guesses: GuessLimit = field(default_factory=GuessLimit)

    def link(self, token: str) -> str:
        return f"{self.settings.public_url}/?t={token}"

    def student_of(self, req: falcon.Request) -> int:
        """The student named by ``?t=TOKEN``; missing and unknown get the same 401."""
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

    def settle_due(self, now: datetime, student_id: int | None = None) -> None:
        """Lazy expiry: write the EXPIRE entries the clock has made due before reading."""
        due = self.queries.students_to_settle(iso(now), student_id)
        if due:
            self.ledger.settle(due, now)
