"""The one place that reads the wall clock; everything else is handed ``now``."""

from datetime import UTC, datetime

from tangopass.ledger.instants import to_second


def system_now() -> datetime:
    """The current instant in UTC, to the second (the API's precision)."""
    return to_second(datetime.now(UTC))
