"""The ranges and time guards of the rules, each named once.

The domain's guards raise ``InvalidTermsError`` (a 400 ``VALIDATION_ERROR``) with these; the
HTTP schemas (``api/schemas.py``) build their validators and the OpenAPI document from the same
names, and a guard test holds the PWA's form limits to them. The auditor restates them on
purpose (``tangopass.auditor.terms``). Instants are aware ``datetime``s.
"""

from datetime import datetime, timedelta

from tangopass.ledger.errors import InvalidTermsError

LOT_CREDITS = range(1, 101)  # credits in one lot: a purchase or a positive ADJUST
ADJUST_DELTA = range(-100, 101)  # one ADJUST moves -100..100 credits, never 0
EXTEND_DAYS = range(1, 367)  # extendValidity moves expiries by 1-366 calendar days
CLOCK_SKEW = timedelta(seconds=60)  # "not in the future" tolerates this much clock skew


def check_in(field: str, value: int, allowed: range) -> None:
    """``value`` must lie in ``allowed`` (a range)."""
    if value not in allowed:
        raise InvalidTermsError(
            f"{field} must be between {allowed.start} and {allowed.stop - 1}"
        )


def check_not_in_future(field: str, moment: datetime, now: datetime) -> None:
    """A recorded fact (a purchase's date) may not lie ahead of ``now`` + ``CLOCK_SKEW``."""
    if moment > now + CLOCK_SKEW:
        raise InvalidTermsError(f"{field}: must not be in the future")


def check_in_future(field: str, moment: datetime, now: datetime) -> None:
    """A planned moment (a lesson's start) must lie strictly after ``now``."""
    if moment <= now:
        raise InvalidTermsError(f"{field}: must be in the future")
