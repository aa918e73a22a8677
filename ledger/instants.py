"""How instants are written down: UTC, ISO 8601, to the second, with a ``Z``."""

from datetime import UTC, datetime


def iso(instant: datetime) -> str:
    """``2026-11-24T19:00:00Z``: the one text form of an instant (it sorts as text)."""
    u = instant if instant.tzinfo is UTC else instant.astimezone(UTC)
    # f-string, not strftime: this runs for every row a projection writes.
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def from_iso(text: str) -> datetime:
    """Read back what :func:`iso` wrote."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def to_second(instant: datetime) -> datetime:
    """Drop sub-second precision: the API speaks in whole seconds."""
    return instant.astimezone(UTC).replace(microsecond=0)
