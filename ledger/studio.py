"""The studio's settings: one aggregate whose events record every change.

Commands read the settings in force and write the values they use into their
own events (a lesson keeps its window hours, a lot its validity and price), so
a later change never rewrites what was promised. The currency is fixed once a
purchase has carried a price, so every report speaks one currency: the first
priced purchase saves this aggregate too (``lock_currency``), and a concurrent
change of currency then collides with it on the version check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from tangopass.ledger.errors import InvalidTermsError

STUDIO_ID = uuid5(NAMESPACE_URL, "https://tangopass.invalid/studio")


@dataclass(frozen=True)
class StudioSettings:
    """The values in force. ``window_hours`` 0-72, ``validity_options`` months 1-12."""

    studio_name: str = "Tango Pass"
    window_hours: int = 2
    validity_options: tuple[int, ...] = (1, 3)
    currency: str = "EUR"
    default_capacity: int | None = None
    currency_locked: bool = field(default=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "studio_name": self.studio_name, "window_hours": self.window_hours,
            "validity_options": list(self.validity_options), "currency": self.currency,
            "default_capacity": self.default_capacity,
        }

    def check_validity(self, months: int) -> None:
        """Raise InvalidTermsError unless ``months`` is one of the options offered."""
        if months not in self.validity_options:
            options = ", ".join(str(m) for m in self.validity_options)
            raise InvalidTermsError(f"validity_months must be one of {options}")


class Studio(Aggregate):
    """The studio's settings, changed by the teacher, one event per change."""

    TOPIC = "tangopass:Studio"

    class Created(Aggregate.Created):
        TOPIC = "tangopass:Studio.Created"

    class Snapshot(Aggregate.Snapshot):
        TOPIC = "tangopass:Studio.Snapshot"

    @staticmethod
    def create_id() -> UUID:
        return STUDIO_ID

    @classmethod
    def open(cls, defaults: StudioSettings, now: datetime) -> Studio:
        """The studio's first event: the defaults in force until the first change."""
        return cls(settings=defaults.as_dict(), at=now, by="system")

    @event("Opened", topic="tangopass:Studio.Opened")
    def __init__(self, settings: dict, at: datetime, by: str):
        self.settings = _from_dict(settings)

    def change(self, changes: dict, now: datetime) -> StudioSettings:
        """Apply the teacher's changes (fields of StudioSettings); return the new settings.

        Raises InvalidTermsError for a currency change once a purchase carried a price.
        """
        if "validity_options" in changes:
            changes = {**changes, "validity_options": sorted(set(changes["validity_options"]))}
        new = replace(self.settings, **{
            k: (tuple(v) if k == "validity_options" else v) for k, v in changes.items()
        })
        if new.currency != self.settings.currency and self.settings.currency_locked:
            raise InvalidTermsError(
                "currency cannot change: purchases already carry prices in "
                f"{self.settings.currency}"
            )
        if new != self.settings:
            self._changed(new.as_dict(), now, "teacher")
        return self.settings

    def lock_currency(self, now: datetime) -> None:
        """The first priced purchase: from now on the currency stays."""
        if not self.settings.currency_locked:
            self._currency_locked(self.settings.currency, now, "teacher")

    @event("SettingsChanged", topic="tangopass:Studio.SettingsChanged")
    def _changed(self, settings: dict, at: datetime, by: str) -> None:
        self.settings = replace(_from_dict(settings), currency_locked=self.settings.currency_locked)

    @event("CurrencyLocked", topic="tangopass:Studio.CurrencyLocked")
    def _currency_locked(self, currency: str, at: datetime, by: str) -> None:
        self.settings = replace(self.settings, currency_locked=True)


def _from_dict(values: dict) -> StudioSettings:
    return StudioSettings(**{**values, "validity_options": tuple(values["validity_options"])})
