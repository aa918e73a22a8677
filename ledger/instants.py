"""How instants are written down: UTC, ISO 8601, to the second, with a ``Z``."""

from datetime import UTC, datetime


def iso(instant: datetime) -> str:
    """``2026-11-24T19:00:00Z``: the one text form of an instant (it sorts as text)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    """Read back what :func:`iso` wrote."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def to_second(instant: datetime) -> datetime:
    """Drop sub-second precision: the API speaks in whole seconds."""
    return instant.astimezone(UTC).replace(microsecond=0)
